/**
 * A run compared with the expectation files: one diff entry per result whose verdict is not
 * "ok", and notes for what does not fail the run (no entry yet, an entry nothing ran for, a
 * runtime version other than the one the file was recorded with, a probe that varies).
 */
import type { RuntimeName } from "@netparity/protocol";
import type { CellResult } from "../runner/matrix.js";
import type { CellExpectation, CompareInput, ProbeExpectation } from "./expectations-file.js";
import { judgedCell, judgedProbes, type DiffKind, type JudgedReliability } from "./judge.js";
import { inSelection, parseCellKey } from "./keys.js";

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
}

export type NoteKind = "new" | "stale" | "varies" | "version";

export interface ExpectationNote {
  kind: NoteKind;
  subject: "cell" | "probe" | "runtime";
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
  const actualVersion = new Map(input.runtimes.map((r) => [r.name, r.version]));
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
    const v = actualVersion.get(rt);
    if (v && v !== f.version) {
      notes.push({
        kind: "version",
        subject: "runtime",
        key: rt,
        message: `${rt} is ${v}; its expectations were recorded with ${f.version} (compared all the same)`,
      });
    }
  }
  const versions = (rts: RuntimeName[]): string[] =>
    [...new Set(rts)].flatMap((rt) => {
      const r = recorded[rt];
      const v = actualVersion.get(rt);
      return r && v && r !== v ? [`${rt} ${v} (recorded with ${r})`] : [];
    });

  const seen = new Set<string>();
  for (const c of input.cells) {
    const { key, expected: e, verdict } = judgedCell(c, exp);
    seen.add(key);
    if (!e && (exp[c.server] || exp[c.client]) && verdict === "ok") {
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
      versions: versions([c.server, c.client]),
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
    if (rp.error) {
      diffs.push({
        kind: "not-run",
        subject: "probe",
        key: "(all probes)",
        runtimes: [rp.runtime],
        expected: "probe results",
        actual: "none",
        detail: rp.error,
        versions: versions([rp.runtime]),
      });
      continue;
    }
    const ran = new Set<string>();
    for (const p of judgedProbes(rp, exp)) {
      ran.add(p.id);
      const { expected: e, verdict } = p;
      if (!e && f && verdict === "ok")
        notes.push({
          kind: "new",
          subject: "probe",
          key: `${rp.runtime}:${p.id}`,
          message: `${rp.runtime} ${p.id}: "${p.outcome}", no expectation yet`,
        });
      if (e?.status === "varies" && e.outcome !== undefined && e.outcome !== p.outcome && verdict === "ok") {
        notes.push({
          kind: "varies",
          subject: "probe",
          key: `${rp.runtime}:${p.id}`,
          message: `${rp.runtime} ${p.id}: "${p.outcome}" (last recorded "${e.outcome}"; this probe varies by machine)`,
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
        versions: versions([rp.runtime]),
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
          message: `${rp.runtime} ${id}: expected but the catalogue has no such probe`,
        });
      }
    }
  }
  return { dir: input.dir, ok: diffs.length === 0, diffs, notes, recorded, ignored };
}

/** The expectation diff entries of the reliability section (empty when all match). */
export function reliabilityDiffs(rows: JudgedReliability[]): ExpectationDiff[] {
  return rows
    .filter((r) => r.verdict !== "ok")
    .map((r) => ({
      kind: r.verdict as DiffKind,
      subject: "reliability" as const,
      key: `${r.id} on ${r.runtime}`,
      runtimes: [r.runtime],
      expected: r.expected?.status ?? "supported (no entry)",
      actual: r.status,
      detail: r.detail,
      ...(r.expected?.issue ? { issue: r.expected.issue } : {}),
      versions: [],
    }));
}
