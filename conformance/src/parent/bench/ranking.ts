/**
 * "Which runtime to deploy": per workload and role, the runtimes' adapter rows (what a
 * netparity program runs), each end on its API (`bun`, `bun+node`, `workerd+wintertc`), or the
 * rows the workload's descriptor ranks (`rankImpl`: a facade's, the frame decoder's), ranked
 * by their medians, each with its ratio to the best and that ratio's 95 % bootstrap interval. A runtime whose interval reaches the best (ratio interval
 * containing 1) is a tie with it: the run cannot tell them apart (so is every runtime of a
 * single-round run, which has no interval).
 */
import { bootstrapRatio, seedOf } from "../common/stats.js";
import type { RankingEntry, WorkloadResult } from "./types.js";
import { baseRuntime, measuredRuntimeOrder } from "./ends.js";
import { workloadOfReport } from "./workloads/index.js";

export function computeRanking(workloads: WorkloadResult[], versions: Record<string, string>): RankingEntry[] {
  const out: RankingEntry[] = [];
  for (const w of workloads) {
    // A facade workload ranks the clients on the facade (their adapter rows repeat bulk's and echo's).
    const impl = workloadOfReport(w.name)?.rankImpl ?? "adapter";
    const ends = new Set(measuredRuntimeOrder(w.results.map((r) => r.runtime)));
    for (const role of ["server", "client", "decoder"] as const) {
      const rows = w.results.filter((r) => r.role === role && r.impl === impl && ends.has(r.runtime));
      if (rows.length < 2) continue;
      const better = (a: number, b: number): boolean => (w.higherIsBetter ? a > b : a < b);
      const best = rows.reduce((a, b) => (better(b.median, a.median) ? b : a));
      const sorted = [...rows].sort((a, b) => (w.higherIsBetter ? b.median - a.median : a.median - b.median));
      out.push({
        workload: w.name,
        role,
        unit: w.unit,
        higherIsBetter: w.higherIsBetter,
        rows: sorted.map((r, i) => {
          // Ratio "as good as the best": value / best when higher is better, best / value otherwise.
          const [num, den] = w.higherIsBetter ? [r, best] : [best, r];
          const ratio = den.median ? num.median / den.median : null;
          const ci95 =
            r === best
              ? null
              : bootstrapRatio(num.samples, den.samples, { seed: seedOf(`${w.name}|${role}|${r.runtime}`) });
          return {
            rank: i + 1,
            runtime: r.runtime,
            version: versions[r.runtime] ?? versions[baseRuntime(r.runtime)] ?? null,
            median: r.median,
            ci95Median: r.ci95,
            ratioToBest: ratio,
            ci95: ci95,
            standing: r === best ? "best" : !ci95 || ci95[1] >= 1 ? "tie" : "behind",
            cpuSecondsPer: r.cpuSecondsPer?.self ?? null,
            cpuUnit: r.cpuSecondsPer?.unit ?? null,
            ...(r.peerBound ? { peerBound: true } : {}),
          };
        }),
      });
    }
  }
  return out;
}
