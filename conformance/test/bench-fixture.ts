/** A bench report around constructed workload rows, for tests of ratios and rendering (no process runs). */
import { computeRatios } from "../src/parent/bench/ratios.js";
import type { BenchReport, WorkloadResult } from "../src/parent/bench/types.js";

/**
 * Five rounds on a sample two-CPU machine; the ratios are computed from `workloads` unless
 * given (`[]` for none).
 */
export function constructedBenchReport(
  workloads: WorkloadResult[],
  o: { runtimes: Record<string, string>; fixedPeer: string; createdAt?: string; ratios?: BenchReport["ratios"] },
): BenchReport {
  return {
    schema: "netparity.bench/1",
    createdAt: o.createdAt ?? "2026-12-07T15:00:00Z",
    quick: false,
    rounds: 5,
    durationSeconds: 1,
    machine: {
      cpuCount: 2,
      cpuModel: "test",
      kernel: "6",
      loadAverageAtStart: [0, 0, 0],
      placement: "not pinned",
      runtimes: o.runtimes,
      fixedPeer: o.fixedPeer,
    },
    workloads,
    ratios: o.ratios ?? computeRatios(workloads),
    skipped: [],
    errors: [],
  };
}
