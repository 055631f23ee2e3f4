/**
 * The reliability section's renderings: the terminal table, report.md and report.html.
 * Its verdicts come from verdict/ (judgeReliability).
 */
import type { RuntimeName } from "@netparity/protocol";
import type { JudgedReliability as ReportReliability } from "../verdict/index.js";
import type { ReliabilityResult } from "./types.js";

const MARK: Record<ReliabilityResult["status"], string> = { pass: "pass", fail: "FAIL", error: "ERROR", unsupported: "unsupported" };

/** Rows: case ids in catalogue order; columns: runtimes. */
export function reliabilityRows(rows: ReportReliability[]): Array<{ id: string; title: string; byRuntime: Map<RuntimeName, ReportReliability> }> {
  const out = new Map<string, { id: string; title: string; byRuntime: Map<RuntimeName, ReportReliability> }>();
  for (const r of rows) {
    const row = out.get(r.id) ?? out.set(r.id, { id: r.id, title: r.title, byRuntime: new Map() }).get(r.id)!;
    row.byRuntime.set(r.runtime, r);
  }
  return [...out.values()];
}

function label(r: ReportReliability): string {
  const known = r.verdict === "ok" && (r.status === "fail" || r.status === "error");
  return known ? `${MARK[r.status]} (known)` : r.verdict === "ok" ? MARK[r.status] : `${MARK[r.status]} !`;
}

/** The terminal table, plus one line per result that is not a pass. */
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
      const text = `${label(r)} ${(r.durationMs / 1000).toFixed(1)}s`.padEnd(colW);
      return r.status === "pass" ? paint.green(text) : r.status === "unsupported" || r.verdict === "ok" ? paint.dim(text) : paint.red(text);
    });
    out.push("  " + t.id.padEnd(w) + cells.join(""));
  }
  for (const r of rows) {
    if (r.status === "pass") continue;
    const text = `  ${MARK[r.status]} ${r.id} on ${r.runtime}${r.expected?.issue ? ` (${r.expected.issue})` : ""}: ${r.detail}`;
    out.push(r.verdict === "ok" ? paint.dim(text) : paint.red(text));
  }
  out.push("");
  return out.join("\n");
}

/** report.md: the case × runtime table and why anything did not pass. */
export function reliabilityMarkdown(rows: ReportReliability[], runtimes: RuntimeName[], cell: (s: string) => string): string[] {
  if (!rows.length) return [];
  const rts = runtimes.filter((rt) => rows.some((r) => r.runtime === rt));
  const out = ["### Reliability", "", "Bad input, faults, load and lifecycle, case × runtime (the runtime's server; clients of the same runtime where one is used). ✅ pass · ❌ fail · ➖ unsupported.", ""];
  out.push(`| case | ${rts.join(" | ")} |`, `|---|${rts.map(() => "---").join("|")}|`);
  for (const t of reliabilityRows(rows)) {
    const cells = rts.map((rt) => {
      const r = t.byRuntime.get(rt);
      if (!r) return " ";
      const m = r.status === "pass" ? "✅" : r.status === "unsupported" ? "➖" : r.verdict === "ok" ? (r.expected?.issue ? `❌ [known](${r.expected.issue})` : "❌ (known)") : "❌";
      return `${m}${r.verdict !== "ok" && r.status === "pass" ? " (unexpected pass)" : ""}`;
    });
    out.push(`| \`${t.id}\` ${cell(t.title)} | ${cells.join(" | ")} |`);
  }
  out.push("");
  const bad = rows.filter((r) => r.status !== "pass");
  if (bad.length) {
    out.push("<details><summary>Why reliability cases did not pass</summary>", "");
    for (const r of bad) out.push(`- \`${r.id}\` on ${r.runtime}: ${r.status}${r.expected?.issue ? ` ([issue](${r.expected.issue}))` : ""}: ${cell(r.detail)}`);
    out.push("", "</details>", "");
  }
  return out;
}

/** report.html: the same table as a section. */
export function reliabilityHtml(rows: ReportReliability[], runtimes: RuntimeName[], esc: (s: string) => string): string {
  if (!rows.length) return "";
  const rts = runtimes.filter((rt) => rows.some((r) => r.runtime === rt));
  const out = [`<h2 id="reliability">Reliability</h2>`, `<p class="notes">Bad input, faults, load and lifecycle: each case against each runtime's server (and its client where one is used).</p>`];
  out.push(`<table class="reliability"><thead><tr><th>case</th>${rts.map((rt) => `<th>${esc(rt)}</th>`).join("")}</tr></thead><tbody>`);
  for (const t of reliabilityRows(rows)) {
    const cells = rts.map((rt) => {
      const r = t.byRuntime.get(rt);
      if (!r) return "<td></td>";
      const cls = r.status === "pass" ? "pass" : r.status === "unsupported" ? "unsupported" : "fail";
      const bg = r.status === "pass" ? "#dafbe1" : r.status === "unsupported" || r.verdict === "ok" ? "#f3f4f6" : "#ffebe9";
      const issue = r.expected?.issue ? ` <a href="${esc(r.expected.issue)}">issue</a>` : "";
      return `<td class="${cls}" style="background:${bg};padding:4px 8px" title="${esc(r.detail)}">${esc(label(r))} <span class="notes">${(r.durationMs / 1000).toFixed(1)} s</span>${issue}</td>`;
    });
    out.push(`<tr><td><code>${esc(t.id)}</code><br><span class="notes">${esc(t.title)}</span></td>${cells.join("")}</tr>`);
  }
  out.push("</tbody></table>");
  return out.join("\n");
}
