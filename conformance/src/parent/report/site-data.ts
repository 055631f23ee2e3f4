/**
 * The dataset of `netparity site` (schema "netparity.site/1", docs/site.md): every run of the
 * reports given, dated by when it started, and what the pages show, derived once here: each
 * runtime's current standing, the probes where the current releases differ, each probe's
 * history, each runtime release with its count of probes that differ from node's in the same
 * run, and the benchmark ranking by release. The pages and the badges render only this.
 */
import { RUNTIME_NAMES } from "@netparity/protocol";
import semver from "semver";
import { runViews } from "./columns.js";
import { runIdFor } from "./merge.js";
import type { Report } from "./model.js";

export const SITE_SCHEMA = "netparity.site/1";

export interface SiteCounts {
  total: number;
  pass: number;
}

export interface SiteRun {
  id: string;
  /** When the run started: the report's startedAt, else generatedAt less its duration. */
  startedAt: string;
  generatedAt: string;
  /** The report file it was read from. */
  source: string;
  /** "Debian GNU/Linux 12 (bookworm), linux x64, 2 × AMD EPYC …" */
  machine: string;
  runtimes: Array<{ name: string; version: string }>;
  cells: SiteCounts;
  probes: number;
  reliability: SiteCounts;
}

export interface SiteRelease {
  runtime: string;
  version: string;
  /** File-name-safe `runtime-version`: the page is releases/<slug>.html, the badge badges/<slug>.json. */
  slug: string;
  /** Run ids it appears in, oldest first. */
  runs: string[];
  /** The latest of them: the counts below are from it. */
  run: string;
  startedAt: string;
  probes: number;
  /** Probes whose outcome differs from node's in the same run; null for node, or a run without node. */
  differFromNode: number | null;
  /** The node release it was compared with. */
  nodeVersion: string | null;
  cells: SiteCounts;
  reliability: SiteCounts;
}

export interface SiteOutcome {
  run: string;
  runtime: string;
  version: string;
  outcome: string;
  explanation: string;
}

export interface SiteProbe {
  id: string;
  title: string;
  /** Whether the runtimes' current releases (the standing) differ on it. */
  differs: boolean;
  /** Every run's result of every runtime release, oldest run first. */
  results: SiteOutcome[];
}

export interface SiteBenchRanking {
  run: string;
  startedAt: string;
  workload: string;
  role: string;
  unit: string;
  higherIsBetter: boolean;
  rows: Array<{
    rank: number;
    runtime: string;
    version: string | null;
    median: number;
    ratioToBest: number | null;
    standing: string;
  }>;
}

export interface SiteDataset {
  schema: typeof SITE_SCHEMA;
  generatedAt: string;
  tool: { name: "netparity"; version: string };
  runs: SiteRun[];
  /** Each runtime's latest release (from the latest run that has it), node, bun, deno order. */
  standing: SiteRelease[];
  /** The probes the standing releases disagree on, with each one's outcome. */
  differences: Array<{ probe: string; title: string; outcomes: SiteOutcome[] }>;
  releases: SiteRelease[];
  probes: SiteProbe[];
  bench: SiteBenchRanking[];
}

export interface SiteInput {
  report: Report;
  /** Where it was read from. */
  source: string;
}

/** A file-name-safe form of `runtime-version`. */
export function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, "_");
}

function startOf(generatedAt: string, durationMs: number, startedAt?: unknown): string {
  if (typeof startedAt === "string" && !Number.isNaN(Date.parse(startedAt))) return new Date(startedAt).toISOString();
  const t = Date.parse(generatedAt);
  return Number.isNaN(t) ? generatedAt : new Date(t - (durationMs || 0)).toISOString();
}

function machineLine(m: Report["machine"]): string {
  return `${m.os}, ${m.platform} ${m.arch}, ${m.cpuCount} × ${m.cpuModel}`;
}

const order = (a: { name: string; version: string }, b: { name: string; version: string }): number => {
  const n = RUNTIME_NAMES.indexOf(a.name as never) - RUNTIME_NAMES.indexOf(b.name as never);
  if (n) return n;
  const va = semver.valid(semver.coerce(a.version));
  const vb = semver.valid(semver.coerce(b.version));
  return va && vb ? semver.compare(va, vb) : a.version.localeCompare(b.version);
};

/** A probe result while the dataset is derived: the outcome with its probe's id and title. */
type ProbeAt = SiteOutcome & { probe: string; title: string };

interface RunData {
  run: SiteRun;
  probes: ProbeAt[];
  cells: Array<{ server: string; client: string; serverVersion: string; clientVersion: string; status: string }>;
  reliability: Array<{ runtime: string; version: string; status: string }>;
}

/** Every run of the inputs (a merged report stands for its runs), each once, oldest first. */
function collectRuns(inputs: readonly SiteInput[]): { runs: RunData[]; bench: SiteBenchRanking[] } {
  const runs: RunData[] = [];
  const seen = new Map<string, string>();
  const ids = new Set<string>();
  const bench: SiteBenchRanking[] = [];
  const benchSeen = new Set<string>();
  for (const { report, source } of inputs) {
    const views = runViews(report);
    let reportRun: string | undefined;
    for (const v of views) {
      const generatedAt = v.run?.generatedAt ?? report.generatedAt;
      const durationMs = v.run?.summary.durationMs ?? report.summary.durationMs;
      const startedAt = startOf(
        generatedAt,
        durationMs,
        v.run ? undefined : (report as { startedAt?: unknown }).startedAt,
      );
      const runtimes = (v.run?.runtimes ?? report.runtimes)
        .map((r) => ({ name: r.name, version: r.version }))
        .sort(order);
      // The same run given twice (its own report and a merged one) counts once.
      const identity = `${generatedAt}|${runtimes.map((r) => `${r.name}@${r.version}`).join(",")}`;
      const dup = seen.get(identity);
      if (dup) {
        reportRun ??= dup;
        continue;
      }
      let id = slug(v.id || runIdFor(source));
      for (let n = 2; ids.has(id); n++) id = `${slug(v.id || runIdFor(source))}-${n}`;
      ids.add(id);
      seen.set(identity, id);
      reportRun ??= id;
      const machine = v.run?.machine ?? report.machine;
      runs.push({
        run: {
          id,
          startedAt,
          generatedAt,
          source: v.run?.source ?? source,
          machine: machineLine(machine),
          runtimes,
          cells: { total: v.cells.length, pass: v.cells.filter((c) => c.status === "pass").length },
          probes: v.probes.length,
          reliability: { total: v.reliability.length, pass: v.reliability.filter((r) => r.status === "pass").length },
        },
        probes: v.probes.map((p) => ({
          probe: p.id,
          title: p.title,
          run: id,
          runtime: p.runtime,
          version: p.version,
          outcome: p.outcome,
          explanation: p.explanation,
        })),
        cells: v.cells.map((c) => ({
          server: c.server,
          client: c.client,
          serverVersion: c.serverVersion,
          clientVersion: c.clientVersion,
          status: c.status,
        })),
        reliability: v.reliability.map((r) => ({ runtime: r.runtime, version: r.version, status: r.status })),
      });
    }
    // The ranking is the report's own (a bench run's); a merged report's belongs to its latest run.
    const ranking = report.bench?.ranking ?? [];
    const owner = runs.find((r) => r.run.id === reportRun);
    for (const e of ranking) {
      if (!owner) break;
      const key = `${owner.run.id}|${e.workload}|${e.role}`;
      if (benchSeen.has(key)) continue;
      benchSeen.add(key);
      bench.push({
        run: owner.run.id,
        startedAt: owner.run.startedAt,
        workload: e.workload,
        role: e.role,
        unit: e.unit,
        higherIsBetter: e.higherIsBetter,
        rows: e.rows.map((r) => ({
          rank: r.rank,
          runtime: r.runtime,
          version: r.version,
          median: r.median,
          ratioToBest: r.ratioToBest,
          standing: r.standing,
        })),
      });
    }
  }
  runs.sort((a, b) => a.run.startedAt.localeCompare(b.run.startedAt));
  bench.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  return { runs, bench };
}

/** The newest node release of a run, the reference its other runtimes are compared with. */
function nodeOf(r: RunData): string | null {
  const nodes = r.run.runtimes.filter((x) => x.name === "node").sort(order);
  return nodes.at(-1)?.version ?? null;
}

function releaseIn(r: RunData, name: string, version: string): Omit<SiteRelease, "runs" | "slug"> {
  const probes = r.probes.filter((p) => p.runtime === name && p.version === version);
  const nodeVersion = name === "node" ? null : nodeOf(r);
  const nodeById = new Map(
    r.probes.filter((p) => p.runtime === "node" && p.version === nodeVersion).map((p) => [p.probe, p.outcome]),
  );
  const differ =
    nodeVersion === null
      ? null
      : probes.filter((p) => nodeById.has(p.probe) && nodeById.get(p.probe) !== p.outcome).length;
  const cells = r.cells.filter(
    (c) => (c.server === name && c.serverVersion === version) || (c.client === name && c.clientVersion === version),
  );
  const rel = r.reliability.filter((x) => x.runtime === name && x.version === version);
  return {
    runtime: name,
    version,
    run: r.run.id,
    startedAt: r.run.startedAt,
    probes: probes.length,
    differFromNode: differ,
    nodeVersion,
    cells: { total: cells.length, pass: cells.filter((c) => c.status === "pass").length },
    reliability: { total: rel.length, pass: rel.filter((x) => x.status === "pass").length },
  };
}

/** Builds the dataset from loaded reports (any number of runs; merged reports are split into theirs). */
export function buildSiteDataset(
  inputs: readonly SiteInput[],
  o: { toolVersion: string; generatedAt?: string },
): SiteDataset {
  const { runs, bench } = collectRuns(inputs);
  // Probes in the order the runs list them (catalogue order), the newest run's title.
  const titles = new Map<string, string>();
  for (const r of runs) for (const p of r.probes) titles.set(p.probe, p.title);

  const releaseRuns = new Map<string, { name: string; version: string; runs: RunData[] }>();
  for (const r of runs)
    for (const t of r.run.runtimes) {
      const k = `${t.name}@${t.version}`;
      (releaseRuns.get(k) ?? releaseRuns.set(k, { ...t, runs: [] }).get(k)!).runs.push(r);
    }
  const releases: SiteRelease[] = [...releaseRuns.values()].sort(order).map((x) => ({
    slug: slug(`${x.name}-${x.version}`),
    runs: x.runs.map((r) => r.run.id),
    ...releaseIn(x.runs.at(-1)!, x.name, x.version),
  }));

  const standing: SiteRelease[] = [];
  for (const name of RUNTIME_NAMES) {
    const latest = [...runs].reverse().find((r) => r.run.runtimes.some((t) => t.name === name));
    if (!latest) continue;
    const version = latest.run.runtimes
      .filter((t) => t.name === name)
      .sort(order)
      .at(-1)!.version;
    standing.push(releases.find((x) => x.runtime === name && x.version === version)!);
  }

  const probes: SiteProbe[] = [...titles].map(([id, title]) => ({
    id,
    title,
    differs: false,
    results: runs.flatMap((r) => r.probes.filter((p) => p.probe === id).map(strip)),
  }));
  const differences: SiteDataset["differences"] = [];
  for (const p of probes) {
    const now = standing.flatMap((s) =>
      p.results.filter((x) => x.run === s.run && x.runtime === s.runtime && x.version === s.version),
    );
    p.differs = new Set(now.map((x) => x.outcome)).size > 1;
    if (p.differs) differences.push({ probe: p.id, title: p.title, outcomes: now });
  }
  return {
    schema: SITE_SCHEMA,
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    tool: { name: "netparity", version: o.toolVersion },
    runs: runs.map((r) => r.run),
    standing,
    differences,
    releases,
    probes,
    bench,
  };
}

function strip(p: ProbeAt): SiteOutcome {
  return { run: p.run, runtime: p.runtime, version: p.version, outcome: p.outcome, explanation: p.explanation };
}
