/**
 * report.json, schema "netparity.report/1": everything one `netparity run` found, with the
 * exact runtime versions and the machine it ran on. Additive changes keep the schema name;
 * a field that changes meaning or disappears bumps it to /2.
 */
import { readFileSync } from "node:fs";
import { cpus, arch, platform, release, totalmem, type as osType } from "node:os";
import type { RuntimeName } from "@netparity/protocol";
import { targetLabeler } from "../common/targets.js";
import type { RuntimeInfo } from "../runner/matrix.js";
import type {
  Comparison,
  JudgedCell,
  JudgedProbe,
  JudgedReliability,
  RunVerdicts,
  Selection,
} from "../verdict/index.js";

export const REPORT_SCHEMA = "netparity.report/1";

export interface MachineInfo {
  /** e.g. "Debian GNU/Linux 12 (bookworm)" where /etc/os-release tells, else os.type(). */
  os: string;
  platform: string;
  arch: string;
  /** Kernel release, e.g. "6.8.0-1014-azure". */
  kernel: string;
  cpuModel: string;
  cpuCount: number;
  memoryBytes: number;
}

export interface ReportRuntime extends RuntimeInfo {
  /** The binary that ran the agents. */
  binary: string;
}

/** A cell with the exact versions of its two ends (a run may hold several versions of one runtime). */
export interface ReportCell extends JudgedCell {
  serverVersion: string;
  clientVersion: string;
}

export type ReportProbe = JudgedProbe;

export type ReportReliability = JudgedReliability;

/**
 * Benchmark results, written by `netparity bench` into the same report. One workload is one
 * measured task; each result is one runtime (in one role) with its median and spread.
 */
export interface BenchSection {
  workloads: Array<{
    name: string;
    /** e.g. "MiB/s", "req/s", "µs". */
    unit: string;
    /** Whether a larger number is better (throughput) or worse (latency). Default true. */
    higherIsBetter?: boolean;
    description?: string;
    results: Array<{ runtime: string; role?: string; version?: string; median: number; min: number; max: number }>;
  }>;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  generatedAt: string;
  tool: { name: "netparity"; version: string };
  command: string[];
  machine: MachineInfo;
  selection: Selection;
  runtimes: ReportRuntime[];
  cells: ReportCell[];
  probes: ReportProbe[];
  /** Runtimes whose probe agent failed as a whole. */
  probeErrors: Array<{ runtime: RuntimeName; error: string }>;
  /** Reliability cases × runtimes, when the run had them (additive). */
  reliability?: ReportReliability[];
  expectations: Comparison | null;
  summary: {
    cells: { total: number; pass: number; fail: number; error: number; unsupported: number };
    probes: { total: number; runtimes: number; differing: number; errors: number };
    /** Everything matched the expectations (or, without them, no cell failed). */
    ok: boolean;
    durationMs: number;
  };
  bench?: BenchSection;
}

export function machineInfo(): MachineInfo {
  let os = osType();
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync("/etc/os-release", "utf8"));
    if (m?.[1]) os = m[1];
  } catch {
    // Not Linux, or no os-release: os.type() stands.
  }
  const c = cpus();
  return {
    os,
    platform: platform(),
    arch: arch(),
    kernel: release(),
    cpuModel: c[0]?.model.trim() ?? "unknown",
    cpuCount: c.length,
    memoryBytes: totalmem(),
  };
}

export interface BuildInput {
  command: string[];
  toolVersion: string;
  selection: Selection;
  runtimes: ReportRuntime[];
  /** The run's results with their verdicts (verdict/judgeRun). */
  verdicts: RunVerdicts;
  durationMs: number;
  machine?: MachineInfo;
  generatedAt?: string;
  bench?: BenchSection;
}

export function buildReport(i: BuildInput): Report {
  const version = new Map(i.runtimes.map((r) => [r.name, r.version]));
  const v = i.verdicts;
  // The versions go between the key and the verdict, where report.json has always had them.
  const cells: ReportCell[] = v.cells.map(({ key, expected, verdict, serverVersion, clientVersion, ...c }) => ({
    ...c,
    key,
    serverVersion: serverVersion ?? version.get(c.server) ?? "unknown",
    clientVersion: clientVersion ?? version.get(c.client) ?? "unknown",
    ...(expected ? { expected } : {}),
    verdict,
  }));
  const probes = v.probes;
  const count = (s: ReportCell["status"]) => cells.filter((c) => c.status === s).length;
  const byId = new Map<string, Set<string>>();
  for (const p of probes) (byId.get(p.id) ?? byId.set(p.id, new Set()).get(p.id)!).add(p.outcome);
  return {
    schema: REPORT_SCHEMA,
    generatedAt: i.generatedAt ?? new Date().toISOString(),
    tool: { name: "netparity", version: i.toolVersion },
    command: i.command,
    machine: i.machine ?? machineInfo(),
    selection: i.selection,
    runtimes: i.runtimes,
    cells,
    probes,
    probeErrors: v.probeErrors,
    ...(v.reliability ? { reliability: v.reliability } : {}),
    expectations: v.comparison,
    summary: {
      cells: {
        total: cells.length,
        pass: count("pass"),
        fail: count("fail"),
        error: count("error"),
        unsupported: count("unsupported"),
      },
      probes: {
        total: probes.length,
        runtimes: new Set(probes.map((p) => p.runtime)).size,
        differing: [...byId.values()].filter((s) => s.size > 1).length,
        errors: probes.filter((p) => p.outcome === "error" || p.outcome === "timeout").length,
      },
      ok: v.ok,
      durationMs: Math.round(i.durationMs),
    },
    ...(i.bench ? { bench: i.bench } : {}),
  };
}

/**
 * How the report names a target: "node", or "node 22.23.3" when the run holds several versions
 * of node (the shared contract of runtime versions: terminal, HTML and JUnit agree).
 */
export function reportLabeler(r: Pick<Report, "runtimes">): (name: string, version: string | undefined) => string {
  return targetLabeler(r.runtimes);
}

/** The report's targets as labels, in run order. */
export function targetLabels(r: Pick<Report, "runtimes">): string[] {
  const label = reportLabeler(r);
  return [...new Set(r.runtimes.map((x) => label(x.name, x.version)))];
}

/** Cells grouped by scenario/transport (and host, for ::1 runs), in first-seen order. */
export function cellGroups<T extends { scenario: string; transport: string; host: string }>(
  cells: T[],
): Array<{ label: string; cells: T[] }> {
  const groups = new Map<string, T[]>();
  for (const c of cells) {
    const label = `${c.scenario}/${c.transport}${c.host.includes(":") ? ` [${c.host}]` : ""}`;
    (groups.get(label) ?? groups.set(label, []).get(label)!).push(c);
  }
  return [...groups].map(([label, cells]) => ({ label, cells }));
}

/** Probe ids in catalogue order, with each target's result (keyed by its label, see reliabilityRows). */
export function probeRows(
  probes: ReportProbe[],
  labelOf: (name: string, version: string) => string = (name) => name,
): Array<{ id: string; title: string; byRuntime: Map<string, ReportProbe>; differs: boolean }> {
  const rows = new Map<string, { id: string; title: string; byRuntime: Map<string, ReportProbe>; differs: boolean }>();
  for (const p of probes) {
    const row =
      rows.get(p.id) ?? rows.set(p.id, { id: p.id, title: p.title, byRuntime: new Map(), differs: false }).get(p.id)!;
    row.byRuntime.set(labelOf(p.runtime, p.version), p);
  }
  for (const row of rows.values()) row.differs = new Set([...row.byRuntime.values()].map((p) => p.outcome)).size > 1;
  return [...rows.values()];
}

/**
 * Reliability case ids in catalogue order, with each target's result, keyed by its label
 * (the runtime's name, or "node 22.23.3" when the run has several versions of node).
 */
export function reliabilityRows(
  rows: ReportReliability[],
  labelOf: (name: string, version: string) => string = (name) => name,
): Array<{ id: string; title: string; byRuntime: Map<string, ReportReliability> }> {
  const out = new Map<string, { id: string; title: string; byRuntime: Map<string, ReportReliability> }>();
  for (const r of rows) {
    const row = out.get(r.id) ?? out.set(r.id, { id: r.id, title: r.title, byRuntime: new Map() }).get(r.id)!;
    row.byRuntime.set(labelOf(r.runtime, r.version), r);
  }
  return [...out.values()];
}

export const RELIABILITY_MARK: Record<ReportReliability["status"], string> = {
  pass: "pass",
  fail: "FAIL",
  error: "ERROR",
  unsupported: "unsupported",
};

/** One reliability result in a table: "FAIL (known)" for an expected failure, "FAIL !" for a difference. */
export function reliabilityLabel(r: ReportReliability): string {
  const known = r.verdict === "ok" && (r.status === "fail" || r.status === "error");
  return known
    ? `${RELIABILITY_MARK[r.status]} (known)`
    : r.verdict === "ok"
      ? RELIABILITY_MARK[r.status]
      : `${RELIABILITY_MARK[r.status]} !`;
}
