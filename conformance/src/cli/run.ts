import type { RuntimeName, Transport } from "@netparity/protocol";
import { runMatrix } from "../runner/matrix.js";
import { paint, renderProblems, renderTables, useColor } from "./table.js";

export interface RunOptions {
  runtimes: RuntimeName[];
  scenarios: string[];
  transports: Transport[];
  hosts: string[];
  json: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
  extra: Record<string, string | number | boolean>;
}

/** The conformance matrix: exit 0 when every supported cell passed, 1 otherwise. */
export async function run(o: RunOptions): Promise<number> {
  const color = useColor(process.stdout);
  const c = paint(color);
  const progress = process.stderr.isTTY && !o.json;
  const t0 = performance.now();
  const { runtimes, cells } = await runMatrix({
    runtimes: o.runtimes,
    scenarios: o.scenarios,
    transports: o.transports,
    hosts: o.hosts,
    binaries: o.binaries,
    extra: o.extra,
    onStart: (label, i, total) => {
      if (progress) process.stderr.write(`\r\x1b[2K[${i + 1}/${total}] ${label}`);
    },
    onCell: (cell, i, total) => {
      if (!progress && !o.json) {
        process.stderr.write(`[${i + 1}/${total}] ${cell.scenario}/${cell.transport} ${cell.server}->${cell.client}: ${cell.status}\n`);
      }
    },
  });
  if (progress) process.stderr.write("\r\x1b[2K");
  const failed = cells.filter((x) => x.status === "fail" || x.status === "error");
  const passed = cells.filter((x) => x.status === "pass").length;
  const unsupported = cells.filter((x) => x.status === "unsupported").length;
  if (o.json) {
    process.stdout.write(JSON.stringify({ runtimes, cells }, null, 2) + "\n");
  } else {
    const out: string[] = [];
    out.push(c.bold("netparity conformance") + "  " + runtimes.map((r) => `${r.name} ${r.version}${r.error ? c.red(` (${r.error})`) : ""}`).join(", "));
    out.push("");
    out.push(renderTables(cells, o.runtimes, color));
    const problems = renderProblems(cells, color);
    if (problems) out.push(problems, "");
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    const summary = `${cells.length} cells: ${passed} passed, ${failed.length} failed, ${unsupported} unsupported (${secs} s)`;
    out.push(failed.length ? c.red(summary) : c.green(summary));
    process.stdout.write(out.join("\n") + "\n");
  }
  return failed.length ? 1 : 0;
}
