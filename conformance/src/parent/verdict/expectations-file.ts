/**
 * The expectation files: what each runtime is expected to do, committed as one JSON file per
 * runtime (conformance/expectations/{node,bun,deno}.json). Known gaps are data, not `if`s in
 * tests: a cell, probe or reliability entry says "supported", "unsupported" or "known-failing"
 * (with the upstream issue), and `netparity run` judges every result against it (judge.ts).
 * A change in a runtime's behaviour then shows up as a diff, and `--update-expectations`
 * records the new state (updatedExpectations, updateReliabilityExpectations below).
 *
 * Cells involve two runtimes, so a cell's entry is kept in both runtimes' files.
 *
 * An entry may also be an array of alternatives, each for a semver range of the file's
 * runtime ("versions"): see versions.ts. A plain object holds for every version.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import semver from "semver";
import type { ProbeResult } from "../../in-runtime/probes/types.js";
import type { ReliabilityResult } from "../reliability/types.js";
import type { CellResult, RuntimeInfo } from "../runner/matrix.js";
import type { RuntimeProbes } from "../runner/probes.js";
import { cellKey, inSelection, isProbeFailure, parseCellKey, type Selection } from "./keys.js";
import { alternatives, cleanVersion, mergeEntry, pick, type Entry } from "./versions.js";

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
  /** The runtime version the entries were recorded with (the highest, when a run had several). */
  version: string;
  cells: Record<string, Entry<CellExpectation>>;
  probes: Record<string, Entry<ProbeExpectation>>;
  /** Reliability cases of this runtime, by case id (judged like cells: verdict/judge.ts). */
  reliability?: Record<string, Entry<CellExpectation>>;
}

export type Expectations = Partial<Record<RuntimeName, ExpectationsFile>>;

/** One run's results and the files they are compared with (compare.ts) or recorded into. */
export interface CompareInput {
  dir: string;
  expectations: Expectations;
  selection: Selection;
  runtimes: RuntimeInfo[];
  cells: CellResult[];
  probes: RuntimeProbes[];
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
  // Each entry is one object or an array of alternatives with a semver range in "versions".
  const each = <T extends { status: string }>(what: string, e: Entry<T>, check: (a: T) => void): void => {
    if (Array.isArray(e) && !e.length) fail(`${what}: an empty list of alternatives`);
    for (const a of alternatives(e)) {
      if (!a || typeof a !== "object") fail(`${what}: expected an object`);
      if (Array.isArray(e) && typeof a.versions !== "string")
        fail(`${what}: each alternative needs "versions", a semver range such as "<22.12.0"`);
      if (a.versions !== undefined && (typeof a.versions !== "string" || !semver.validRange(a.versions)))
        fail(`${what}: "versions" ${JSON.stringify(a.versions)} is not a semver range`);
      check(a);
    }
  };
  for (const [k, e] of Object.entries(f.cells ?? {})) {
    const parsed = parseCellKey(k);
    if (!parsed) fail(`cell key "${k}" is not scenario/transport/host/server->client`);
    if (parsed?.serverVersion || parsed?.clientVersion)
      fail(`cell key "${k}": keys name runtimes only; give versions in the entry's "versions"`);
    each(`cell "${k}"`, e, (a) => {
      if (!CELL_STATUSES.includes(a?.status)) fail(`cell "${k}": status must be one of ${CELL_STATUSES.join(", ")}`);
    });
  }
  for (const [k, e] of Object.entries(f.probes ?? {})) {
    each(`probe "${k}"`, e, (a) => {
      if (!PROBE_STATUSES.includes(a?.status)) fail(`probe "${k}": status must be one of ${PROBE_STATUSES.join(", ")}`);
      if (a.status === "supported" && typeof a.outcome !== "string")
        fail(`probe "${k}": a supported probe needs an "outcome"`);
    });
  }
  for (const [k, e] of Object.entries(f.reliability ?? {})) {
    each(`reliability "${k}"`, e, (a) => {
      if (!CELL_STATUSES.includes(a?.status))
        fail(`reliability "${k}": status must be one of ${CELL_STATUSES.join(", ")}`);
    });
  }
  return {
    schema: EXPECTATIONS_SCHEMA,
    runtime: rt,
    version: String(f.version ?? "unknown"),
    cells: f.cells ?? {},
    probes: f.probes ?? {},
    ...(f.reliability ? { reliability: f.reliability } : {}),
  };
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
// Updating

/** What a cell's or reliability case's result records: a failure or error is known-failing. */
function expectedStatusOf(status: CellResult["status"] | ReliabilityResult["status"]): CellExpectedStatus {
  return status === "pass" ? "supported" : status === "unsupported" ? "unsupported" : "known-failing";
}

function probeExpectationOf(p: ProbeResult, prev: ProbeExpectation | undefined): ProbeExpectation {
  if (prev?.status === "varies") return { ...prev, outcome: p.outcome };
  const status: ProbeExpectedStatus =
    p.outcome === "unsupported" ? "unsupported" : isProbeFailure(p.outcome) ? "known-failing" : "supported";
  const next: ProbeExpectation = status === "supported" ? { status, outcome: p.outcome } : { status };
  const same = prev && prev.status === next.status && prev.outcome === next.outcome;
  if (same) return { ...next, ...(prev.issue ? { issue: prev.issue } : {}), ...(prev.note ? { note: prev.note } : {}) };
  if (status === "known-failing")
    return { ...next, note: `recorded by --update-expectations: ${p.error?.message ?? p.explanation}`.slice(0, 240) };
  return next;
}

const STRENGTH: Record<CellExpectedStatus, number> = { supported: 0, unsupported: 1, "known-failing": 2 };

function cellExpectationOf(
  c: CellResult,
  status: CellExpectedStatus,
  old: CellExpectation | undefined,
): CellExpectation {
  if (old && old.status === status) return old;
  if (status === "known-failing")
    return { status, note: `recorded by --update-expectations: ${c.reason ?? c.status}`.slice(0, 240) };
  return { status };
}

const sameCell = (a: CellExpectation, b: CellExpectation): boolean => a.status === b.status;
const sameProbe = (a: ProbeExpectation, b: ProbeExpectation): boolean =>
  a.status === b.status && (a.status === "varies" || a.outcome === b.outcome);

/** The highest of the versions (the file's "version" after a run with several). */
function highest(versions: string[]): string | undefined {
  const clean = versions.filter((v) => cleanVersion(v));
  return clean.sort((a, b) => semver.compare(cleanVersion(a)!, cleanVersion(b)!)).pop() ?? versions[0];
}

/**
 * The expectation files after this run: entries for what ran are merged with what the run saw
 * (versions.ts: unchanged entries keep their issue links and notes; a version seen with a new
 * result gets an alternative of its own), entries for what was not selected are kept, entries
 * that were selected but no longer exist are dropped.
 *
 * A cell's result is recorded in both its runtimes' files. With several versions of a runtime
 * in the run, each of its versions records the weakest status it showed in that cell with any
 * peer (supported < unsupported < known-failing): a failure that follows one version of the
 * peer is then recorded only on the peer's side.
 */
export function updatedExpectations(input: CompareInput): Expectations {
  const { expectations: exp, selection: sel } = input;
  const out: Expectations = {};
  for (const rt of sel.runtimes) {
    const infos = input.runtimes.filter((r) => r.name === rt);
    const broken = infos.find((i) => i.error);
    if (!infos.length || broken)
      throw new Error(`cannot update expectations for ${rt}: ${broken?.error ?? "it did not run"}`);
    const prev = exp[rt];
    const cells: Record<string, Entry<CellExpectation>> = {};
    for (const [key, e] of Object.entries(prev?.cells ?? {})) if (!inSelection(key, sel)) cells[key] = e;
    // key -> version of rt -> the weakest status seen there, and the cell that showed it.
    const seen = new Map<string, Map<string, { status: CellExpectedStatus; cell: CellResult }>>();
    for (const c of input.cells) {
      const ends = [
        ...(c.server === rt ? [c.serverVersion ?? infos[0]!.version] : []),
        ...(c.client === rt ? [c.clientVersion ?? infos[0]!.version] : []),
      ];
      if (!ends.length) continue;
      const key = cellKey(c);
      const byVersion = seen.get(key) ?? seen.set(key, new Map()).get(key)!;
      const status = expectedStatusOf(c.status);
      for (const v of new Set(ends)) {
        const had = byVersion.get(v);
        if (!had || STRENGTH[status] < STRENGTH[had.status]) byVersion.set(v, { status, cell: c });
      }
    }
    for (const [key, byVersion] of seen) {
      const before = prev?.cells[key];
      const observed = [...byVersion].map(
        ([v, { status, cell }]) => [v, cellExpectationOf(cell, status, pick(before, v).expected)] as const,
      );
      const next = mergeEntry(before, observed, sameCell, prev?.version);
      if (next) cells[key] = next;
    }
    const probes: Record<string, Entry<ProbeExpectation>> = {};
    const runs = input.probes.filter((p) => p.runtime === rt);
    const failed = runs.find((p) => p.error);
    if (failed) throw new Error(`cannot update expectations for ${rt}: ${failed.error}`);
    const ranIds = new Set(runs.flatMap((r) => r.results.map((p) => p.id)));
    for (const [id, e] of Object.entries(prev?.probes ?? {})) {
      // Kept when the probes did not run at all, or only a subset ran without this one.
      if (!runs.length || (sel.probes && !sel.probes.includes(id)) || (!ranIds.has(id) && sel.probes)) probes[id] = e;
    }
    for (const id of ranIds) {
      const before = prev?.probes[id];
      const observed = runs.flatMap((r) =>
        r.results
          .filter((p) => p.id === id)
          .map((p) => [r.version, probeExpectationOf(p, pick(before, r.version).expected)] as const),
      );
      const next = mergeEntry(before, observed, sameProbe, prev?.version);
      if (next) probes[id] = next;
    }
    out[rt] = {
      schema: EXPECTATIONS_SCHEMA,
      runtime: rt,
      version: highest(infos.map((i) => i.version)) ?? "unknown",
      cells,
      probes,
      ...(prev?.reliability ? { reliability: prev.reliability } : {}),
    };
  }
  return out;
}

/**
 * Writes this run's reliability results into `files` (in place), keeping issue links of
 * unchanged entries. `before`: the files as they were before this run (their "version" says
 * what the unversioned entries were recorded with); default: `files`.
 */
export function updateReliabilityExpectations(
  files: Expectations,
  results: ReliabilityResult[],
  ran: readonly string[],
  before: Expectations = files,
): void {
  for (const rt of Object.keys(files) as RuntimeName[]) {
    const f = files[rt];
    if (!f) continue;
    const prev = f.reliability ?? {};
    const next: Record<string, Entry<CellExpectation>> = {};
    // Cases not run this time keep their entries.
    for (const [id, e] of Object.entries(prev)) if (!ran.includes(id)) next[id] = e;
    const mine = results.filter((x) => x.runtime === rt);
    for (const id of new Set(mine.map((r) => r.id))) {
      const entry = prev[id];
      const observed = mine
        .filter((r) => r.id === id)
        .map((r) => {
          const status = expectedStatusOf(r.status);
          const old = pick(entry, r.version).expected;
          const e: CellExpectation =
            old && old.status === status
              ? old
              : status === "known-failing"
                ? { status, note: `recorded by --update-expectations: ${r.detail}`.slice(0, 240) }
                : { status };
          return [r.version, e] as const;
        });
      const merged = mergeEntry(entry, observed, sameCell, before[rt]?.version ?? f.version);
      if (merged) next[id] = merged;
    }
    f.reliability = sortKeys(next);
  }
}
