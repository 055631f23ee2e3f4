/**
 * Statistics over repeated measurements, for the parent's reports: the one home of the
 * medians, spreads, bootstrap confidence intervals and coefficients of variation the bench
 * and the reports quote. The median itself is the one in in-runtime/common/stats.ts, which
 * the probes share.
 *
 * Confidence intervals are percentile bootstrap intervals (Efron & Tibshirani, "An
 * Introduction to the Bootstrap", 1993, ch. 13), as criterion.rs reports them and as
 * Kalibera & Jones ("Rigorous Benchmarking in Reasonable Time", ISMM 2013) recommend for
 * ratios of execution times: resample each side's samples with replacement, take the
 * statistic of every resample, and quote the 2.5th and 97.5th percentiles. Resampling is
 * seeded (xoshiro128** from @netparity/protocol) so the same samples always give the same
 * interval, and the resample count is bounded.
 */
import { Prng } from "@netparity/protocol";
import { median } from "../../in-runtime/common/stats.js";

export { median };

/** A 95 % confidence interval [low, high]. */
export type Interval = [number, number];

export interface BootstrapOptions {
  /** Seed of the resampling (default: a hash of the samples, so the interval is a pure function of them). */
  seed?: number;
  /** Resamples drawn (default 2000, at most 20 000). */
  resamples?: number;
  /** Confidence level (default 0.95). */
  level?: number;
}

export const DEFAULT_RESAMPLES = 2000;
const MAX_RESAMPLES = 20_000;

/** The median of the finite numbers among `xs`; null if there are none (nothing was measured). */
export function medianOrNull(xs: Array<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? median(v) : null;
}

/** A result's spread over its samples: median with its 95 % interval, min–max, coefficient of variation, the samples. */
export function spread(values: number[]): {
  median: number;
  ci95: Interval | null;
  min: number;
  max: number;
  cv: number | null;
  samples: number[];
} {
  return {
    median: median(values),
    ci95: bootstrapMedian(values),
    min: Math.min(...values),
    max: Math.max(...values),
    cv: coefficientOfVariation(values),
    samples: values,
  };
}

/**
 * Coefficient of variation: sample standard deviation (n − 1) over the mean; null with fewer
 * than two samples or a zero mean.
 */
export function coefficientOfVariation(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  if (mean === 0) return null;
  const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
  return Math.sqrt(v) / Math.abs(mean);
}

/** FNV-1a over the text: a stable seed from a row's name. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function resampleMedian(xs: readonly number[], rng: Prng, buf: number[]): number {
  for (let i = 0; i < xs.length; i++) buf[i] = xs[rng.int(0, xs.length - 1)]!;
  return median(buf);
}

function percentileInterval(stats: number[], level: number): Interval {
  stats.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  const at = (q: number): number => {
    // Linear interpolation between closest ranks (type 7, as R's and numpy's default).
    const h = (stats.length - 1) * q;
    const lo = Math.floor(h);
    const hi = Math.min(stats.length - 1, lo + 1);
    return stats[lo]! + (h - lo) * (stats[hi]! - stats[lo]!);
  };
  return [at(tail), at(1 - tail)];
}

function options(o: BootstrapOptions, seedText: string): { rng: Prng; n: number; level: number } {
  const n = Math.max(1, Math.min(MAX_RESAMPLES, Math.floor(o.resamples ?? DEFAULT_RESAMPLES)));
  return { rng: new Prng(o.seed ?? seedOf(seedText)), n, level: o.level ?? 0.95 };
}

/**
 * Bootstrap confidence interval of the median of `xs`; null with fewer than two finite
 * samples (one measurement says nothing about its spread).
 * @example bootstrapMedian([10, 11, 12, 13, 50], { seed: 1 }) // [10.5…, 13] or so: the outlier barely moves it
 */
export function bootstrapMedian(xs: readonly number[], o: BootstrapOptions = {}): Interval | null {
  const v = xs.filter(Number.isFinite);
  if (v.length < 2) return null;
  const { rng, n, level } = options(o, v.join(","));
  const buf = new Array<number>(v.length);
  const stats = new Array<number>(n);
  for (let i = 0; i < n; i++) stats[i] = resampleMedian(v, rng, buf);
  return percentileInterval(stats, level);
}

/**
 * Bootstrap confidence interval of median(num) / median(den): both sides resampled
 * independently (they are different programs), the ratio of the resampled medians taken
 * each time. Null when either side has fewer than two finite samples or a resampled
 * denominator is 0.
 */
export function bootstrapRatio(
  num: readonly number[],
  den: readonly number[],
  o: BootstrapOptions = {},
): Interval | null {
  const a = num.filter(Number.isFinite);
  const b = den.filter(Number.isFinite);
  if (a.length < 2 || b.length < 2) return null;
  const { rng, n, level } = options(o, `${a.join(",")}/${b.join(",")}`);
  const ba = new Array<number>(a.length);
  const bb = new Array<number>(b.length);
  const stats = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const d = resampleMedian(b, rng, bb);
    if (d === 0) return null;
    stats[i] = resampleMedian(a, rng, ba) / d;
  }
  return percentileInterval(stats, level);
}

/** Half the width of `ci` relative to `center` (0.05: the interval is within ±5 %); Infinity without one. */
export function relativeHalfWidth(ci: Interval | null, center: number | null): number {
  if (!ci || center === null || !Number.isFinite(center) || center === 0) return Number.POSITIVE_INFINITY;
  return (ci[1] - ci[0]) / 2 / Math.abs(center);
}

/** Whether two intervals share a point. */
export function overlaps(a: Interval, b: Interval): boolean {
  return a[0] <= b[1] && b[0] <= a[1];
}

/** One measurement of a row, tagged with the round it ran in. */
export interface RoundSample {
  round: number;
  value: number;
}

/**
 * The per-round ratios a/b of two rows measured in the same rounds: rounds where either
 * side is missing or not finite (or b is 0) are left out, so a failed measurement drops its
 * round, never shifts the pairing.
 */
export function perRoundRatios(a: readonly RoundSample[], b: readonly RoundSample[]): RoundSample[] {
  const bByRound = new Map<number, number>();
  for (const s of b) if (Number.isFinite(s.value) && s.value !== 0) bByRound.set(s.round, s.value);
  const out: RoundSample[] = [];
  for (const s of a) {
    const d = bByRound.get(s.round);
    if (d !== undefined && Number.isFinite(s.value)) out.push({ round: s.round, value: s.value / d });
  }
  return out.sort((x, y) => x.round - y.round);
}

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let c = 1; // C(n, 0)
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += c;
    c = (c * (n - i)) / (i + 1);
  }
  return sum / 2 ** n;
}

/**
 * The distribution-free confidence interval of a median from order statistics: with the n
 * values sorted, [x(k), x(n+1−k)] holds the true median with probability 1 − 2·P(B ≤ k−1),
 * B ~ Binomial(n, ½), whatever the distribution (only independent rounds assumed). k is the
 * largest with coverage ≥ `level`; when even [min, max] falls short of it (n ≤ 5 at 95 %:
 * 93.75 % at n = 5) the interval is [min, max] and `coverage` says what it holds. Null with
 * fewer than two values.
 * @example exactMedianInterval([0.9, 0.91, 0.92, 0.93, 0.95]) // { ci95: [0.9, 0.95], coverage: 0.9375 }
 */
export function exactMedianInterval(xs: readonly number[], level = 0.95): { ci95: Interval; coverage: number } | null {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  if (n < 2) return null;
  let k = 1;
  while (k + 1 <= Math.floor(n / 2) && 1 - 2 * binomialHalfCdf(n, k) >= level) k++;
  const coverage = 1 - 2 * binomialHalfCdf(n, k - 1);
  return { ci95: [v[k - 1]!, v[n - k]!], coverage };
}

/**
 * A paired ratio: the median of the per-round ratios a/b with its exact distribution-free
 * interval (see `exactMedianInterval`). A drift that hits both programs of a round alike
 * cancels in each round's ratio instead of widening the interval.
 */
export function pairedRatio(
  a: readonly RoundSample[],
  b: readonly RoundSample[],
): { ratio: number; ci95: Interval | null; coverage: number | null; perRound: RoundSample[] } | null {
  const perRound = perRoundRatios(a, b);
  if (!perRound.length) return null;
  const values = perRound.map((r) => r.value);
  const ci = exactMedianInterval(values);
  return { ratio: median(values), ci95: ci?.ci95 ?? null, coverage: ci?.coverage ?? null, perRound };
}

/** Number of permutations of n items with each number of inversions (Mahonian numbers), as probabilities. */
function inversionDistribution(n: number): number[] {
  let dist = [1];
  for (let m = 2; m <= n; m++) {
    const next = new Array<number>(dist.length + m - 1).fill(0);
    for (let i = 0; i < dist.length; i++) for (let j = 0; j < m; j++) next[i + j]! += dist[i]!;
    dist = next;
  }
  const total = dist.reduce((a, b) => a + b, 0);
  return dist.map((x) => x / total);
}

/**
 * Mann–Kendall trend test over values in round order: S = Σ sign(x_j − x_i) over i < j, and
 * its exact two-sided p-value under "no trend" (every order equally likely; ties count as
 * neither), with Sen's slope (the median of the pairwise slopes) for the size of the trend.
 * Null with fewer than 4 values (no order of 3 is unlikely enough to mean anything).
 */
export function trendTest(values: readonly number[]): { s: number; p: number; senSlope: number } | null {
  const n = values.length;
  if (n < 4 || n > 60) return null;
  let s = 0;
  const slopes: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      s += Math.sign(values[j]! - values[i]!);
      slopes.push((values[j]! - values[i]!) / (j - i));
    }
  // S = pairs − 2·inversions for distinct values, so P(|S| ≥ |s|) sums the inversion counts far from the middle.
  const pairs = (n * (n - 1)) / 2;
  const dist = inversionDistribution(n);
  let p = 0;
  for (let inv = 0; inv < dist.length; inv++) if (Math.abs(pairs - 2 * inv) >= Math.abs(s)) p += dist[inv]!;
  return { s, p: Math.min(1, p), senSlope: median(slopes) };
}

/** A row's samples spread more than this factor (min < max / factor): the row is unstable. */
export const UNSTABLE_SPREAD = 2;
/** A trend is flagged when significant at this level and its size over the rounds is at least TREND_MIN_CHANGE of the median. */
export const TREND_P = 0.05;
export const TREND_MIN_CHANGE = 0.2;

/** The minor page faults of a row's program, parallel to its samples (null where not measured). */
export interface FaultSamples {
  /** Faults per unit of work (the unit of the row's CPU seconds: GB, 1M messages, 1000 handshakes). */
  perUnit: ReadonlyArray<number | null>;
  /** Faults during each measured part. */
  counts: ReadonlyArray<number | null>;
  unit: string;
  /** Whose faults these are when not the program under test's: "the fixed peer (node raw)". */
  who?: string;
}

/** Slow samples of a spread row name page faults as the cause when each took at least this many times the faults per unit of every fast one… */
export const FAULT_CAUSE_FACTOR = 4;
/** …and at least this many faults in its measured part (4 MiB of 4 KiB pages): a handful against none is no cause. */
export const FAULT_CAUSE_MIN_COUNT = 1000;

/**
 * Whether a row's spread goes with its page faults: the samples split at the geometric middle
 * of min and max into slow and fast ones; when every slow sample took at least
 * FAULT_CAUSE_FACTOR× the minor faults per unit of every fast one (and at least
 * FAULT_CAUSE_MIN_COUNT faults), the clause that says so, else null. Every sample needs its
 * fault count, or nothing is claimed.
 * @example faultCause([3.4, 2.0, 0.25, 0.24, 0.25], { perUnit: [13e3, 15e3, 222e3, 240e3, 230e3], counts: [14e3, 16e3, 238e3, 258e3, 247e3], unit: "GB" })
 * // "slow rounds (3 of 5) took 16.4× the minor page faults per GB of the fast ones (230 k vs 14 k per GB: …)"
 */
export function faultCause(values: readonly number[], faults: FaultSamples, higherIsBetter = true): string | null {
  if (values.length < 2 || faults.perUnit.length !== values.length || faults.counts.length !== values.length)
    return null;
  const all = values.map((value, i) => ({ value, perUnit: faults.perUnit[i], count: faults.counts[i] }));
  if (all.some((x) => !Number.isFinite(x.value) || typeof x.perUnit !== "number" || typeof x.count !== "number"))
    return null;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const middle = min > 0 ? Math.sqrt(min * max) : (min + max) / 2;
  const slow = all.filter((x) => (higherIsBetter ? x.value < middle : x.value > middle));
  const fast = all.filter((x) => !slow.includes(x));
  if (!slow.length || !fast.length) return null;
  const slowLeast = Math.min(...slow.map((x) => x.perUnit!));
  const fastMost = Math.max(...fast.map((x) => x.perUnit!));
  if (slowLeast < FAULT_CAUSE_FACTOR * fastMost || slowLeast <= 0) return null;
  if (Math.min(...slow.map((x) => x.count!)) < FAULT_CAUSE_MIN_COUNT) return null;
  const s = median(slow.map((x) => x.perUnit!));
  const f = median(fast.map((x) => x.perUnit!));
  const times =
    f > 0
      ? `${(s / f).toFixed(1)}× the minor page faults per ${faults.unit} of the fast ones`
      : `minor page faults (the fast ones none)`;
  const rounds = `slow rounds (${slow.length} of ${all.length})`;
  const subject = faults.who ? `in the ${rounds} ${faults.who} took` : `${rounds} took`;
  return (
    `${subject} ${times} (${fmtCount(s)} vs ${fmtCount(f)} per ${faults.unit}: ` +
    "memory mapped in afresh, as when freed memory goes back to the kernel and is faulted back in)"
  );
}

/**
 * Why a row's samples (in round order) are not one steady measurement, or null: they spread
 * more than UNSTABLE_SPREAD× (min < max / 2), or they trend across the rounds (Mann–Kendall,
 * p < TREND_P, with the fitted change over the run at least TREND_MIN_CHANGE of the median).
 * With the program's page faults (`o.faults`) or its peer's (`o.peerFaults`), a spread that
 * goes with them says so (`faultCause`), the program's own first.
 * @example unstableReason([3.4, 2.0, 0.25, 0.24, 0.25]) // "spread 14.2× (min 0.24, max 3.4) > 2×; …"
 */
export function unstableReason(
  values: readonly number[],
  o: { faults?: FaultSamples; peerFaults?: FaultSamples; higherIsBetter?: boolean } = {},
): string | null {
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return null;
  const reasons: string[] = [];
  const min = Math.min(...v);
  const max = Math.max(...v);
  if (min * UNSTABLE_SPREAD < max) {
    reasons.push(`spread ${(max / min).toFixed(1)}× (min ${fmtNum(min)}, max ${fmtNum(max)}) > ${UNSTABLE_SPREAD}×`);
    // The program's own faults first; else its peer's (a fixed peer that slowed slows every row facing it).
    const cause = [o.faults, o.peerFaults]
      .map((f) => (f ? faultCause(values, f, o.higherIsBetter ?? true) : null))
      .find((x) => x !== null);
    if (cause) reasons.push(cause);
  }
  const t = trendTest(v);
  const m = median(v);
  if (t && t.p < TREND_P && m !== 0) {
    const change = (t.senSlope * (v.length - 1)) / Math.abs(m);
    if (Math.abs(change) >= TREND_MIN_CHANGE)
      reasons.push(
        `${change < 0 ? "falls" : "rises"} across the rounds (Mann–Kendall p = ${t.p.toFixed(3)}, ${(change * 100).toFixed(0)} % of the median over the run)`,
      );
  }
  return reasons.length ? reasons.join("; ") : null;
}

function fmtNum(x: number): string {
  return Number(x.toPrecision(3)).toString();
}

/** 240 k, 1.20 M, 950: counts as the reports print them. */
export function fmtCount(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)} M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(0)} k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)} k`;
  return x.toFixed(x >= 10 ? 0 : 1);
}
