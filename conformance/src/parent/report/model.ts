/**
 * report.json, schema "netparity.report/1": everything one `netparity run` found, with the
 * exact runtime versions and the machine it ran on. Additive changes keep the schema name;
 * a field that changes meaning or disappears bumps it to /2.
 */
import { apiGroupLabel } from "../common/targets.js";
import { readFileSync } from "node:fs";
import { cpus, arch, platform, release, totalmem, type as osType } from "node:os";
import type { RuntimeName } from "@netparity/protocol";
import type { RuntimeInfo } from "../runner/matrix.js";
import type { SpecResult } from "../../in-runtime/sockets-spec/spec.js";
import { controlsSummary, type ReportControl } from "./controls.js";
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
  /** The runtime as the command line named it ("node", "node@22", "bun@1.3.0"); additive. */
  spec?: string;
}

/** In a merged report (`netparity merge`), the run a result came from: an id of `runs[]`. */
export interface FromRun {
  run?: string;
}

export interface ReportCell extends JudgedCell, FromRun {
  serverVersion: string;
  clientVersion: string;
}

export type ReportProbe = JudgedProbe & FromRun;

export type ReportReliability = JudgedReliability & FromRun;

/**
 * One run that a merged report was made of (`netparity merge`): where it was read from, the
 * machine and runtimes it ran with, and its own summary. Results carry its `id` as `run`.
 */
export interface ReportRun {
  id: string;
  /** The report.json it was read from, as given on the command line. */
  source: string;
  generatedAt: string;
  command: string[];
  machine: MachineInfo;
  runtimes: ReportRuntime[];
  selection: Selection;
  summary: Report["summary"];
  /** Whether it matched its expectations; null when it did not compare them. */
  expectationsOk: boolean | null;
}

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
    results: Array<{
      runtime: string;
      role?: string;
      version?: string;
      median: number;
      min: number;
      max: number;
      /** 95% confidence interval of the median, [low, high], where the bench computed one. */
      ci95?: [number, number];
      /** In a merged report, the run it came from. */
      run?: string;
    }>;
  }>;
  /** Which runtime to deploy (netparity bench's ranking), when the bench run had one. */
  ranking?: RankingEntry[];
  /** The bench's targets: throughput and CPU-cost ratios with their verdicts (see BenchVerdictRow). */
  verdicts?: BenchVerdictRow[];
  /** Rows whose samples spread more than 2× or trend across rounds: which, why, and the samples. */
  unstable?: Array<{ workload: string; row: string; reason: string; samples: number[] }>;
  /** The machine and runtime versions the ranking was measured with, in one line. */
  rankingContext?: string;
}

/** One bench target: the ratio with its interval and verdict, and for adapter/raw its CPU-cost ratio (lower is better). */
export interface BenchVerdictRow {
  name: string;
  runtime: string;
  role: string;
  target: number;
  ratio: number | null;
  ci95: [number, number] | null;
  /** The interval is of per-round ratios (rows run back to back in each round). */
  paired: boolean;
  throughputVerdict: "met" | "missed" | "inconclusive";
  cpu?: {
    ratio: number | null;
    ci95: [number, number] | null;
    target: number;
    verdict: "met" | "missed" | "inconclusive";
    unit: string;
  };
  /** The row's verdict: met when throughput or CPU cost is met and neither is missed. */
  verdict: "met" | "missed" | "inconclusive";
  /** Peer-bound, disagreement, unstable: the reasons, one sentence each. */
  notes: string[];
}

/** One workload and role of "Which runtime to deploy": runtimes best first. */
export interface RankingEntry {
  workload: string;
  role: "server" | "client" | "decoder";
  unit: string;
  higherIsBetter: boolean;
  rows: Array<{
    rank: number;
    runtime: string;
    version: string | null;
    median: number;
    ci95Median: [number, number] | null;
    /** As good as the best: median / best's (best's / median when lower is better); 1 for the best. */
    ratioToBest: number | null;
    /** 95 % interval of ratioToBest (null for the best itself). */
    ci95: [number, number] | null;
    /** "tie" when the interval reaches 1: the run cannot tell this runtime from the best. */
    standing: "best" | "tie" | "behind";
    cpuSecondsPer: number | null;
    cpuUnit: string | null;
    peerBound?: boolean;
  }>;
}

/**
 * The WinterTC Sockets spec suite's results for one implementation in one runtime
 * (`netparity sockets-spec --report-dir`): `socketsSpec` of the report (additive).
 */
export interface ReportSocketsSpec extends FromRun {
  /** "@netparity/sockets", "cloudflare:sockets", "@arrowood.dev/socket". */
  implementation: string;
  /** The runtime it ran in ("node" for the polyfill). */
  runtime: string;
  version: string;
  /** One per check of the suite: normative (pass, fail, skip) or probe (observed, with its detail). */
  results: SpecResult[];
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
  probeErrors: Array<{ runtime: RuntimeName; error: string; run?: string }>;
  /** Reliability cases × runtimes, when the run had them (additive). */
  reliability?: ReportReliability[];
  /** Negative controls (`run --negative-controls`), when the run had them (additive). */
  controls?: ReportControl[];
  expectations: Comparison | null;
  summary: {
    cells: { total: number; pass: number; fail: number; error: number; unsupported: number };
    probes: { total: number; runtimes: number; differing: number; errors: number };
    /** With negative controls: how many were detected (a control not detected makes `ok` false). */
    controls?: { total: number; detected: number; undetected: number; unsupported: number };
    /** Everything matched the expectations (or, without them, no cell failed). */
    ok: boolean;
    durationMs: number;
  };
  bench?: BenchSection;
  /** The WinterTC Sockets spec suite, when `netparity sockets-spec --report-dir` wrote into the report (additive). */
  socketsSpec?: ReportSocketsSpec[];
  /**
   * Present in a report made by `netparity merge`: the runs it was made of. Every cell,
   * probe, reliability and bench result then carries the `run` it came from.
   */
  runs?: ReportRun[];
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
    ...(v.controls ? { controls: v.controls } : {}),
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
      ...(v.controls ? { controls: controlsSummary(v.controls) } : {}),
      ok: v.ok,
      durationMs: Math.round(i.durationMs),
    },
    ...(i.bench ? { bench: i.bench } : {}),
  };
}

/** Cells grouped by scenario/transport (and host, for ::1 runs), in first-seen order. */
export function cellGroups<
  T extends { scenario: string; transport: string; host: string; api?: string; serverApi?: string },
>(cells: T[]): Array<{ label: string; cells: T[] }> {
  const groups = new Map<string, T[]>();
  for (const c of cells) {
    // Cells with an end on another API (`--apis node,wintertc`) are a group of their own.
    const label = `${c.scenario}/${c.transport}${c.host.includes(":") ? ` [${c.host}]` : ""}${apiGroupLabel(c.serverApi, c.api)}`;
    (groups.get(label) ?? groups.set(label, []).get(label)!).push(c);
  }
  return [...groups].map(([label, cells]) => ({ label, cells }));
}

/** Probe ids in catalogue order, with each target's result (keyed by `labelOf`: the runtime's name by default). */
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

/** Reliability case ids in catalogue order, with each runtime's result (`all`: every version's). */
export function reliabilityRows(rows: ReportReliability[]): Array<{
  id: string;
  title: string;
  byRuntime: Map<RuntimeName, ReportReliability>;
  all: ReportReliability[];
}> {
  const out = new Map<
    string,
    { id: string; title: string; byRuntime: Map<RuntimeName, ReportReliability>; all: ReportReliability[] }
  >();
  for (const r of rows) {
    const row = out.get(r.id) ?? out.set(r.id, { id: r.id, title: r.title, byRuntime: new Map(), all: [] }).get(r.id)!;
    if (!row.byRuntime.has(r.runtime)) row.byRuntime.set(r.runtime, r);
    row.all.push(r);
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
