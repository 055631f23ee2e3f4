/**
 * `netparity merge`: one report from several runs (other versions, machines, operating
 * systems). The result is a report of the same schema (netparity.report/1) with one addition,
 * `runs`: each run's id, source, machine, runtimes, selection and summary. Every cell, probe,
 * reliability, bench and spec suite result keeps its own fields and gains `run`, the id of the run it came
 * from, so a merged report can be rendered, diffed and merged again like any other.
 */
import { apiSuffix } from "../common/targets.js";
import { basename, dirname } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import type { Comparison, ExpectationDiff, ExpectationNote } from "../verdict/index.js";
import { probeMatrix, versionsByName } from "./columns.js";
import { controlsSummary, type ReportControl } from "./controls.js";
import {
  REPORT_SCHEMA,
  type BenchSection,
  type Report,
  type ReportCell,
  type ReportProbe,
  type ReportReliability,
  type ReportRun,
  type ReportRuntime,
  type ReportSocketsSpec,
} from "./model.js";

export interface MergeInput {
  report: Report;
  /** Where it was read from (a report.json path); names the run unless `id` is given. */
  source: string;
  id?: string;
}

/** A run's default id: the name of the directory its report.json is in. */
export function runIdFor(source: string): string {
  const dir = basename(source) === "report.json" ? basename(dirname(source)) : basename(source, ".json");
  return dir && dir !== "." && dir !== "/" ? dir : "run";
}

function union<T>(lists: T[][]): T[] {
  return [...new Set(lists.flat())];
}

/** The runs a report stands for: its own runs when it is merged already, else itself. */
function runsIn(input: MergeInput): Array<{ run: ReportRun; of: (x: { run?: string }) => boolean }> {
  const r = input.report;
  if (r.runs?.length) return r.runs.map((run) => ({ run, of: (x) => x.run === run.id }));
  return [
    {
      run: {
        id: input.id ?? runIdFor(input.source),
        source: input.source,
        generatedAt: r.generatedAt,
        command: r.command,
        machine: r.machine,
        runtimes: r.runtimes,
        selection: r.selection,
        summary: r.summary,
        expectationsOk: r.expectations ? r.expectations.ok : null,
      },
      of: () => true,
    },
  ];
}

export function mergeReports(
  inputs: MergeInput[],
  o: { command: string[]; toolVersion: string; generatedAt?: string },
): Report {
  if (!inputs.length) throw new Error("nothing to merge");
  const runs: ReportRun[] = [];
  const cells: ReportCell[] = [];
  const probes: ReportProbe[] = [];
  const reliability: ReportReliability[] = [];
  const controls: Array<ReportControl & { run: string }> = [];
  const probeErrors: Array<{ runtime: RuntimeName; error: string; run: string }> = [];
  const diffs: ExpectationDiff[] = [];
  const notes: ExpectationNote[] = [];
  const workloads = new Map<string, BenchSection["workloads"][number]>();
  const socketsSpec: ReportSocketsSpec[] = [];
  let compared = false;
  let ignored = 0;
  let hasReliability = false;
  const taken = new Set<string>();

  for (const input of inputs) {
    const r = input.report;
    for (const { run: given, of } of runsIn(input)) {
      let id = given.id;
      for (let n = 2; taken.has(id); n++) id = `${given.id}-${n}`;
      taken.add(id);
      const run = { ...given, id };
      runs.push(run);
      for (const c of r.cells) if (of(c)) cells.push({ ...c, run: id });
      for (const p of r.probes) if (of(p)) probes.push({ ...p, run: id });
      if (r.reliability) hasReliability = true;
      for (const x of r.reliability ?? []) if (of(x)) reliability.push({ ...x, run: id });
      for (const x of r.controls ?? []) if (of(x as { run?: string })) controls.push({ ...x, run: id });
      for (const e of r.probeErrors ?? [])
        if (of(e as { run?: string })) probeErrors.push({ runtime: e.runtime, error: e.error, run: id });
      if (r.expectations) {
        compared = true;
        ignored += r.expectations.ignored ?? 0;
        for (const d of r.expectations.diffs) {
          if (!of(d as { run?: string })) continue;
          // The same difference in several runs is listed once, naming every run.
          const same = diffs.find(
            (x) =>
              x.kind === d.kind &&
              x.subject === d.subject &&
              x.key === d.key &&
              x.expected === d.expected &&
              x.actual === d.actual &&
              x.runtimes.join() === d.runtimes.join(),
          ) as (ExpectationDiff & { run: string }) | undefined;
          if (same) {
            same.run = `${same.run}, ${id}`;
            for (const v of d.versions) if (!same.versions.includes(v)) same.versions.push(v);
            continue;
          }
          const tagged: ExpectationDiff & { run: string } = { ...d, versions: [...d.versions], run: id };
          diffs.push(tagged);
        }
        for (const n of r.expectations.notes) {
          if (!of(n as { run?: string })) continue;
          const tagged: ExpectationNote & { run: string } = { ...n, run: id };
          notes.push(tagged);
        }
      }
      for (const x of r.socketsSpec ?? []) if (of(x)) socketsSpec.push({ ...x, run: id });
      for (const w of r.bench?.workloads ?? []) {
        const into = workloads.get(w.name) ?? workloads.set(w.name, { ...w, results: [] }).get(w.name)!;
        for (const x of w.results) if (of(x)) into.results.push({ ...x, run: id });
      }
    }
  }

  const runtimes: ReportRuntime[] = [];
  for (const run of runs)
    for (const x of run.runtimes)
      if (!runtimes.some((y) => y.name === x.name && y.version === x.version)) runtimes.push(x);
  const versions = versionsByName({ runtimes, cells, probes, reliability, socketsSpec });
  const end = (name: string, version: string): string =>
    (versions.get(name)?.length ?? 0) > 1 ? `${name}@${version}` : name;
  for (const c of cells)
    c.key = `${c.scenario}/${c.transport}/${c.host}/${end(c.server, c.serverVersion)}${apiSuffix(c.serverApi)}->${end(c.client, c.clientVersion)}${apiSuffix(c.api)}`;

  const sel = runs.map((x) => x.selection);
  const probeLists = sel.map((s) => s.probes);
  const selection: Report["selection"] = {
    runtimes: union(sel.map((s) => s.runtimes)),
    scenarios: union(sel.map((s) => s.scenarios)),
    transports: union(sel.map((s) => s.transports)),
    hosts: union(sel.map((s) => s.hosts)),
    ...(probeLists.every((p) => Array.isArray(p)) ? { probes: union(probeLists as string[][]) } : {}),
  };
  const expectations: Comparison | null = compared
    ? {
        dir: union(inputs.map((i) => (i.report.expectations?.dir ? [i.report.expectations.dir] : []))).join(", "),
        ok: diffs.length === 0,
        diffs,
        notes,
        recorded: {},
        ignored,
      }
    : null;
  const count = (s: ReportCell["status"]): number => cells.filter((c) => c.status === s).length;
  const merged: Report = {
    schema: REPORT_SCHEMA,
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    tool: { name: "netparity", version: o.toolVersion },
    command: o.command,
    machine: runs[0]!.machine,
    selection,
    runtimes,
    cells,
    probes,
    probeErrors,
    ...(hasReliability ? { reliability } : {}),
    ...(controls.length ? { controls } : {}),
    expectations,
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
        runtimes: new Set(probes.map((p) => `${p.run}|${p.runtime}|${p.version}`)).size,
        differing: 0,
        errors: probes.filter((p) => p.outcome === "error" || p.outcome === "timeout").length,
      },
      ...(controls.length ? { controls: controlsSummary(controls) } : {}),
      ok: runs.every((x) => x.summary.ok),
      durationMs: runs.reduce((n, x) => n + (x.summary.durationMs ?? 0), 0),
    },
    ...(workloads.size ? { bench: { workloads: [...workloads.values()] } } : {}),
    ...(socketsSpec.length ? { socketsSpec } : {}),
    runs,
  };
  merged.summary.probes.differing = probeMatrix(merged).rows.filter((x) => x.differs).length;
  return merged;
}
