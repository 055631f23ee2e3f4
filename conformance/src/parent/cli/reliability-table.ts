import type { RuntimeName } from "@netparity/protocol";
import { RELIABILITY_MARK, reliabilityLabel, reliabilityRows, type ReportReliability } from "../report/model.js";

/** The terminal table of the reliability section, plus one line per result that is not a pass. */
export function renderReliabilityTable(rows: ReportReliability[], runtimes: RuntimeName[], paint: { green(s: string): string; red(s: string): string; dim(s: string): string; bold(s: string): string }): string {
  if (!rows.length) return "";
  const table = reliabilityRows(rows);
  const w = Math.max(...table.map((t) => t.id.length)) + 2;
  const colW = 16;
  const out = [paint.bold("reliability") + paint.dim("   rows: case, columns: server runtime (clients of the same runtime or raw ones)")];
  out.push("  " + "case".padEnd(w) + runtimes.map((r) => r.padEnd(colW)).join(""));
  for (const t of table) {
    const cells = runtimes.map((rt) => {
      const r = t.byRuntime.get(rt);
      if (!r) return "".padEnd(colW);
      const text = `${reliabilityLabel(r)} ${(r.durationMs / 1000).toFixed(1)}s`.padEnd(colW);
      return r.status === "pass" ? paint.green(text) : r.status === "unsupported" || r.verdict === "ok" ? paint.dim(text) : paint.red(text);
    });
    out.push("  " + t.id.padEnd(w) + cells.join(""));
  }
  for (const r of rows) {
    if (r.status === "pass") continue;
    const text = `  ${RELIABILITY_MARK[r.status]} ${r.id} on ${r.runtime}${r.expected?.issue ? ` (${r.expected.issue})` : ""}: ${r.detail}`;
    out.push(r.verdict === "ok" ? paint.dim(text) : paint.red(text));
  }
  out.push("");
  return out.join("\n");
}
