/**
 * Benchmark targets: a measured value held against the number the bench promises (adapter/raw
 * throughput ≥ 0.9, decoder ≥ 3× it-length-prefixed, no errors at 1000 connections...). The
 * targets themselves live with the workloads in bench/run.ts; the decision lives here.
 */

export interface TargetVerdict {
  target: number;
  met: boolean;
}

/** Met when the measured value reaches the target; a missing measurement never meets it. */
export function judgeTarget(measured: number | null | undefined, target: number): TargetVerdict {
  return { target, met: measured !== null && measured !== undefined && measured >= target };
}

/** Met only when the count is exactly the target (e.g. 0 errors); a missing count never meets it. */
export function judgeCount(measured: number | null | undefined, target: number): TargetVerdict {
  return { target, met: measured !== null && measured !== undefined && measured === target };
}
