/** `netparity bench`: runs the benchmark, shows progress on stderr, writes bench.json + bench.md. */
import type { RuntimeName } from "@netparity/protocol";
import { UsageError } from "../common/usage.js";
import { renderMarkdown, writeReport } from "./report.js";
import { killAll } from "../process/harness.js";
import { runBench } from "./run.js";
import { WORKLOADS, type WorkloadName } from "./types.js";

/** --workloads: comma-separated names, or "all" (every workload, the opt-in ones included). */

export interface BenchCliOptions {
  quick: boolean;
  runtimes: RuntimeName[];
  workloads: WorkloadName[];
  rounds?: number | "auto";
  budgetSeconds?: number;
  target?: { host: string; port: number };
  reportDir?: string;
  json: boolean;
  pin: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
}

export function parseWorkloads(value: string): WorkloadName[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (list.length === 1 && list[0] === "all") return [...WORKLOADS];
  for (const w of list) {
    if (!(WORKLOADS as readonly string[]).includes(w))
      throw new UsageError(`unknown workload "${w}" (expected ${WORKLOADS.join(", ")} or all)`);
  }
  if (!list.length) throw new UsageError(`--workloads needs at least one of ${WORKLOADS.join(", ")}`);
  return [...new Set(list)] as WorkloadName[];
}

/** --target HOST:PORT (an IPv6 literal in brackets: [::1]:9000). */
export function parseTarget(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65533)
    throw new UsageError(`invalid target "${value}" (expected HOST:PORT, the base port of \`netparity serve bench\`)`);
  return { host: (m[1] ?? m[2])!, port };
}

/** --rounds: a positive number of rounds, or "auto". */
export function parseRounds(value: string): number | "auto" {
  if (value === "auto") return "auto";
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`invalid rounds "${value}" (expected a positive integer or "auto")`);
  return Number(value);
}

export async function bench(o: BenchCliOptions): Promise<number> {
  const tty = process.stderr.isTTY === true;
  // Ctrl-C: no measured program may outlive the bench.
  const onSignal = (sig: NodeJS.Signals): void => {
    killAll();
    if (tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(`netparity bench: stopped by ${sig}\n`);
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const report = await runBench({
      quick: o.quick,
      runtimes: o.runtimes,
      workloads: o.workloads,
      ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
      ...(o.budgetSeconds !== undefined ? { budgetSeconds: o.budgetSeconds } : {}),
      ...(o.target ? { target: o.target } : {}),
      pin: o.pin,
      binaries: o.binaries,
      progress: (line, final) => {
        if (tty) process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
        else if (final) process.stderr.write(`${line}\n`);
      },
    });
    if (tty) process.stderr.write("\r\x1b[2K");
    if (o.reportDir) {
      const files = writeReport(o.reportDir, report);
      process.stderr.write(
        `netparity bench: wrote ${files.json} and ${files.md}${files.merged.length ? `; added the results to ${files.merged.join(", ")}` : ""}\n`,
      );
    }
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderMarkdown(report)}\n`);
    return report.errors.length ? 1 : 0;
  } finally {
    killAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
