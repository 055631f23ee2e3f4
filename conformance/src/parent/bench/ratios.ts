/**
 * The ratios the summary is about (adapter/raw, adapter/python-threads, framedecoder against
 * the other decoders, best adapter/iperf3, errors at 1000 clients), each with its target where
 * the project set one.
 */
import {
  ADAPTER_RAW_TARGETS,
  BULK_BEST_VS_IPERF3,
  WINTERTC_ADAPTER_TARGET,
  DECODER_FRAMES_PER_SECOND,
  DECODER_VS_IT_LENGTH_PREFIXED,
  judgeCount,
  judgeTarget,
} from "../verdict/targets.js";
import type { ResultEntry, Ratio, WorkloadResult } from "./types.js";

export function computeRatios(workloads: WorkloadResult[]): Ratio[] {
  const ratios: Ratio[] = [];
  const find = (w: WorkloadResult, runtime: string, role: string, impl: string): ResultEntry | undefined =>
    w.results.find((r) => r.runtime === runtime && r.role === role && r.impl === impl);
  const r = (a: number | undefined, b: number | undefined): number | null => (a && b ? a / b : null);
  for (const w of workloads) {
    if (w.name.startsWith("decoder")) {
      for (const rt of new Set(w.results.map((x) => x.runtime))) {
        const ours = find(w, rt, "decoder", "framedecoder")?.median;
        const is64 = w.name === "decoder-64";
        const v = r(ours, find(w, rt, "decoder", "it-length-prefixed")?.median);
        ratios.push({
          name: `${w.name} framedecoder/it-length-prefixed`,
          workload: w.name,
          runtime: rt,
          role: "decoder",
          numerator: "framedecoder",
          denominator: "it-length-prefixed",
          ratio: v,
          ...(is64 ? judgeTarget(v, DECODER_VS_IT_LENGTH_PREFIXED) : {}),
        });
        ratios.push({
          name: `${w.name} framedecoder/naive`,
          workload: w.name,
          runtime: rt,
          role: "decoder",
          numerator: "framedecoder",
          denominator: "naive",
          ratio: r(ours, find(w, rt, "decoder", "naive")?.median),
        });
        if (is64 && ours !== undefined) {
          ratios.push({
            name: `${w.name} framedecoder frames/s / 10M`,
            workload: w.name,
            runtime: rt,
            role: "decoder",
            numerator: "framedecoder",
            denominator: "10M frames/s",
            ratio: ours / DECODER_FRAMES_PER_SECOND,
            ...judgeTarget(ours / DECODER_FRAMES_PER_SECOND, 1),
          });
        }
      }
      continue;
    }
    if (w.name.startsWith("wintertc-")) {
      for (const rt of ["node", "bun", "deno"]) {
        const v = r(find(w, rt, "client", "wintertc")?.median, find(w, rt, "client", "adapter")?.median);
        if (v === null && !find(w, rt, "client", "adapter")) continue;
        ratios.push({
          name: `${w.name} wintertc/adapter`,
          workload: w.name,
          runtime: rt,
          role: "client",
          numerator: "wintertc",
          denominator: "adapter",
          ratio: v,
          ...judgeTarget(v, WINTERTC_ADAPTER_TARGET),
        });
      }
      continue;
    }
    for (const rt of ["node", "bun", "deno"]) {
      for (const role of ["server", "client"]) {
        const a = find(w, rt, role, "adapter");
        const b = find(w, rt, role, "raw");
        if (!a || !b) continue;
        const target = ADAPTER_RAW_TARGETS[w.name];
        const v = r(a.median, b.median);
        ratios.push({
          name: `${w.name} adapter/raw`,
          workload: w.name,
          runtime: rt,
          role,
          numerator: "adapter",
          denominator: "raw",
          ratio: v,
          ...(target ? judgeTarget(v, target) : {}),
        });
        if (role === "server") {
          const py = find(w, "python", "server", "python-threads");
          if (py)
            ratios.push({
              name: `${w.name} adapter/python-threads`,
              workload: w.name,
              runtime: rt,
              role,
              numerator: "adapter",
              denominator: "python-threads",
              ratio: r(a.median, py.median),
            });
        }
      }
      if (w.name === "concurrency-1000") {
        const a = find(w, rt, "server", "adapter");
        if (a)
          ratios.push({
            name: "concurrency-1000 errors (adapter server)",
            workload: w.name,
            runtime: rt,
            role: "server",
            numerator: "errors",
            denominator: "",
            ratio: a.errors ?? null,
            ...judgeCount(a.errors, 0),
          });
      }
    }
    if (w.name === "bulk") {
      const ip = find(w, "iperf3", "server", "iperf3");
      const adapters = w.results.filter((x) => x.impl === "adapter");
      if (ip && adapters.length) {
        const best = adapters.reduce((a, b) => (b.median > a.median ? b : a));
        const v = best.median / ip.median;
        ratios.push({
          name: "bulk best adapter/iperf3",
          workload: "bulk",
          runtime: best.runtime,
          role: best.role,
          numerator: "adapter",
          denominator: "iperf3",
          ratio: v,
          ...judgeTarget(v, BULK_BEST_VS_IPERF3),
        });
        for (const x of adapters) {
          if (x === best) continue;
          ratios.push({
            name: "bulk adapter/iperf3",
            workload: "bulk",
            runtime: x.runtime,
            role: x.role,
            numerator: "adapter",
            denominator: "iperf3",
            ratio: x.median / ip.median,
          });
        }
      }
    }
  }
  return ratios;
}
