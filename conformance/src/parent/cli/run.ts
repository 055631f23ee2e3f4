import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeName, Transport } from "@netparity/protocol";
import { formatFaults, hasUdpFaults, startFaultProxy, type FaultSpec } from "../faults/index.js";
import { runReliability, selectCases, type ReliabilityResult } from "../reliability/run.js";
import {
  judgeRun,
  loadExpectations,
  updateReliabilityExpectations,
  updatedExpectations,
  writeExpectations,
  type Expectations,
  type Selection,
} from "../verdict/index.js";
import { writeReportFiles } from "../report/index.js";
import { benchSection } from "../bench/report.js";
import type { BenchReport } from "../bench/types.js";
import { buildReport, type ReportSocketsSpec } from "../report/model.js";
import { SOCKETS_SPEC_FILE } from "../report/sockets-spec.js";
import { runMatrix, targetBinaries } from "../runner/matrix.js";
import type { ApiName } from "../../in-runtime/common/apis.js";
import { allProbes, probeApiOf, probeFamily, runProbesIn, type RuntimeProbes } from "../runner/probes.js";
import { requireCells, requireFaultsApply, transportsWithCells } from "./selection.js";
import { PACKAGE_ROOT, runtimeBinary } from "../runner/runtimes.js";
import { toolVersion } from "./version.js";
import { renderReliabilityTable } from "./reliability-table.js";
import { renderControlsTable } from "./controls-table.js";
import { renderNodeApiTable } from "./node-api-table.js";
import { nodeApiComparison } from "../report/node-api.js";
import { runControls, type ControlDef, type ControlRun } from "../runner/controls.js";
import {
  paint,
  renderExpectationDiff,
  renderProbeTable,
  renderProblems,
  renderTables,
  tableWidth,
  useColor,
} from "./table.js";
import { requireReportDir, UsageError } from "../common/usage.js";
import { offersEnd } from "../common/runtime-descriptors.js";
import { apiSuffix, targetLabeler, type RuntimeTarget } from "../common/targets.js";

export const DEFAULT_EXPECTATIONS_DIR = join(PACKAGE_ROOT, "expectations");

export interface RunOptions {
  /** Runtime targets: a runtime may appear in several versions. */
  runtimes: RuntimeTarget[];
  scenarios: string[];
  transports: Transport[];
  /**
   * APIs of the cells' ends (default ["native"]): "node" adds ends on node:* (`bun+node`),
   * `wintertc` clients on @netparity/sockets; see runner/matrix.ts.
   */
  apis?: ApiName[];
  hosts: string[];
  json: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
  extra: Record<string, string | number | boolean>;
  /** Write report.json, report.md, junit.xml and report.html here. */
  reportDir?: string;
  /** Where the expectation files are; null: do not compare. */
  expectationsDir?: string | null;
  /** Rewrite the expectation files from this run's results. */
  updateExpectations?: boolean;
  /** Probe ids to run; undefined: the whole catalogue; []: none. */
  probes?: string[];
  /** Reliability case ids to run; undefined: the whole catalogue; []: none. */
  reliability?: string[];
  /** Route every client through a fault proxy with these faults (`--faults`). */
  faults?: FaultSpec;
  /** The command line, recorded in the report. */
  command?: string[];
  /**
   * Negative controls to run (`--negative-controls`: the whole catalogue, CONTROLS): each
   * client of the selection against a wrong server; one not detected fails the run.
   */
  controls?: readonly ControlDef[];
}

/**
 * The conformance matrix and the behaviour probes, compared with the expectations.
 * Exit 0 when every result matches them (without expectations: when no cell failed),
 * 1 otherwise; expectation files that cannot be read are a usage error (2).
 */
export async function run(o: RunOptions): Promise<number> {
  const color = useColor(process.stdout);
  const c = paint(color);
  const tty = Boolean(process.stderr.isTTY) && !o.json;
  const lines = !process.stderr.isTTY && !o.json;
  const progress = (text: string): void => {
    if (tty) process.stderr.write(`\r\x1b[2K${text.slice(0, (process.stderr.columns || 100) - 1)}`);
  };
  const t0 = performance.now();

  const names: RuntimeName[] = [...new Set(o.runtimes.map((t) => t.name))];
  const expDir = o.expectationsDir === undefined ? DEFAULT_EXPECTATIONS_DIR : o.expectationsDir;
  let expectations: Expectations | null = null;
  if (expDir !== null) {
    try {
      expectations = loadExpectations(expDir, names);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  }
  requireCells(o.scenarios, o.transports);
  if (o.reportDir) requireReportDir(o.reportDir);
  if (o.faults) requireFaultsApply(o.faults, transportsWithCells(o.scenarios, o.transports));
  // Probe families by API: the catalogue (native), `nodeapi.*` (node) and `wintertc.*` (wintertc),
  // as --apis selects them for each runtime (workerd's native is its wintertc: probeApiOf).
  const allProbeIds = allProbes().map((p) => p.id);
  const unknown = (o.probes ?? []).filter((id) => !allProbeIds.includes(id));
  if (unknown.length) throw new UsageError(`unknown probe ${unknown.join(", ")} (expected ${allProbeIds.join(", ")})`);
  const familiesOf = (name: RuntimeName): ApiName[] =>
    [
      ...new Set(
        (o.apis ?? ["native"]).flatMap((a) => {
          const on = probeApiOf(name, a);
          return on ? [on] : [];
        }),
      ),
    ].filter((a) => probeFamily(a).some((p) => !o.probes?.length || o.probes.includes(p.id)));
  const families = [...new Set(names.flatMap(familiesOf))];
  const selectedProbeIds = families.flatMap((a) =>
    probeFamily(a)
      .map((p) => p.id)
      .filter((id) => !o.probes?.length || o.probes.includes(id)),
  );
  const wantReliability = o.reliability === undefined || o.reliability.length > 0;
  let cases: ReturnType<typeof selectCases> = [];
  try {
    if (wantReliability) cases = selectCases(o.reliability);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const faults = o.faults;

  const label = targetLabeler(o.runtimes);
  const { runtimes, cells } = await runMatrix({
    runtimes: o.runtimes,
    scenarios: o.scenarios,
    transports: o.transports,
    ...(o.apis ? { apis: o.apis } : {}),
    hosts: o.hosts,
    binaries: o.binaries,
    // --faults: every client goes through the fault proxy; UDP clients are told the path is lossy,
    // and a black hole ends each client at 10 s instead of the default 120 s.
    extra: faults && hasUdpFaults(faults) ? { ...o.extra, lossy: true } : o.extra,
    ...(faults ? { via: (server) => startFaultProxy(server, faults) } : {}),
    ...(faults?.blackhole ? { clientTimeoutMs: 10_000 } : {}),
    onStart: (label, i, total) => progress(`[${i + 1}/${total}] ${label}`),
    onCell: (cell, i, total) => {
      if (lines)
        process.stderr.write(
          `[${i + 1}/${total}] ${cell.scenario}/${cell.transport}${cell.host.includes(":") ? "6" : ""} ${label(cell.server, cell.serverVersion)}${apiSuffix(cell.serverApi)}->${label(cell.client, cell.clientVersion)}${apiSuffix(cell.api)}: ${cell.status}\n`,
        );
    },
  });

  let controlRuns: ControlRun[] | undefined;
  if (o.controls) {
    const tc = performance.now();
    controlRuns = await runControls({
      runtimes: o.runtimes,
      scenarios: o.scenarios,
      transports: o.transports,
      binaries: o.binaries,
      extra: o.extra,
      infos: runtimes,
      catalogue: o.controls,
      onStart: (label, i, total) => progress(`[${i + 1}/${total}] ${label}`),
      onControl: (r, i, total) => {
        if (lines)
          process.stderr.write(
            `[${i + 1}/${total}] control ${r.scenario}/${r.transport} ${label(r.runtime, r.version)} (${r.mutation}): ${r.cell.status}\n`,
          );
      },
    });
    if (lines)
      process.stderr.write(
        `[controls] ${controlRuns.length} controls in ${((performance.now() - tc) / 1000).toFixed(1)} s\n`,
      );
  }

  // The reliability cases need a server in the runtime itself: not in a runtime whose descriptor
  // offers no server end (workerd); its probes are the `wintertc.*` family, peers served from Node.
  const serving = runtimes.filter((i) => offersEnd(i.name, "server"));
  const clientOnly = runtimes.filter((i) => !serving.includes(i)).map((i) => i.name);
  if (clientOnly.length && wantReliability)
    process.stderr.write(`netparity: ${clientOnly.join(", ")}: client end only, no reliability cases\n`);
  const probeRuns: RuntimeProbes[] = [];
  const wantProbes = o.probes === undefined || o.probes.length > 0;
  if (wantProbes) {
    const only = o.probes?.length ? o.probes : undefined;
    const count = selectedProbeIds.length;
    // One runtime at a time: several probes measure time and must not share the CPU.
    for (const info of runtimes.filter((i) => familiesOf(i.name).length)) {
      if (info.error) {
        probeRuns.push({ runtime: info.name, version: info.version, results: [], error: info.error });
        continue;
      }
      let n = 0;
      const tp = performance.now();
      const who = label(info.name, info.version);
      progress(`[probes ${who}] starting`);
      // Each API family the runtime offers, in its own agent; one result list per runtime (ids differ).
      const parts: RuntimeProbes[] = [];
      for (const api of familiesOf(info.name)) {
        parts.push(
          await runProbesIn(info.name, {
            binaries: targetBinaries(info, o.binaries),
            ...(only ? { only } : {}),
            ...(api !== "native" ? { api } : {}),
            onProbe: (id) => progress(`[probes ${who} ${++n}/${count}] ${id}`),
          }),
        );
      }
      const errors = parts.flatMap((p) => (p.error ? [p.error] : []));
      const r: RuntimeProbes = {
        runtime: info.name,
        version: parts.find((p) => p.version !== "unknown")?.version ?? info.version,
        results: parts.flatMap((p) => p.results),
        ...(errors.length ? { error: errors.join("; ") } : {}),
      };
      probeRuns.push(r);
      if (lines)
        process.stderr.write(
          `[probes] ${info.name} ${r.version}: ${r.error ? `failed: ${r.error}` : `${r.results.length} probes`} in ${((performance.now() - tp) / 1000).toFixed(1)} s\n`,
        );
    }
  }
  let reliability: ReliabilityResult[] = [];
  if (wantReliability) {
    const tr = performance.now();
    reliability = await runReliability({
      runtimes: serving,
      binaries: o.binaries,
      only: cases.map((x) => x.id),
      onStart: (label, i, total) => progress(`[${i + 1}/${total}] ${label}`),
      onResult: (r, i, total) => {
        if (lines)
          process.stderr.write(
            `[${i + 1}/${total}] reliability ${r.id} ${label(r.runtime, r.version)}: ${r.status} (${(r.durationMs / 1000).toFixed(1)} s)\n`,
          );
      },
    });
    if (lines)
      process.stderr.write(
        `[reliability] ${reliability.length} results in ${((performance.now() - tr) / 1000).toFixed(1)} s\n`,
      );
  }
  if (tty) process.stderr.write("\r\x1b[2K");

  const selection: Selection = {
    runtimes: names,
    scenarios: o.scenarios,
    transports: o.transports,
    hosts: o.hosts,
    ...(o.apis ? { apis: o.apis } : {}),
    ...(o.probes?.length ? { probes: o.probes } : {}),
  };
  // Judged and recorded as a selection of probes when only some families ran (--apis): the
  // expectations of the others stay. The report keeps the selection as given.
  const judgedSelection: Selection =
    selectedProbeIds.length !== allProbeIds.length ? { ...selection, probes: selectedProbeIds } : selection;
  let updated: string[] = [];
  if (expDir !== null && expectations && o.updateExpectations) {
    const next = updatedExpectations({
      dir: expDir,
      expectations,
      selection: judgedSelection,
      runtimes,
      cells,
      probes: probeRuns,
    });
    if (wantReliability)
      updateReliabilityExpectations(
        next,
        reliability,
        cases.map((x) => x.id),
        expectations,
      );
    updated = writeExpectations(expDir, next);
    expectations = loadExpectations(expDir, names);
  }
  const verdicts = judgeRun({
    dir: expDir,
    expectations,
    selection: judgedSelection,
    runtimes,
    cells,
    probes: probeRuns,
    ...(wantReliability ? { reliability } : {}),
    ...(controlRuns ? { controls: controlRuns } : {}),
  });
  const { comparison } = verdicts;
  const reliabilityRows = verdicts.reliability ?? [];

  const report = buildReport({
    command: o.command ?? ["netparity", "run"],
    toolVersion: toolVersion(),
    selection,
    runtimes: runtimes.map((r) => ({ ...r, binary: r.binary ?? runtimeBinary(r.name, o.binaries) })),
    verdicts,
    durationMs: performance.now() - t0,
    ...(o.reportDir ? benchFrom(o.reportDir) : {}),
  });
  if (o.reportDir) Object.assign(report, socketsSpecFrom(o.reportDir));
  const written = o.reportDir ? writeReportFiles(o.reportDir, report) : [];

  if (o.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const out: string[] = [];
    out.push(
      `${c.bold("netparity conformance")}  ${runtimes.map((r) => `${r.name} ${r.version}${r.error ? c.red(` (${r.error})`) : ""}`).join(", ")}`,
    );
    out.push("");
    // The Node API on Bun and Deno first, as the report files lead with it.
    out.push(renderNodeApiTable(nodeApiComparison(report), c, tableWidth()));
    if (cells.length) out.push(renderTables(cells, runtimes, color, tableWidth()));
    const problems = renderProblems(cells, color, runtimes);
    if (problems) out.push(problems, "");
    if (report.probes.length) out.push(renderProbeTable(report.probes, runtimes, color, tableWidth()));
    for (const e of report.probeErrors) out.push(c.red(`probes did not run in ${e.runtime}: ${e.error}`));
    if (reliabilityRows.length) out.push(renderReliabilityTable(reliabilityRows, runtimes, c, tableWidth()));
    if (report.controls?.length) out.push(renderControlsTable(report.controls, c, tableWidth()));
    if (comparison) out.push(renderExpectationDiff(comparison, color));
    for (const p of updated) out.push(c.green(`updated ${p}`));
    for (const p of written) out.push(c.dim(`wrote ${p}`));
    if (updated.length || written.length) out.push("");
    const s = report.summary;
    const secs = (s.durationMs / 1000).toFixed(1);
    const failed = s.cells.fail + s.cells.error;
    const verdict = comparison
      ? comparison.ok
        ? "all results match the expectations"
        : `${comparison.diffs.length} differ from the expectations`
      : "expectations not compared";
    const rel = reliabilityRows.length
      ? `; ${reliabilityRows.length} reliability results, ${reliabilityRows.filter((r) => r.status === "pass").length} passed`
      : "";
    const ctl = s.controls
      ? `; ${s.controls.detected} of ${s.controls.total} negative controls detected${s.controls.undetected ? ` (${s.controls.undetected} NOT)` : ""}`
      : "";
    const summary = `${s.cells.total} cells: ${s.cells.pass} passed, ${failed} failed, ${s.cells.unsupported} unsupported; ${s.probes.total} probe results${rel}${ctl}; ${verdict}${faults ? ` (clients through faults ${formatFaults(faults)})` : ""} (${secs} s)`;
    out.push(s.ok ? c.green(summary) : c.red(summary));
    process.stdout.write(`${out.join("\n")}\n`);
  }
  return report.summary.ok ? 0 : 1;
}

/**
 * The spec suite's results already in the report directory (`netparity sockets-spec
 * --report-dir DIR` run before `run`), carried into the new report as its `socketsSpec`.
 */
function socketsSpecFrom(dir: string): { socketsSpec?: ReportSocketsSpec[] } {
  const file = join(dir, SOCKETS_SPEC_FILE);
  if (!existsSync(file)) return {};
  try {
    const section = JSON.parse(readFileSync(file, "utf8")) as ReportSocketsSpec[];
    if (!Array.isArray(section)) throw new Error("not a list of spec suite results");
    return { socketsSpec: section };
  } catch (e) {
    process.stderr.write(`netparity run: ignoring ${file}: ${(e as Error).message}\n`);
    return {};
  }
}

/**
 * Benchmark results already in the report directory (`netparity bench --report-dir DIR` run
 * before `run`) are carried into the new report, so the order of the two commands does not
 * matter.
 */
function benchFrom(dir: string): { bench?: ReturnType<typeof benchSection> } {
  const file = join(dir, "bench.json");
  if (!existsSync(file)) return {};
  try {
    return { bench: benchSection(JSON.parse(readFileSync(file, "utf8")) as BenchReport) };
  } catch (e) {
    process.stderr.write(`netparity run: ignoring ${file}: ${(e as Error).message}\n`);
    return {};
  }
}
