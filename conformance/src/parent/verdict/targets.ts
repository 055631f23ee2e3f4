/**
 * Benchmark targets: a measured value held against the number the bench promises (adapter/raw
 * throughput ≥ 0.9, decoder ≥ 3× it-length-prefixed, no errors at 1000 connections...). The
 * targets and the decision both live here; bench/ratios.ts computes the ratios and asks.
 */

/** adapter/raw throughput targets per workload (the same runtime's raw API in the same run). */
export const ADAPTER_RAW_TARGETS: Readonly<Record<string, number>> = {
  bulk: 0.95,
  echo: 0.9,
  transfer: 0.85,
  // TLS: connections/s with each certificate type, and GB/s of one stream.
  "tls-handshake-ecdsa": 0.95,
  "tls-handshake-rsa": 0.95,
  "tls-bulk": 0.95,
};
/** FrameDecoder on 64-byte frames: at least this many times it-length-prefixed's frames/s. */
export const DECODER_VS_IT_LENGTH_PREFIXED = 3;
/** FrameDecoder on 64-byte frames: at least 10 M frames/s (the ratio's denominator). */
export const DECODER_FRAMES_PER_SECOND = 1e7;
/** A client on @netparity/sockets (web streams) against the same client on the adapter: bulk and echo. */
export const WINTERTC_ADAPTER_TARGET = 0.9;
/**
 * A row whose fixed peer used more than this many cores during the measured part is
 * peer-bound: the peer, not the program under test, set the pace, and its verdict is
 * inconclusive.
 */
export const PEER_BOUND_CORES = 0.8;

/** The reason a row is peer-bound, or null; `peerCores` is the peer's CPU seconds per wall second. */
export function peerBoundReason(peer: string, peerCores: number | null | undefined): string | null {
  if (peerCores === null || peerCores === undefined || peerCores <= PEER_BOUND_CORES) return null;
  return `peer-bound: the fixed peer (${peer}) used ${peerCores.toFixed(2)} cores (> ${PEER_BOUND_CORES})`;
}

/** The best adapter's bulk throughput against iperf3 on the same loopback. */
export const BULK_BEST_VS_IPERF3 = 0.8;

/**
 * A target verdict is never a point comparison: `met` when the whole 95 % interval of the
 * measured value lies at or above the target, `missed` when it lies below, `inconclusive`
 * when it straddles the target, when there is no interval (a single round), or when the
 * row's fixed peer was the bottleneck (its numbers then measure the peer). Nothing measured
 * is `missed`.
 */
export type TargetOutcome = "met" | "missed" | "inconclusive";

/**
 * A percentile-bootstrap interval from a handful of samples is too narrow (with 3 samples a
 * side it is about their min–max, which holds the median only 75 % of the time): a target is
 * met or missed only when each side has at least this many samples, and inconclusive below.
 */
export const MIN_VERDICT_SAMPLES = 5;

export interface TargetVerdict {
  target: number;
  verdict: TargetOutcome;
  /** verdict === "met", for readers of the first report schema. */
  met: boolean;
  /** Why the verdict is inconclusive when the interval alone would not say so. */
  reason?: string;
}

/**
 * Judges `measured` (with its 95 % interval `ci95`) against `target`.
 * @example judgeTarget(0.97, [0.96, 0.99], 0.95) // { target: 0.95, verdict: "met", met: true }
 * @example judgeTarget(0.97, [0.90, 0.99], 0.95) // verdict "inconclusive"
 */
export function judgeTarget(
  measured: number | null | undefined,
  ci95: readonly [number, number] | null | undefined,
  target: number,
  o: { peerBound?: string | null; samples?: number } = {},
): TargetVerdict {
  if (measured === null || measured === undefined || !Number.isFinite(measured))
    return { target, verdict: "missed", met: false };
  if (!ci95) return { target, verdict: "inconclusive", met: false, reason: "no interval: fewer than two rounds" };
  if (o.samples !== undefined && o.samples < MIN_VERDICT_SAMPLES)
    return {
      target,
      verdict: "inconclusive",
      met: false,
      reason: `${o.samples} rounds: a verdict needs at least ${MIN_VERDICT_SAMPLES}`,
    };
  const v = ((): TargetOutcome => {
    const [lo, hi] = ci95;
    if (lo >= target) return "met";
    if (hi < target) return "missed";
    return "inconclusive";
  })();
  if (o.peerBound) return { target, verdict: "inconclusive", met: false, reason: o.peerBound };
  return { target, verdict: v, met: v === "met" };
}

/** Met only when the count is exactly the target (e.g. 0 errors); a missing count never meets it. */
export function judgeCount(measured: number | null | undefined, target: number): TargetVerdict {
  const met = measured !== null && measured !== undefined && measured === target;
  return { target, verdict: met ? "met" : "missed", met };
}

/**
 * adapter/raw CPU cost, judged beside throughput: the ratio of the CPU seconds per unit the
 * program under test spent (adapter over raw, lower is better). A throughput target t (the
 * adapter moves at least t of raw's bytes per second) corresponds to a cost of at most 1/t of
 * raw's CPU per unit, so the cost target is 1/t: `met` when the whole interval lies at or
 * below it, `missed` when the whole interval lies above. The CPU cost of a program does not
 * depend on how fast its peer is (it is its service demand), so a peer-bound row is still
 * judged here.
 * @example judgeCpuCost(1.01, [0.98, 1.03], 0.95) // target 1.0526…, verdict "met"
 */
export function judgeCpuCost(
  measured: number | null | undefined,
  ci95: readonly [number, number] | null | undefined,
  throughputTarget: number,
  o: { samples?: number } = {},
): TargetVerdict {
  const target = 1 / throughputTarget;
  if (measured === null || measured === undefined || !Number.isFinite(measured))
    return { target, verdict: "inconclusive", met: false, reason: "no CPU time was read" };
  if (!ci95) return { target, verdict: "inconclusive", met: false, reason: "no interval: fewer than two rounds" };
  if (o.samples !== undefined && o.samples < MIN_VERDICT_SAMPLES)
    return {
      target,
      verdict: "inconclusive",
      met: false,
      reason: `${o.samples} rounds: a verdict needs at least ${MIN_VERDICT_SAMPLES}`,
    };
  const [lo, hi] = ci95;
  if (hi <= target) return { target, verdict: "met", met: true };
  if (lo > target) return { target, verdict: "missed", met: false };
  return { target, verdict: "inconclusive", met: false };
}

/**
 * One row's verdict from its throughput and CPU-cost verdicts: `met` when either is met and
 * neither is missed, `missed` when either is missed and neither is met, `inconclusive`
 * otherwise, with the reason when the two disagree (one met, the other missed).
 */
export function combineVerdicts(
  throughput: TargetVerdict,
  cpu: TargetVerdict | null,
): { verdict: TargetOutcome; met: boolean; reason?: string } {
  const vs = [throughput.verdict, cpu?.verdict ?? "inconclusive"];
  const anyMet = vs.includes("met");
  const anyMissed = vs.includes("missed");
  if (anyMet && anyMissed)
    return {
      verdict: "inconclusive",
      met: false,
      reason: `throughput ${throughput.verdict} but CPU cost ${cpu!.verdict}: the two measures disagree`,
    };
  if (anyMet) return { verdict: "met", met: true };
  if (anyMissed) return { verdict: "missed", met: false };
  const reasons = [throughput.reason, cpu?.reason ? `CPU cost: ${cpu.reason}` : undefined].filter(Boolean);
  return { verdict: "inconclusive", met: false, ...(reasons.length ? { reason: reasons.join("; ") } : {}) };
}
