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
