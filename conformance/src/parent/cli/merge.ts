/**
 * `netparity merge DIR... --report-dir OUT`: one report from several runs (other runtime
 * versions, machines, operating systems), written as the four report files. Exit 0 when the
 * files were written, 2 for a usage error (a path that is not a netparity report).
 */
import { writeReportFiles } from "../report/index.js";
import { loadReport, ReportReadError } from "../report/load.js";
import { mergeReports } from "../report/merge.js";
import { probeMatrix } from "../report/columns.js";
import { requireReportDir, UsageError } from "../common/usage.js";
import type { Report } from "../report/model.js";
import { paint, useColor } from "./table.js";

export interface MergeOptions {
  inputs: string[];
  reportDir: string;
  toolVersion: string;
  command: string[];
}

export function merge(o: MergeOptions): number {
  if (!o.inputs.length) throw new UsageError("merge needs at least one report directory or report.json");
  const inputs = o.inputs.map((path) => {
    try {
      const { report, file } = loadReport(path);
      return { report, source: file };
    } catch (e) {
      if (e instanceof ReportReadError) throw new UsageError(e.message);
      throw e;
    }
  });
  requireReportDir(o.reportDir);
  const merged = mergeReports(dropDuplicates(inputs), { command: o.command, toolVersion: o.toolVersion });
  const written = writeReportFiles(o.reportDir, merged);
  const c = paint(useColor(process.stdout));
  const out = [c.bold(`netparity merge: ${merged.runs!.length} runs`)];
  for (const run of merged.runs!)
    out.push(
      `  ${run.id}: ${run.runtimes.map((x) => `${x.name} ${x.version}`).join(", ")} · ${run.machine.os} ${run.machine.arch} · ${run.summary.cells.pass}/${run.summary.cells.total} cells pass${run.summary.ok ? "" : c.red(" · not ok")}`,
    );
  const changed = probeMatrix(merged).rows.filter((x) => x.changed);
  if (changed.length) {
    out.push("", c.yellow(`probes whose outcome changed between versions or runs of a runtime: ${changed.length}`));
    for (const row of changed.slice(0, 20)) out.push(c.yellow(`  ${row.id} (${row.changedIn.join(", ")})`));
    if (changed.length > 20) out.push(c.dim(`  … and ${changed.length - 20} more (see report.md)`));
  }
  out.push("");
  for (const p of written) out.push(c.dim(`wrote ${p}`));
  process.stdout.write(`${out.join("\n")}\n`);
  return 0;
}

/** What makes a run the same run wherever its report.json was copied: when, what, where. */
function runIdentity(r: Pick<Report, "generatedAt" | "command" | "machine" | "runtimes">): string {
  const m = r.machine;
  const rts = r.runtimes.map((x) => `${x.name}@${x.version}:${x.binary}`);
  return JSON.stringify([r.generatedAt, r.command, m.os, m.arch, m.kernel, m.cpuModel, rts]);
}

/**
 * The same run given twice (`merge r1 r1`, or a copy of its report) would count every result
 * twice. Each run is merged once and the repeats are named on stderr; a merged report given
 * with one of its own runs counts as that run again.
 */
function dropDuplicates(inputs: Array<{ report: Report; source: string }>): Array<{ report: Report; source: string }> {
  const seen = new Map<string, string>();
  const kept: Array<{ report: Report; source: string }> = [];
  for (const input of inputs) {
    const ids = input.report.runs?.length ? input.report.runs.map(runIdentity) : [runIdentity(input.report)];
    const first = ids.map((id) => seen.get(id)).find((s) => s !== undefined);
    if (first !== undefined && !ids.every((id) => seen.has(id)))
      throw new UsageError(
        `${input.source} holds a run of ${first} and other runs too: give each run once (its own report)`,
      );
    if (first !== undefined) {
      process.stderr.write(`netparity: ${input.source} repeats a run of ${first}: merged once\n`);
      continue;
    }
    for (const id of ids) seen.set(id, input.source);
    kept.push(input);
  }
  return kept;
}
