/**
 * Who a result belongs to, as the reports show it: a runtime *target* is a runtime name and
 * an exact version (and, in a merged report, the run it came from). A target is labelled by
 * its bare name ("node") when the report has one version of that runtime, and by name and
 * version ("node 22.23.3") when it has several (the pinned contract of issue 12).
 */
import { labelEnd } from "../common/targets.js";
import type { Report, ReportCell, ReportProbe, ReportReliability, ReportRun } from "./model.js";

export interface Target {
  name: string;
  version: string;
}

/** The versions of each runtime name in the report, from its runtimes and its results. */
export function versionsByName(
  r: Pick<Report, "runtimes" | "cells" | "probes" | "reliability" | "socketsSpec">,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (name: string, version: string | undefined): void => {
    if (!version) return;
    const list = out.get(name) ?? out.set(name, []).get(name)!;
    if (!list.includes(version)) list.push(version);
  };
  for (const x of r.runtimes) add(x.name, x.version);
  for (const c of r.cells) {
    add(c.server, c.serverVersion);
    add(c.client, c.clientVersion);
  }
  for (const p of r.probes) add(p.runtime, p.version);
  for (const x of r.reliability ?? []) add(x.runtime, x.version);
  for (const x of r.socketsSpec ?? []) add(x.runtime, x.version);
  return out;
}

/** "node" when `name` has one version here, "node 22.23.3" when it has several. */
export function targetLabel(t: Target, versions: Map<string, string[]>): string {
  return labelEnd(t.name, t.version, (versions.get(t.name)?.length ?? 0) > 1);
}

/** One run's share of a report: the whole report when it is not merged. */
export interface RunView {
  /** "" for an unmerged report. */
  id: string;
  /** What a reader calls the run: its id, or "" when there is one run. */
  label: string;
  run?: ReportRun;
  cells: ReportCell[];
  probes: ReportProbe[];
  reliability: ReportReliability[];
  /** The run's targets in the order of its runtimes. */
  targets: Target[];
  versions: Map<string, string[]>;
}

function uniqueTargets(list: Target[]): Target[] {
  const seen = new Set<string>();
  return list.filter((t) => {
    const k = `${t.name}@${t.version}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function targetsOf(
  runtimes: Array<{ name: string; version: string }>,
  cells: ReportCell[],
  probes: ReportProbe[],
  reliability: ReportReliability[],
): Target[] {
  const all = uniqueTargets([
    ...runtimes.map((x) => ({ name: x.name, version: x.version })),
    ...cells.flatMap((c) => [
      { name: c.server, version: c.serverVersion },
      { name: c.client, version: c.clientVersion },
    ]),
    ...probes.map((p) => ({ name: p.runtime, version: p.version })),
    ...reliability.map((x) => ({ name: x.runtime, version: x.version })),
  ]);
  // Grouped by runtime (in the order the report first names them), versions in first-seen order.
  const names = [...new Set(all.map((t) => t.name))];
  return names.flatMap((n) => all.filter((t) => t.name === n));
}

/** The report split by run (one view for an unmerged report). */
export function runViews(r: Report): RunView[] {
  const runs = r.runs?.length ? r.runs : undefined;
  if (!runs) {
    const reliability = r.reliability ?? [];
    const versions = versionsByName(r);
    return [
      {
        id: "",
        label: "",
        cells: r.cells,
        probes: r.probes,
        reliability,
        targets: targetsOf(r.runtimes, r.cells, r.probes, reliability),
        versions,
      },
    ];
  }
  return runs.map((run) => {
    const cells = r.cells.filter((c) => c.run === run.id);
    const probes = r.probes.filter((p) => p.run === run.id);
    const reliability = (r.reliability ?? []).filter((x) => x.run === run.id);
    return {
      id: run.id,
      label: run.id,
      run,
      cells,
      probes,
      reliability,
      targets: targetsOf(run.runtimes, cells, probes, reliability),
      versions: versionsByName({ runtimes: run.runtimes, cells, probes, reliability }),
    };
  });
}

/** A column of the probe matrix: one target (on one kind of machine, when runs had several). */
export interface ProbeColumn extends Target {
  key: string;
  /** The machine kind ("linux x64") when the report's runs ran on several, else "". */
  machine: string;
  label: string;
}

export interface ProbeRow {
  id: string;
  title: string;
  /**
   * The result in each column. Where several runs put a result in one column (the same
   * version on the same kind of machine) and their outcomes disagree, the outcomes are joined
   * with " / " and the row counts as changed.
   */
  byColumn: Map<string, ReportProbe>;
  /** Outcomes differ between versions (or runs) of one runtime: a behaviour changed. */
  changed: boolean;
  /** Outcomes differ anywhere in the row (between runtimes, versions or runs). */
  differs: boolean;
  /** The runtimes whose versions (or runs) disagree, e.g. ["node"]. */
  changedIn: string[];
}

/**
 * The probe × runtime-version matrix over the whole report: one column per runtime and
 * version (per kind of machine too, when the runs ran on several); rows are probes, those
 * whose outcome changed between versions or runs of one runtime first, then those where
 * runtimes differ, then the rest (catalogue order within each).
 */
export function probeMatrix(r: Report): { columns: ProbeColumn[]; rows: ProbeRow[] } {
  const views = runViews(r);
  const kindOf = new Map(views.map((v) => [v.id, v.run ? `${v.run.machine.platform} ${v.run.machine.arch}` : ""]));
  const several = new Set(kindOf.values()).size > 1;
  const keyOf = (run: string | undefined, name: string, version: string): string =>
    `${several ? kindOf.get(run ?? "") : ""}|${name}|${version}`;
  const columns: ProbeColumn[] = [];
  for (const v of views) {
    for (const t of v.targets) {
      if (!v.probes.some((p) => p.runtime === t.name && p.version === t.version)) continue;
      const key = keyOf(v.id, t.name, t.version);
      if (columns.some((c) => c.key === key)) continue;
      const machine = several ? (kindOf.get(v.id) ?? "") : "";
      columns.push({ ...t, key, machine, label: `${t.name} ${t.version}${machine ? ` (${machine})` : ""}` });
    }
  }
  // Grouped by runtime, in the order the report names them.
  const names = [...new Set(columns.map((c) => c.name))];
  columns.sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name));
  const rows = new Map<string, ProbeRow & { all: ReportProbe[] }>();
  for (const p of r.probes) {
    const row =
      rows.get(p.id) ??
      rows
        .set(p.id, {
          id: p.id,
          title: p.title,
          byColumn: new Map(),
          changed: false,
          differs: false,
          changedIn: [],
          all: [],
        })
        .get(p.id)!;
    row.all.push(p);
    const key = keyOf(p.run, p.runtime, p.version);
    const there = row.byColumn.get(key);
    if (!there) row.byColumn.set(key, p);
    else if (!there.outcome.split(" / ").includes(p.outcome))
      row.byColumn.set(key, {
        ...there,
        outcome: `${there.outcome} / ${p.outcome}`,
        verdict: there.verdict === "ok" ? p.verdict : there.verdict,
      });
  }
  for (const row of rows.values()) {
    row.differs = new Set(row.all.map((p) => p.outcome)).size > 1;
    for (const name of new Set(row.all.map((p) => p.runtime))) {
      const outcomes = new Set(row.all.filter((p) => p.runtime === name).map((p) => p.outcome));
      if (outcomes.size > 1) row.changedIn.push(name);
    }
    row.changed = row.changedIn.length > 0;
  }
  const rank = (x: ProbeRow): number => (x.changed ? 0 : x.differs ? 1 : 2);
  const list: ProbeRow[] = [...rows.values()].map(({ all: _all, ...row }) => row);
  const order = new Map(list.map((x, i) => [x.id, i]));
  list.sort((a, b) => rank(a) - rank(b) || order.get(a.id)! - order.get(b.id)!);
  return { columns, rows: list };
}

/** Cells of one scenario/transport group as a server × client grid over the run's targets. */
export function cellAt(cells: ReportCell[], server: Target, client: Target): ReportCell | undefined {
  return cells.find(
    (c) =>
      c.server === server.name &&
      c.serverVersion === server.version &&
      c.client === client.name &&
      c.clientVersion === client.version,
  );
}

/** The targets that appear as a server or client among `cells`, in the run's order. */
export function cellTargets(view: RunView, cells: ReportCell[]): { servers: Target[]; clients: Target[] } {
  const has = (t: Target, side: "server" | "client"): boolean =>
    cells.some((c) =>
      side === "server"
        ? c.server === t.name && c.serverVersion === t.version
        : c.client === t.name && c.clientVersion === t.version,
    );
  return {
    servers: view.targets.filter((t) => has(t, "server")),
    clients: view.targets.filter((t) => has(t, "client")),
  };
}

/** A cell's status as the summary counts it. */
export interface GroupCount {
  total: number;
  pass: number;
  unsupported: number;
  /** Failures and errors that the expectations know about. */
  known: number;
  /** Results that differ from the expectations. */
  off: number;
}

export function countCells(cells: ReportCell[]): GroupCount {
  const n: GroupCount = { total: cells.length, pass: 0, unsupported: 0, known: 0, off: 0 };
  for (const c of cells) {
    if (c.verdict !== "ok") n.off++;
    if (c.status === "pass") n.pass++;
    else if (c.status === "unsupported") n.unsupported++;
    else if (c.verdict === "ok") n.known++;
  }
  return n;
}

/** The scenario × transport summary: rows scenarios, columns transports (with [::1] hosts apart). */
export function cellSummary(cells: ReportCell[]): {
  scenarios: string[];
  columns: string[];
  at(scenario: string, column: string): ReportCell[];
} {
  const col = (c: ReportCell): string => `${c.transport}${c.host.includes(":") ? ` [${c.host}]` : ""}`;
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const columns = [...new Set(cells.map(col))];
  return { scenarios, columns, at: (s, k) => cells.filter((c) => c.scenario === s && col(c) === k) };
}

/** A bench result's spread: its ci95 where present, else [min, max]. */
export function benchSpread(x: { min: number; max: number; ci95?: unknown }): [number, number] {
  const ci = x.ci95 as unknown;
  if (Array.isArray(ci) && ci.length === 2 && typeof ci[0] === "number" && typeof ci[1] === "number")
    return [ci[0], ci[1]];
  if (ci && typeof ci === "object") {
    const o = ci as Record<string, unknown>;
    const lo = o.low ?? o.lo ?? o.lower;
    const hi = o.high ?? o.hi ?? o.upper;
    if (typeof lo === "number" && typeof hi === "number") return [lo, hi];
  }
  return [x.min, x.max];
}

/** Each workload's results, best first (by median; latency workloads lowest first). */
export function benchRanking(r: Report): Array<{
  workload: string;
  unit: string;
  higherIsBetter: boolean;
  results: Array<{ label: string; median: number; spread: [number, number] }>;
}> {
  const versions = versionsByName(r);
  return (r.bench?.workloads ?? []).map((w) => {
    const hib = w.higherIsBetter !== false;
    const results = w.results
      .map((x) => {
        const base = x.version ? targetLabel({ name: x.runtime, version: x.version }, versions) : x.runtime;
        const label = `${base}${x.role ? ` (${x.role})` : ""}${x.run && (r.runs?.length ?? 0) > 1 ? ` · ${x.run}` : ""}`;
        return { label, median: x.median, spread: benchSpread(x) };
      })
      .sort((a, b) => (hib ? b.median - a.median : a.median - b.median));
    return { workload: w.name, unit: w.unit, higherIsBetter: hib, results };
  });
}
