import { targetColumns, type TargetColumn } from "../common/targets.js";
import { RELIABILITY_MARK, reliabilityLabel, reliabilityRows, type ReportReliability } from "../report/model.js";
import { TABLE_WIDTH, clip, column, fitColumns } from "./table.js";

/** The terminal table of the reliability section, plus one line per result that is not a pass. */
export function renderReliabilityTable(
  rows: ReportReliability[],
  targets: readonly TargetColumn[],
  paint: { green(s: string): string; red(s: string): string; dim(s: string): string; bold(s: string): string },
  width = TABLE_WIDTH,
): string {
  if (!rows.length) return "";
  const { labels: runtimes, labelOf } = targetColumns(targets);
  // Each case's result per column label ("node", or "node 22.23.3" with several versions of node).
  const table = reliabilityRows(rows).map((t) => ({
    id: t.id,
    byRuntime: new Map(t.all.map((r) => [labelOf(r.runtime, r.version), r])),
  }));
  const label = (r: ReportReliability): string => `${reliabilityLabel(r)} ${(r.durationMs / 1000).toFixed(1)}s`;
  const natural = [
    Math.max(4, ...table.map((t) => t.id.length)) + 2,
    ...runtimes.map(
      (rt) =>
        Math.max(rt.length, ...table.map((t) => (t.byRuntime.has(rt) ? label(t.byRuntime.get(rt)!).length : 0))) + 2,
    ),
  ];
  const [w = 0, ...colW] = fitColumns(natural, width - 2);
  const out = [
    paint.bold("reliability") +
      paint.dim(
        clip(
          "   rows: case, columns: server runtime (clients of the same runtime or raw ones)",
          width - "reliability".length,
        ),
      ),
  ];
  out.push(`  ${column("case", w)}${runtimes.map((r, i) => column(r, colW[i] ?? 0)).join("")}`);
  for (const t of table) {
    const cells = runtimes.map((rt, i) => {
      const r = t.byRuntime.get(rt);
      const text = column(r ? label(r) : "", colW[i] ?? 0);
      if (!r) return text;
      return r.status === "pass"
        ? paint.green(text)
        : r.status === "unsupported" || r.verdict === "ok"
          ? paint.dim(text)
          : paint.red(text);
    });
    out.push(`  ${column(t.id, w)}${cells.join("")}`);
  }
  // The details are cut to the width here; report.md, report.html and junit.xml keep them whole.
  for (const r of rows) {
    if (r.status === "pass") continue;
    const text = clip(
      `  ${RELIABILITY_MARK[r.status]} ${r.id} on ${labelOf(r.runtime, r.version)}${r.expected?.issue ? ` (${r.expected.issue})` : ""}: ${r.detail}`,
      width,
    );
    out.push(r.verdict === "ok" ? paint.dim(text) : paint.red(text));
  }
  out.push("");
  return out.join("\n");
}
