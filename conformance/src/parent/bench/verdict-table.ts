/**
 * The verdict table of a bench report: each target with its throughput ratio and, for
 * adapter/raw, its CPU-cost ratio, both with their paired intervals and verdicts, the row's
 * verdict, and why a row is peer-bound or unstable. Rendered as Markdown (bench.md and the
 * terminal) and handed to report.html as data.
 */
import type { BenchVerdictRow } from "../report/model.js";
import type { BenchReport, Ratio, WorkloadResult } from "./types.js";
import { fmtCount } from "../common/stats.js";

const MARK = { met: "✔ met", missed: "✘ missed", inconclusive: "? inconclusive" } as const;

function f2(n: number | null | undefined): string {
  return typeof n === "number" && Number.isFinite(n) ? n.toFixed(2) : "–";
}

function withCi(ratio: number | null | undefined, ci: readonly [number, number] | null | undefined): string {
  return `${f2(ratio)}${ci ? ` [${f2(ci[0])}, ${f2(ci[1])}]` : ""}`;
}

/** The rows report.html shows: one per target. */
export function verdictRows(report: BenchReport): BenchVerdictRow[] {
  return report.ratios
    .filter((r): r is Ratio & { target: number } => r.target !== undefined)
    .map((r) => ({
      name: r.name,
      runtime: r.runtime,
      role: r.role,
      target: r.target,
      ratio: r.ratio,
      ci95: r.ci95,
      paired: r.paired !== undefined,
      throughputVerdict: r.throughputVerdict ?? r.verdict ?? "inconclusive",
      ...(r.cpu
        ? {
            cpu: {
              ratio: r.cpu.ratio,
              ci95: r.cpu.ci95,
              target: r.cpu.target,
              verdict: r.cpu.verdict,
              unit: r.cpu.unit,
            },
          }
        : {}),
      verdict: r.verdict ?? "inconclusive",
      notes: notes(r),
    }));
}

function notes(r: Ratio): string[] {
  const out: string[] = [];
  if (r.throughputReason) out.push(`throughput: ${r.throughputReason}`);
  if (r.reason && r.reason !== r.throughputReason) out.push(r.reason);
  if (r.unstable) out.push(`unstable: ${r.unstable}`);
  return out;
}

/** Markdown: every target, throughput and CPU cost side by side. */
export function verdictTable(report: BenchReport): string[] {
  const rows = verdictRows(report);
  if (!rows.length) return [];
  const out = [
    "| target | runtime | role | ratio [95% CI] | throughput | CPU-cost ratio [CI] (≤ target) | CPU cost | row | notes |",
    "|---|---|---|---:|---|---:|---|---|---|",
  ];
  for (const r of rows) {
    out.push(
      `| ${r.name} ≥ ${r.target} | ${r.runtime} | ${r.role} | ${withCi(r.ratio, r.ci95)}${r.paired ? " (paired)" : ""} | ${MARK[r.throughputVerdict]} | ${
        r.cpu ? `${withCi(r.cpu.ratio, r.cpu.ci95)} (≤ ${f2(r.cpu.target)})` : "–"
      } | ${r.cpu ? MARK[r.cpu.verdict] : "–"} | **${MARK[r.verdict]}** | ${r.notes.join("; ").replace(/\|/g, "/") || "–"} |`,
    );
  }
  return out;
}

/** Markdown: the unstable rows of a workload, with their samples in round order. */
export function unstableLines(w: WorkloadResult, fmt: (n: number) => string): string[] {
  const rows = w.results.filter((r) => r.unstable);
  if (!rows.length) return [];
  return [
    "Unstable rows (samples in round order, with the program's minor page faults per unit where /proc gave them; a row whose samples spread more than 2× or trend across the rounds is not one steady measurement, and its ratios say so):",
    "",
    ...rows.map((r) => {
      const round = (i: number): number => r.rounds?.[i] ?? i + 1;
      const f = r.minorFaultsPer;
      const perRound = (xs: Array<number | null>): string =>
        xs.map((x, i) => `${round(i)}: ${x === null ? "–" : fmtCount(x)}`).join(", ");
      const faults = f
        ? `; minor page faults per ${f.unit} ${perRound(f.selfSamples)}${f.peerSamples.some((x) => x !== null) ? `, its peer's ${perRound(f.peerSamples)}` : ""}`
        : "";
      return `- ${r.runtime} ${r.impl}${r.role === "decoder" ? "" : ` as ${r.role}`}: ${r.unstable}; samples ${r.samples
        .map((x, i) => `${round(i)}: ${fmt(x)}`)
        .join(", ")}${faults}`;
    }),
    "",
  ];
}
