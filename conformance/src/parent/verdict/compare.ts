/**
 * A run compared with the expectation files: one diff entry per result whose verdict is not
 * "ok", and notes for what does not fail the run (no entry yet, an entry nothing ran for, a
 * runtime version other than the one the file was recorded with, a probe that varies).
 */
import type { RuntimeName } from "@netparity/protocol";
import { multiVersionNames } from "../common/targets.js";
import type { ReliabilityResult } from "../reliability/types.js";
import type { CellResult } from "../runner/matrix.js";
import type { CellExpectation, CompareInput, Expectations, ProbeExpectation } from "./expectations-file.js";
import { judgedCell, judgedProbes, lookupCell, type DiffKind, type JudgedReliability } from "./judge.js";
import { cellKey, inSelection, parseCellKey } from "./keys.js";
import { pick } from "./versions.js";

export interface ExpectationDiff {
  kind: DiffKind;
  subject: "cell" | "probe" | "reliability";
  key: string;
  runtimes: RuntimeName[];
  expected: string;
  actual: string;
  /** Why, in one line: the failure reason, the probe's explanation... */
  detail?: string;
  issue?: string;
  /** "node 22.1.0 (recorded with 20.19.0)" for each involved runtime whose version moved. */
  versions: string[];
  /**
   * "node 22.23.3" for each runtime involved, when the run holds several versions of it (what
   * tables show instead of the bare name); absent otherwise.
   */
  runtimeVersions?: string[];
}

/** "uncovered": the entry has alternatives for some versions, none for the version that ran. */
export type NoteKind = "new" | "stale" | "varies" | "version" | "uncovered";

export interface ExpectationNote {
  kind: NoteKind;
  subject: "cell" | "probe" | "runtime" | "reliability";
  key: string;
  message: string;
}

export interface Comparison {
  dir: string;
  ok: boolean;
  diffs: ExpectationDiff[];
  notes: ExpectationNote[];
  /** Runtime -> version recorded in its expectations file (missing when there is no file). */
  recorded: Partial<Record<RuntimeName, string>>;
  /** Entries left out because their runtime, scenario, transport or host was not selected. */
  ignored: number;
}

function describeCellExpectation(e: CellExpectation | undefined): string {
  return e ? e.status : "supported (no entry)";
}

function describeProbeExpectation(e: ProbeExpectation | undefined): string {
  if (!e) return "(no entry)";
  if (e.status === "supported") return JSON.stringify(e.outcome);
  return e.status;
}

function cellActual(c: CellResult): string {
  return c.status === "pass" ? "pass" : c.status;
}

export function compare(input: CompareInput): Comparison {
  const { expectations: exp, selection: sel } = input;
  const diffs: ExpectationDiff[] = [];
  const notes: ExpectationNote[] = [];
  const multi = multiVersionNames(input.runtimes);
  const recorded: Partial<Record<RuntimeName, string>> = {};
  for (const rt of sel.runtimes) {
    const f = exp[rt];
    if (!f) {
      notes.push({
        kind: "new",
        subject: "runtime",
        key: rt,
        message: `no expectations file for ${rt}: every cell is expected to pass (run --update-expectations to record one)`,
      });
      continue;
    }
    recorded[rt] = f.version;
    for (const info of input.runtimes.filter((r) => r.name === rt)) {
      const v = info.version;
      if (v && v !== f.version) {
        notes.push({
          kind: "version",
          subject: "runtime",
          key: multi.has(rt) ? `${rt}@${v}` : rt,
          message: `${rt} is ${v}; its expectations were recorded with ${f.version} (compared all the same)`,
        });
      }
    }
  }
  const versions = (ends: Array<[RuntimeName, string | undefined]>): string[] =>
    [...new Map(ends.map(([rt, v]) => [`${rt} ${v}`, [rt, v] as const])).values()].flatMap(([rt, v]) => {
      const r = recorded[rt];
      return r && v && r !== v ? [`${rt} ${v} (recorded with ${r})`] : [];
    });
  const versionOf = (rt: RuntimeName): string | undefined => input.runtimes.find((r) => r.name === rt)?.version;
  const uncoveredNote = (key: string, who: string[], what: string): void => {
    for (const w of who)
      notes.push({ kind: "uncovered", subject: "cell", key, message: `no expectation for ${w}: ${key} ${what}` });
  };

  const seen = new Set<string>();
  for (const c of input.cells) {
    const { key, expected: e, verdict } = judgedCell(c, exp, multi);
    const fileKey = cellKey(c);
    seen.add(fileKey);
    const sv = c.serverVersion ?? versionOf(c.server);
    const cv = c.clientVersion ?? versionOf(c.client);
    const { uncovered } = lookupCell(exp, {
      ...c,
      ...(sv ? { serverVersion: sv } : {}),
      ...(cv ? { clientVersion: cv } : {}),
    });
    if (uncovered.length) uncoveredNote(key, uncovered, c.status);
    else if (!e && (exp[c.server] || exp[c.client]) && verdict === "ok") {
      notes.push({ kind: "new", subject: "cell", key, message: `${key}: ${c.status}, no expectation yet` });
    }
    if (verdict === "ok") continue;
    diffs.push({
      kind: verdict,
      subject: "cell",
      key,
      runtimes: [c.server, c.client],
      expected: describeCellExpectation(e),
      actual: cellActual(c),
      ...(c.reason ? { detail: c.reason } : {}),
      ...(e?.issue ? { issue: e.issue } : {}),
      versions: versions([
        [c.server, sv],
        [c.client, cv],
      ]),
      ...(multi.has(c.server) || multi.has(c.client)
        ? { runtimeVersions: [`${c.server} ${sv ?? "unknown"}`, `${c.client} ${cv ?? "unknown"}`] }
        : {}),
    });
  }
  let ignored = 0;
  for (const rt of Object.keys(exp) as RuntimeName[]) {
    for (const key of Object.keys(exp[rt]!.cells)) {
      if (seen.has(key)) continue;
      if (!inSelection(key, sel)) {
        ignored++;
        continue;
      }
      // Listed once, in the server's file (both files name it).
      const k = parseCellKey(key)!;
      if (k.server !== rt && exp[k.server as RuntimeName]?.cells[key]) continue;
      notes.push({
        kind: "stale",
        subject: "cell",
        key,
        message: `${key}: expected but not run (the scenario no longer has this cell?)`,
      });
    }
  }

  for (const rp of input.probes) {
    const f = exp[rp.runtime];
    const who = multi.has(rp.runtime) ? `${rp.runtime} ${rp.version}` : rp.runtime;
    if (rp.error) {
      diffs.push({
        kind: "not-run",
        subject: "probe",
        key: "(all probes)",
        runtimes: [rp.runtime],
        expected: "probe results",
        actual: "none",
        detail: rp.error,
        versions: versions([[rp.runtime, rp.version]]),
        ...(multi.has(rp.runtime) ? { runtimeVersions: [`${rp.runtime} ${rp.version}`] } : {}),
      });
      continue;
    }
    const ran = new Set<string>();
    for (const p of judgedProbes(rp, exp)) {
      ran.add(p.id);
      const { expected: e, verdict } = p;
      const uncovered = pick(f?.probes[p.id], rp.version).uncovered;
      if (uncovered)
        notes.push({
          kind: "uncovered",
          subject: "probe",
          key: `${rp.runtime}@${rp.version}:${p.id}`,
          message: `no expectation for ${rp.runtime} ${rp.version}: ${p.id} "${p.outcome}"`,
        });
      else if (!e && f && verdict === "ok")
        notes.push({
          kind: "new",
          subject: "probe",
          key: `${rp.runtime}:${p.id}`,
          message: `${who} ${p.id}: "${p.outcome}", no expectation yet`,
        });
      if (e?.status === "varies" && e.outcome !== undefined && e.outcome !== p.outcome && verdict === "ok") {
        notes.push({
          kind: "varies",
          subject: "probe",
          key: `${rp.runtime}:${p.id}`,
          message: `${who} ${p.id}: "${p.outcome}" (last recorded "${e.outcome}"; this probe varies by machine)`,
        });
      }
      if (verdict === "ok") continue;
      diffs.push({
        kind: verdict,
        subject: "probe",
        key: p.id,
        runtimes: [rp.runtime],
        expected: describeProbeExpectation(e),
        actual: JSON.stringify(p.outcome),
        detail: p.error ? `${p.error.code}: ${p.error.message}` : p.explanation,
        ...(e?.issue ? { issue: e.issue } : {}),
        versions: versions([[rp.runtime, rp.version]]),
        ...(multi.has(rp.runtime) ? { runtimeVersions: [`${rp.runtime} ${rp.version}`] } : {}),
      });
    }
    if (f) {
      for (const id of Object.keys(f.probes)) {
        if (ran.has(id)) continue;
        if (sel.probes && !sel.probes.includes(id)) {
          ignored++;
          continue;
        }
        notes.push({
          kind: "stale",
          subject: "probe",
          key: `${rp.runtime}:${id}`,
          message: `${who} ${id}: expected but the catalogue has no such probe`,
        });
      }
    }
  }
  return { dir: input.dir, ok: diffs.length === 0, diffs, notes, recorded, ignored };
}

/** Notes for reliability results whose entry has no alternative for their version. */
export function reliabilityNotes(rows: ReliabilityResult[], exp: Expectations): ExpectationNote[] {
  return rows
    .filter((r) => pick(exp[r.runtime]?.reliability?.[r.id], r.version).uncovered)
    .map((r) => ({
      kind: "uncovered" as const,
      subject: "reliability" as const,
      key: `${r.id} on ${r.runtime}@${r.version}`,
      message: `no expectation for ${r.runtime} ${r.version}: reliability ${r.id} ${r.status}`,
    }));
}

/** The expectation diff entries of the reliability section (empty when all match). */
export function reliabilityDiffs(rows: JudgedReliability[], multi: ReadonlySet<string> = new Set()): ExpectationDiff[] {
  return rows
    .filter((r) => r.verdict !== "ok")
    .map((r) => ({
      kind: r.verdict as DiffKind,
      subject: "reliability" as const,
      key: `${r.id} on ${multi.has(r.runtime) ? `${r.runtime} ${r.version}` : r.runtime}`,
      runtimes: [r.runtime],
      ...(multi.has(r.runtime) ? { runtimeVersions: [`${r.runtime} ${r.version}`] } : {}),
      expected: r.expected?.status ?? "supported (no entry)",
      actual: r.status,
      detail: r.detail,
      ...(r.expected?.issue ? { issue: r.expected.issue } : {}),
      versions: [],
    }));
}
