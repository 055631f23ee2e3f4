/**
 * `netparity diff A B`: what changed between two reports, result by result.
 *
 * A result is identified by its kind and id plus its runtime (name, version): a cell by
 * scenario/transport/host and its two ends, a probe or reliability case by its id and runtime,
 * a bench result by workload, role and runtime, a spec suite check (`socketsSpec`) by its section
 * and name, implementation and runtime. When each report has exactly one version of a
 * runtime, that runtime's results are paired by name, so node 20 against node 22 shows as a
 * change of node's results; otherwise by (name, version), and what has no partner is added or
 * removed. Two merged reports (`netparity merge`) are also paired by run id.
 *
 * A bench result differs only when each median lies outside the other run's spread (its ci95
 * when the bench gives one, else [min, max]): noise within the spread is not a change.
 */
import { apiSuffix } from "../common/targets.js";
import { reportFaults } from "./faults.js";
import { benchSpread, versionsByName } from "./columns.js";
import { mdCell } from "./markdown.js";
import type { Report } from "./model.js";

export const DIFF_SCHEMA = "netparity.diff/1";

export type DiffSubject = "cell" | "probe" | "reliability" | "bench" | "spec";

export interface DiffChange {
  subject: DiffSubject;
  change: "changed" | "added" | "removed";
  /** cell: scenario/transport/host; probe and reliability: the id; bench: workload (role); spec: section: check. */
  id: string;
  /** Who: "node->bun", "node", "node@22.23.3", with " · run" in merged reports. */
  on: string;
  /** The result in A and in B ("pass", a probe outcome, "900 MiB/s [850, 950]"); absent where none. */
  a?: string;
  b?: string;
  /** The exact versions on each side where they differ, e.g. "node 20.20.2 → 22.23.3". */
  versions?: string;
  /** Why, in one line: B's failure reason, the bench ratio. */
  detail?: string;
}

export interface DiffSide {
  source: string;
  generatedAt: string;
  runtimes: string[];
  machine: string;
  runs?: string[];
  /** The faults its clients went through (--faults), when there were any (additive). */
  faults?: string;
}

export interface ReportDiff {
  schema: typeof DIFF_SCHEMA;
  a: DiffSide;
  b: DiffSide;
  /** Nothing changed, was added or was removed. */
  same: boolean;
  /** Runtimes whose versions differ between A and B (context: not a change by itself). */
  versionChanges: Array<{ name: string; a: string[]; b: string[] }>;
  counts: Record<DiffSubject, { compared: number; changed: number; added: number; removed: number }>;
  changes: DiffChange[];
}

interface Keyed {
  key: string;
  id: string;
  on: string;
  value: string;
  /** Exact versions of the ends, e.g. "node 20.20.2", "node 20.20.2->bun 1.4.5". */
  versions: string;
  detail?: string;
  bench?: { median: number; spread: [number, number]; unit: string };
}

function side(source: string, r: Report): DiffSide {
  return {
    source,
    generatedAt: r.generatedAt,
    runtimes: r.runtimes.map((x) => `${x.name} ${x.version}`),
    machine: `${r.machine.os} ${r.machine.arch}`,
    ...(r.runs?.length ? { runs: r.runs.map((x) => x.id) } : {}),
    ...(reportFaults(r) ? { faults: reportFaults(r)! } : {}),
  };
}

/** "; A: clients through faults …" for the summary line, or "" when neither side had faults. */
export function diffFaultsNote(d: ReportDiff): string {
  const parts = (["a", "b"] as const).flatMap((k) =>
    d[k].faults ? [`${k.toUpperCase()}: clients through faults ${d[k].faults}`] : [],
  );
  return parts.length ? ` (${parts.join("; ")})` : "";
}

/** Each result of one report under the key it is paired by. */
function keyed(r: Report, end: (name: string, version: string | undefined) => string, byRun: boolean) {
  const out: Record<DiffSubject, Map<string, Keyed>> = {
    cell: new Map(),
    probe: new Map(),
    reliability: new Map(),
    bench: new Map(),
    spec: new Map(),
  };
  const put = (subject: DiffSubject, run: string | undefined, k: Omit<Keyed, "key">): void => {
    const on = byRun && run ? `${k.on} · ${run}` : k.on;
    let key = `${k.id}|${on}`;
    // Two results under one key (a report that ran the same thing twice): keep both, in order.
    for (let n = 2; out[subject].has(key); n++) key = `${k.id}|${on}#${n}`;
    out[subject].set(key, { ...k, on, key });
  };
  for (const c of r.cells)
    put("cell", c.run, {
      id: `${c.scenario}/${c.transport}/${c.host}`,
      // Each end with its API (`bun+node->deno`): a native cell and a node-API cell are two results.
      on: `${end(c.server, c.serverVersion)}${apiSuffix(c.serverApi)}->${end(c.client, c.clientVersion)}${apiSuffix(c.api)}`,
      value: c.status,
      versions: `${c.server} ${c.serverVersion}${apiSuffix(c.serverApi)}->${c.client} ${c.clientVersion}${apiSuffix(c.api)}`,
      ...(c.reason ? { detail: c.reason } : {}),
    });
  for (const p of r.probes)
    put("probe", p.run, {
      id: p.id,
      on: end(p.runtime, p.version),
      value: p.outcome,
      versions: `${p.runtime} ${p.version}`,
      detail: p.explanation,
    });
  for (const x of r.reliability ?? [])
    put("reliability", x.run, {
      id: x.id,
      on: end(x.runtime, x.version),
      value: x.status,
      versions: `${x.runtime} ${x.version}`,
      detail: x.detail,
    });
  // The spec suite: a check by its section and name, on an implementation in a runtime; a
  // probe's value is what it observed, so a change of behaviour is a change like a status.
  for (const e of r.socketsSpec ?? [])
    for (const x of e.results)
      put("spec", e.run, {
        id: `${x.section}: ${x.name}`,
        on: `${e.implementation} on ${end(e.runtime, e.version)}`,
        value: x.kind === "probe" ? (x.detail ?? x.status) : x.status,
        versions: `${e.runtime} ${e.version}`,
        ...(x.kind === "normative" && x.detail ? { detail: x.detail } : {}),
      });
  for (const w of r.bench?.workloads ?? [])
    for (const x of w.results) {
      const spread = benchSpread(x);
      put("bench", x.run, {
        id: `${w.name}${x.role ? ` (${x.role})` : ""}`,
        on: end(x.runtime, x.version),
        value: `${fmt(x.median)} ${w.unit} [${fmt(spread[0])}, ${fmt(spread[1])}]`,
        versions: `${x.runtime}${x.version ? ` ${x.version}` : ""}`,
        bench: { median: x.median, spread, unit: w.unit },
      });
    }
  return out;
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  return Math.abs(v) >= 100 ? String(Math.round(v)) : String(Number(v.toPrecision(3)));
}

const inside = (v: number, [lo, hi]: [number, number]): boolean => v >= Math.min(lo, hi) && v <= Math.max(lo, hi);

/** The two version strings when they differ: "node 20.20.2 → 22.23.3" or "A → B" of both ends. */
function versionNote(a: string, b: string): string | undefined {
  if (a === b) return undefined;
  const pa = a.split("->");
  const pb = b.split("->");
  return pa
    .map((x, i) => {
      const y = pb[i] ?? "";
      if (x === y) return "";
      const [n1, v1] = x.split(" ");
      const [n2, v2] = y.split(" ");
      return n1 === n2 && v1 && v2 ? `${n1} ${v1} → ${v2}` : `${x} → ${y}`;
    })
    .filter(Boolean)
    .join(", ");
}

export function diffReports(a: Report, b: Report, sources: { a: string; b: string } = { a: "A", b: "B" }): ReportDiff {
  const va = versionsByName(a);
  const vb = versionsByName(b);
  const single = (name: string): boolean => (va.get(name)?.length ?? 0) === 1 && (vb.get(name)?.length ?? 0) === 1;
  const end = (name: string, version: string | undefined): string =>
    single(name) || !version ? name : `${name}@${version}`;
  const byRun = Boolean(a.runs?.length && b.runs?.length);
  const ka = keyed(a, end, byRun);
  const kb = keyed(b, end, byRun);
  const changes: DiffChange[] = [];
  const counts = {} as ReportDiff["counts"];
  for (const subject of ["cell", "probe", "reliability", "bench", "spec"] as const) {
    const n = { compared: 0, changed: 0, added: 0, removed: 0 };
    for (const [key, x] of ka[subject]) {
      const y = kb[subject].get(key);
      if (!y) {
        n.removed++;
        changes.push({ subject, change: "removed", id: x.id, on: x.on, a: x.value, versions: x.versions });
        continue;
      }
      n.compared++;
      let differs: boolean;
      let detail: string | undefined;
      if (x.bench && y.bench) {
        differs = !inside(x.bench.median, y.bench.spread) && !inside(y.bench.median, x.bench.spread);
        if (differs && x.bench.median !== 0) {
          const pct = ((y.bench.median - x.bench.median) / Math.abs(x.bench.median)) * 100;
          detail = `median ${pct >= 0 ? "+" : ""}${pct.toFixed(0)}%, outside both spreads`;
        }
      } else {
        differs = x.value !== y.value;
        detail = y.detail;
      }
      if (!differs) continue;
      n.changed++;
      const versions = versionNote(x.versions, y.versions);
      changes.push({
        subject,
        change: "changed",
        id: x.id,
        on: x.on,
        a: x.value,
        b: y.value,
        ...(versions ? { versions } : {}),
        ...(detail ? { detail } : {}),
      });
    }
    for (const [key, y] of kb[subject]) {
      if (ka[subject].has(key)) continue;
      n.added++;
      changes.push({ subject, change: "added", id: y.id, on: y.on, b: y.value, versions: y.versions });
    }
    counts[subject] = n;
  }
  const versionChanges: ReportDiff["versionChanges"] = [];
  for (const name of new Set([...va.keys(), ...vb.keys()])) {
    const x = va.get(name) ?? [];
    const y = vb.get(name) ?? [];
    if (x.join() !== y.join()) versionChanges.push({ name, a: x, b: y });
  }
  return {
    schema: DIFF_SCHEMA,
    a: side(sources.a, a),
    b: side(sources.b, b),
    same: changes.length === 0,
    versionChanges,
    counts,
    changes,
  };
}

/** "3 changed, 1 added, 0 removed of 45 results compared" */
export function diffSummary(d: ReportDiff): string {
  const t = Object.values(d.counts).reduce(
    (s, n) => ({
      compared: s.compared + n.compared,
      changed: s.changed + n.changed,
      added: s.added + n.added,
      removed: s.removed + n.removed,
    }),
    { compared: 0, changed: 0, added: 0, removed: 0 },
  );
  return (
    (d.same
      ? `no differences in ${t.compared} results`
      : `${t.changed} changed, ${t.added} added, ${t.removed} removed (${t.compared} results in both)`) +
    diffFaultsNote(d)
  );
}

export function versionSummary(d: ReportDiff): string {
  return d.versionChanges
    .map((v) => `${v.name} ${v.a.join(", ") || "(none)"} → ${v.b.join(", ") || "(none)"}`)
    .join("; ");
}

/** The diff as GitHub Markdown, for a PR comment. */
export function renderDiffMarkdown(d: ReportDiff): string {
  const out = ["## netparity diff", ""];
  out.push(`${d.same ? "✅" : "❌"} ${diffSummary(d)}`, "");
  for (const [k, s] of [
    ["A", d.a],
    ["B", d.b],
  ] as const)
    out.push(
      `- **${k}** \`${mdCell(s.source)}\`: ${mdCell(s.runtimes.join(", "))} · ${mdCell(s.machine)} · ${s.generatedAt}${s.faults ? ` · clients through faults \`${mdCell(s.faults)}\`` : ""}`,
    );
  if (d.versionChanges.length) out.push(`- versions: ${mdCell(versionSummary(d))}`);
  out.push("");
  if (d.changes.length) {
    out.push("| | kind | what | on | A | B | why |", "|---|---|---|---|---|---|---|");
    const mark = { changed: "≠", added: "+", removed: "−" } as const;
    for (const c of d.changes)
      out.push(
        `| ${mark[c.change]} ${c.change} | ${c.subject} | \`${mdCell(c.id)}\` | ${mdCell(c.on)}${c.versions ? ` (${mdCell(c.versions)})` : ""} | ${mdCell(c.a ?? "–")} | ${mdCell(c.b ?? "–")} | ${mdCell(c.detail ?? "")} |`,
      );
    out.push("");
  }
  return out.join("\n");
}
