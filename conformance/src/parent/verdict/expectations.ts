/**
 * Expectations: what each runtime is expected to do, committed as one JSON file per runtime
 * (conformance/expectations/{node,bun,deno}.json). Known gaps are data, not `if`s in tests:
 * a cell or probe entry says "supported", "unsupported" or "known-failing" (with the upstream
 * issue), and `netparity run` compares every result with it. A change in a runtime's
 * behaviour then shows up as a diff, and `--update-expectations` records the new state.
 *
 * Cells involve two runtimes, so a cell's entry is kept in both runtimes' files; where the
 * two disagree the stronger claim wins (known-failing over unsupported over supported), so
 * marking a cell known-failing in the file of the runtime at fault is enough.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import type { ProbeResult } from "../../in-runtime/probes/types.js";
import type { CellResult, RuntimeInfo } from "../runner/matrix.js";
import type { RuntimeProbes } from "../runner/probes.js";

export const EXPECTATIONS_SCHEMA = "netparity.expectations/1";

export type CellExpectedStatus = "supported" | "unsupported" | "known-failing";
/** "varies": the outcome depends on the machine (e.g. /etc/hosts); a change is a note, not a failure. */
export type ProbeExpectedStatus = CellExpectedStatus | "varies";

export interface CellExpectation {
  status: CellExpectedStatus;
  /** Upstream issue for a known failure or gap. */
  issue?: string;
  note?: string;
}

export interface ProbeExpectation {
  status: ProbeExpectedStatus;
  /** The expected outcome for "supported" (and the last one seen for "varies"). */
  outcome?: string;
  issue?: string;
  note?: string;
}

export interface ExpectationsFile {
  schema: typeof EXPECTATIONS_SCHEMA;
  runtime: RuntimeName;
  /** The runtime version the entries were recorded with. */
  version: string;
  cells: Record<string, CellExpectation>;
  probes: Record<string, ProbeExpectation>;
  /** Reliability cases of this runtime, by case id (see src/reliability/report.ts). */
  reliability?: Record<string, CellExpectation>;
}

export type Expectations = Partial<Record<RuntimeName, ExpectationsFile>>;

export type DiffKind = "unexpected-failure" | "unexpected-pass" | "changed" | "not-run";

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

export interface Selection {
  runtimes: RuntimeName[];
  scenarios: string[];
  transports: string[];
  hosts: string[];
  /** Probe ids run, or undefined for the whole catalogue. */
  probes?: string[];
}

export function cellKey(c: { scenario: string; transport: string; host: string; server: string; client: string }): string {
  return `${c.scenario}/${c.transport}/${c.host}/${c.server}->${c.client}`;
}

export function parseCellKey(key: string): { scenario: string; transport: string; host: string; server: string; client: string } | null {
  const m = /^([^/]+)\/([^/]+)\/(.+)\/(\w+)->(\w+)$/.exec(key);
  if (!m) return null;
  return { scenario: m[1]!, transport: m[2]!, host: m[3]!, server: m[4]!, client: m[5]! };
}

function inSelection(key: string, sel: Selection): boolean {
  const k = parseCellKey(key);
  if (!k) return false;
  const hostOk = k.transport === "unix" ? true : sel.hosts.includes(k.host);
  return (
    sel.runtimes.includes(k.server as RuntimeName) &&
    sel.runtimes.includes(k.client as RuntimeName) &&
    sel.scenarios.includes(k.scenario) &&
    sel.transports.includes(k.transport) &&
    hostOk
  );
}

// ---------------------------------------------------------------------------------------
// Files

export function expectationsPath(dir: string, runtime: RuntimeName): string {
  return join(dir, `${runtime}.json`);
}

export function loadExpectations(dir: string, runtimes: readonly RuntimeName[]): Expectations {
  const out: Expectations = {};
  for (const rt of runtimes) {
    const path = expectationsPath(dir, rt);
    if (!existsSync(path)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path, "utf8"));
    } catch (e) {
      throw new Error(`${path} is not valid JSON: ${(e as Error).message}`);
    }
    out[rt] = validate(parsed, path, rt);
  }
  return out;
}

const CELL_STATUSES: readonly string[] = ["supported", "unsupported", "known-failing"];
const PROBE_STATUSES: readonly string[] = [...CELL_STATUSES, "varies"];

function validate(x: unknown, path: string, rt: RuntimeName): ExpectationsFile {
  const f = x as Partial<ExpectationsFile>;
  const fail = (why: string): never => {
    throw new Error(`${path}: ${why}`);
  };
  if (!f || typeof f !== "object") fail("expected an object");
  if (f.schema !== EXPECTATIONS_SCHEMA) fail(`schema must be "${EXPECTATIONS_SCHEMA}"`);
  if (f.runtime !== rt) fail(`runtime must be "${rt}"`);
  for (const [k, e] of Object.entries(f.cells ?? {})) {
    if (!parseCellKey(k)) fail(`cell key "${k}" is not scenario/transport/host/server->client`);
    if (!CELL_STATUSES.includes(e?.status)) fail(`cell "${k}": status must be one of ${CELL_STATUSES.join(", ")}`);
  }
  for (const [k, e] of Object.entries(f.probes ?? {})) {
    if (!PROBE_STATUSES.includes(e?.status)) fail(`probe "${k}": status must be one of ${PROBE_STATUSES.join(", ")}`);
    if (e.status === "supported" && typeof e.outcome !== "string") fail(`probe "${k}": a supported probe needs an "outcome"`);
  }
  for (const [k, e] of Object.entries(f.reliability ?? {})) {
    if (!CELL_STATUSES.includes(e?.status)) fail(`reliability "${k}": status must be one of ${CELL_STATUSES.join(", ")}`);
  }
  return { schema: EXPECTATIONS_SCHEMA, runtime: rt, version: String(f.version ?? "unknown"), cells: f.cells ?? {}, probes: f.probes ?? {}, ...(f.reliability ? { reliability: f.reliability } : {}) };
}

/** Writes files with sorted keys and a trailing newline, so updates make small diffs. */
export function writeExpectations(dir: string, files: Expectations): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const f of Object.values(files)) {
    if (!f) continue;
    const sorted: ExpectationsFile = {
      schema: EXPECTATIONS_SCHEMA,
      runtime: f.runtime,
      version: f.version,
      cells: sortKeys(f.cells),
      probes: sortKeys(f.probes),
      ...(f.reliability ? { reliability: sortKeys(f.reliability) } : {}),
    };
    const path = expectationsPath(dir, f.runtime);
    writeFileSync(path, serialize(sorted));
    written.push(path);
  }
  return written;
}

/** JSON with one line per entry, so a changed expectation is a one-line diff in review. */
function serialize(f: ExpectationsFile): string {
  const section = (o: Record<string, unknown>): string => {
    const lines = Object.entries(o).map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`);
    return lines.length ? `{\n${lines.join(",\n")}\n  }` : "{}";
  };
  return [
    "{",
    `  "schema": ${JSON.stringify(f.schema)},`,
    `  "runtime": ${JSON.stringify(f.runtime)},`,
    `  "version": ${JSON.stringify(f.version)},`,
    `  "cells": ${section(f.cells)},`,
    `  "probes": ${section(f.probes)}${f.reliability ? "," : ""}`,
    ...(f.reliability ? [`  "reliability": ${section(f.reliability)}`] : []),
    "}",
    "",
  ].join("\n");
}

function sortKeys<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

// ---------------------------------------------------------------------------------------
// Comparing

const STRENGTH: Record<CellExpectedStatus, number> = { supported: 0, unsupported: 1, "known-failing": 2 };

/** The expectation for a cell: from the server's and the client's files, the stronger one. */
export function cellExpectation(exp: Expectations, cell: { server: RuntimeName; client: RuntimeName } & Parameters<typeof cellKey>[0]): CellExpectation | undefined {
  const key = cellKey(cell);
  const a = exp[cell.server]?.cells[key];
  const b = cell.client === cell.server ? undefined : exp[cell.client]?.cells[key];
  if (!a) return b;
  if (!b) return a;
  const [strong, weak] = STRENGTH[b.status] > STRENGTH[a.status] ? [b, a] : [a, b];
  return { ...strong, ...(strong.issue ?? weak.issue ? { issue: strong.issue ?? weak.issue } : {}) };
}

function isFailure(status: string): boolean {
  return status === "fail" || status === "error";
}

export function isProbeFailure(outcome: string): boolean {
  return outcome === "error" || outcome === "timeout";
}

export type CellVerdict = "ok" | DiffKind;

/** How one cell compares with its expectation (undefined: expected to pass). */
export function judgeCell(status: CellResult["status"], exp: CellExpectation | undefined): CellVerdict {
  const want = exp?.status ?? "supported";
  if (want === "supported") return status === "pass" ? "ok" : isFailure(status) ? "unexpected-failure" : "changed";
  if (want === "unsupported") return status === "unsupported" ? "ok" : status === "pass" ? "unexpected-pass" : "changed";
  return isFailure(status) ? "ok" : status === "pass" ? "unexpected-pass" : "changed";
}

export function judgeProbe(outcome: string, exp: ProbeExpectation | undefined): CellVerdict {
  if (!exp) return isProbeFailure(outcome) ? "unexpected-failure" : "ok";
  switch (exp.status) {
    case "varies":
      return isProbeFailure(outcome) ? "unexpected-failure" : "ok";
    case "supported":
      return outcome === exp.outcome ? "ok" : isProbeFailure(outcome) ? "unexpected-failure" : "changed";
    case "unsupported":
      return outcome === "unsupported" ? "ok" : isProbeFailure(outcome) ? "changed" : "unexpected-pass";
    case "known-failing":
      return isProbeFailure(outcome) ? "ok" : "unexpected-pass";
  }
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

export interface CompareInput {
  dir: string;
  expectations: Expectations;
  selection: Selection;
  runtimes: RuntimeInfo[];
  cells: CellResult[];
  probes: RuntimeProbes[];
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
      notes.push({ kind: "new", subject: "runtime", key: rt, message: `no expectations file for ${rt}: every cell is expected to pass (run --update-expectations to record one)` });
      continue;
    }
    recorded[rt] = f.version;
    const v = actualVersion.get(rt);
    if (v && v !== f.version) {
      notes.push({ kind: "version", subject: "runtime", key: rt, message: `${rt} is ${v}; its expectations were recorded with ${f.version} (compared all the same)` });
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
    const key = cellKey(c);
    seen.add(key);
    const e = cellExpectation(exp, c);
    const verdict = judgeCell(c.status, e);
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
      notes.push({ kind: "stale", subject: "cell", key, message: `${key}: expected but not run (the scenario no longer has this cell?)` });
    }
  }

  for (const rp of input.probes) {
    const f = exp[rp.runtime];
    if (rp.error) {
      diffs.push({ kind: "not-run", subject: "probe", key: "(all probes)", runtimes: [rp.runtime], expected: "probe results", actual: "none", detail: rp.error, versions: versions([rp.runtime]) });
      continue;
    }
    const ran = new Set<string>();
    for (const p of rp.results) {
      ran.add(p.id);
      const e = f?.probes[p.id];
      const verdict = judgeProbe(p.outcome, e);
      if (!e && f && verdict === "ok") notes.push({ kind: "new", subject: "probe", key: `${rp.runtime}:${p.id}`, message: `${rp.runtime} ${p.id}: "${p.outcome}", no expectation yet` });
      if (e?.status === "varies" && e.outcome !== undefined && e.outcome !== p.outcome && verdict === "ok") {
        notes.push({ kind: "varies", subject: "probe", key: `${rp.runtime}:${p.id}`, message: `${rp.runtime} ${p.id}: "${p.outcome}" (last recorded "${e.outcome}"; this probe varies by machine)` });
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
        notes.push({ kind: "stale", subject: "probe", key: `${rp.runtime}:${id}`, message: `${rp.runtime} ${id}: expected but the catalogue has no such probe` });
      }
    }
  }
  return { dir: input.dir, ok: diffs.length === 0, diffs, notes, recorded, ignored };
}

// ---------------------------------------------------------------------------------------
// Updating

function cellStatusOf(c: CellResult): CellExpectedStatus {
  return c.status === "pass" ? "supported" : c.status === "unsupported" ? "unsupported" : "known-failing";
}

function probeExpectationOf(p: ProbeResult, prev: ProbeExpectation | undefined): ProbeExpectation {
  if (prev?.status === "varies") return { ...prev, outcome: p.outcome };
  const status: ProbeExpectedStatus = p.outcome === "unsupported" ? "unsupported" : isProbeFailure(p.outcome) ? "known-failing" : "supported";
  const next: ProbeExpectation = status === "supported" ? { status, outcome: p.outcome } : { status };
  const same = prev && prev.status === next.status && prev.outcome === next.outcome;
  if (same) return { ...next, ...(prev.issue ? { issue: prev.issue } : {}), ...(prev.note ? { note: prev.note } : {}) };
  if (status === "known-failing") return { ...next, note: `recorded by --update-expectations: ${p.error?.message ?? p.explanation}`.slice(0, 240) };
  return next;
}

/**
 * The expectation files after this run: entries for what ran are replaced (keeping the
 * issue links and notes of entries whose status did not change), entries for what was not
 * selected are kept, entries that were selected but no longer exist are dropped.
 */
export function updatedExpectations(input: CompareInput): Expectations {
  const { expectations: exp, selection: sel } = input;
  const out: Expectations = {};
  const infos = new Map(input.runtimes.map((r) => [r.name, r]));
  for (const rt of sel.runtimes) {
    const info = infos.get(rt);
    if (!info || info.error) throw new Error(`cannot update expectations for ${rt}: ${info?.error ?? "it did not run"}`);
    const prev = exp[rt];
    const cells: Record<string, CellExpectation> = {};
    for (const [key, e] of Object.entries(prev?.cells ?? {})) if (!inSelection(key, sel)) cells[key] = e;
    for (const c of input.cells) {
      if (c.server !== rt && c.client !== rt) continue;
      const key = cellKey(c);
      const old = prev?.cells[key];
      const status = cellStatusOf(c);
      if (old && old.status === status) cells[key] = old;
      else if (status === "known-failing") cells[key] = { status, note: `recorded by --update-expectations: ${c.reason ?? c.status}`.slice(0, 240) };
      else cells[key] = { status };
    }
    const probes: Record<string, ProbeExpectation> = {};
    const rp = input.probes.find((p) => p.runtime === rt);
    if (rp?.error) throw new Error(`cannot update expectations for ${rt}: ${rp.error}`);
    for (const [id, e] of Object.entries(prev?.probes ?? {})) {
      // Kept when the probes did not run at all, or only a subset ran without this one.
      if (!rp || (sel.probes && !sel.probes.includes(id))) probes[id] = e;
    }
    for (const p of rp?.results ?? []) probes[p.id] = probeExpectationOf(p, prev?.probes[p.id]);
    out[rt] = { schema: EXPECTATIONS_SCHEMA, runtime: rt, version: info.version, cells, probes, ...(prev?.reliability ? { reliability: prev.reliability } : {}) };
  }
  return out;
}
