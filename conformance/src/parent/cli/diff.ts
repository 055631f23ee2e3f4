/**
 * `netparity diff A B`: what changed between two reports (files or report directories).
 * Exit 0 when nothing changed, 1 when something did, 2 for a usage error (a path that is not
 * a readable netparity report, bad flags).
 */
import { diffReports, diffSummary, renderDiffMarkdown, versionSummary, type ReportDiff } from "../report/diff.js";
import { loadReport, ReportReadError } from "../report/load.js";
import { UsageError } from "../common/usage.js";
import { column, fitColumns, paint, tableWidth, useColor } from "./table.js";

export interface DiffOptions {
  a: string;
  b: string;
  format: "table" | "markdown" | "json";
}

function load(path: string) {
  try {
    return loadReport(path);
  } catch (e) {
    if (e instanceof ReportReadError) throw new UsageError(e.message);
    throw e;
  }
}

/** The diff as a terminal table, one row per change. */
export function renderDiffTable(d: ReportDiff, color: boolean, width: number): string {
  const c = paint(color);
  const out = [c.bold("netparity diff")];
  for (const k of ["a", "b"] as const) {
    const s = d[k];
    const faults = s.faults ? ` · clients through faults ${s.faults}` : "";
    out.push(`  ${k.toUpperCase()}  ${s.source}: ${s.runtimes.join(", ")} · ${s.machine} · ${s.generatedAt}${faults}`);
  }
  if (d.versionChanges.length) out.push(c.dim(`  versions: ${versionSummary(d)}`));
  out.push("");
  if (d.changes.length) {
    const mark = { changed: "≠", added: "+", removed: "-" } as const;
    const rows = d.changes.map((x) => [`${mark[x.change]} ${x.subject}`, x.id, x.on, x.a ?? "–", x.b ?? "–"]);
    const head = ["kind", "what", "on", "A", "B"];
    const natural = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)) + 1);
    const w = fitColumns(natural, width - 2);
    out.push(`  ${head.map((h, i) => column(h, w[i]!)).join("")}`);
    d.changes.forEach((x, n) => {
      const line = `  ${rows[n]!.map((v, i) => column(v, w[i]!)).join("")}`;
      out.push(x.change === "changed" ? c.red(line) : c.yellow(line));
      const why = [x.versions, x.detail].filter(Boolean).join("; ");
      if (why) out.push(c.dim(`      ${why.length > 200 ? `${why.slice(0, 199)}…` : why}`));
    });
    out.push("");
  }
  const summary = diffSummary(d);
  out.push(d.same ? c.green(summary) : c.red(summary));
  return `${out.join("\n")}\n`;
}

export function diff(o: DiffOptions): number {
  const a = load(o.a);
  const b = load(o.b);
  const d = diffReports(a.report, b.report, { a: a.file, b: b.file });
  if (o.format === "json") process.stdout.write(`${JSON.stringify(d, null, 2)}\n`);
  else if (o.format === "markdown") process.stdout.write(renderDiffMarkdown(d));
  else process.stdout.write(renderDiffTable(d, useColor(process.stdout), tableWidth()));
  return d.same ? 0 : 1;
}
