import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import { writeCertificates } from "../certs/generate.js";
import { requireReportDir, UsageError } from "../common/usage.js";
import { writeReportFiles } from "../report/index.js";
import { loadReport, ReportReadError } from "../report/load.js";
import type { Report, ReportRuntime } from "../report/model.js";
import {
  reportWithSocketsSpec,
  SOCKETS_SPEC_FILE,
  socketsSpecMarkdown,
  socketsSpecOk,
  socketsSpecSection,
} from "../report/sockets-spec.js";
import { runSocketsSpecIn, type SocketsSpecEvent, type SocketsSpecTarget } from "../runner/sockets-spec.js";
import { runtimeOf } from "../common/runtime-descriptors.js";
import { runtimeBinary, runtimeVersion } from "../runner/runtimes.js";
import { runtimeRuns } from "./preflight.js";
import { toolVersion } from "./version.js";

export interface SocketsSpecOptions {
  runtimes: RuntimeName[];
  /** Also run the suite on Node against @arrowood.dev/socket (the comparison row). */
  polyfill: boolean;
  json: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
  /**
   * Also write the results into this directory: sockets-spec.json, and report.json (with the
   * other report files) whose `socketsSpec` section holds them; a report.json already there
   * (from `run --report-dir`) keeps its cells, probes and bench and gains the section.
   */
  reportDir?: string;
  command?: string[];
}

/**
 * `netparity sockets-spec`: the WinterTC Sockets spec suite inside each runtime (and against the
 * polyfill), as a Markdown table with each implementation's deviations. Exit 0 when every
 * normative check passed for @netparity/sockets in every runtime (the polyfill's row is
 * information), 1 otherwise.
 */
export async function socketsSpec(o: SocketsSpecOptions): Promise<number> {
  const runtimes: RuntimeName[] = [];
  for (const rt of o.runtimes) {
    // An opt-in runtime (workerd) that is not here is skipped with one line, as in `run`.
    const missing = runtimeOf(rt).optional ? runtimeVersion(rt, o.binaries).error : undefined;
    if (missing) process.stderr.write(`netparity: ${rt} skipped: ${missing}\n`);
    else if (!runtimeRuns(rt, o.binaries)) return 1;
    else runtimes.push(rt);
  }
  let existing: Report | undefined;
  if (o.reportDir) {
    requireReportDir(o.reportDir);
    // Read before the suite runs: a report.json there that is not a report is a usage error now.
    const file = join(o.reportDir, "report.json");
    try {
      if (existsSync(file)) existing = loadReport(file).report;
    } catch (e) {
      if (e instanceof ReportReadError) throw new UsageError(e.message);
      throw e;
    }
  }
  const t0 = performance.now();
  const certs = await writeCertificates({ prefix: "netparity-sockets-spec-" });
  const events: SocketsSpecEvent[] = [];
  try {
    const targets: SocketsSpecTarget[] = [...runtimes, ...(o.polyfill ? (["polyfill"] as const) : [])];
    for (const t of targets) {
      process.stderr.write(`[sockets-spec] ${t === "polyfill" ? "@arrowood.dev/socket on node" : t}\n`);
      events.push(
        await runSocketsSpecIn(t, { ca: certs.ca, cert: certs.cert, key: certs.key }, { binaries: o.binaries }),
      );
    }
  } finally {
    await certs.remove();
  }
  process.stdout.write(o.json ? `${JSON.stringify(events, null, 2)}\n` : socketsSpecMarkdown(events));
  if (o.reportDir) {
    const section = socketsSpecSection(events);
    const runtimesOf: ReportRuntime[] = [...new Set(events.map((e) => e.runtime as RuntimeName))].map((name) => ({
      name,
      version: events.find((e) => e.runtime === name)?.version ?? "unknown",
      features: {},
      binary: runtimeBinary(name, o.binaries),
    }));
    const report = reportWithSocketsSpec(existing, section, {
      command: o.command ?? ["netparity", "sockets-spec"],
      toolVersion: toolVersion(),
      runtimes: runtimesOf,
      durationMs: performance.now() - t0,
    });
    mkdirSync(o.reportDir, { recursive: true });
    const specFile = join(o.reportDir, SOCKETS_SPEC_FILE);
    writeFileSync(specFile, `${JSON.stringify(section, null, 2)}\n`);
    for (const p of [specFile, ...writeReportFiles(o.reportDir, report)]) process.stderr.write(`wrote ${p}\n`);
  }
  return socketsSpecOk(events) ? 0 : 1;
}
