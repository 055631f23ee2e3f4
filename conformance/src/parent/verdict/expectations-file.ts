/**
 * The expectation files: what each runtime is expected to do, committed as one JSON file per
 * runtime (conformance/expectations/{node,bun,deno}.json). Known gaps are data, not `if`s in
 * tests: a cell, probe or reliability entry says "supported", "unsupported" or "known-failing"
 * (with the upstream issue), and `netparity run` judges every result against it (judge.ts).
 * A change in a runtime's behaviour then shows up as a diff, and `--update-expectations`
 * records the new state (updatedExpectations, updateReliabilityExpectations below).
 *
 * Cells involve two runtimes, so a cell's entry is kept in both runtimes' files.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import type { ProbeResult } from "../../in-runtime/probes/types.js";
import type { ReliabilityResult } from "../reliability/types.js";
import type { CellResult, RuntimeInfo } from "../runner/matrix.js";
import type { RuntimeProbes } from "../runner/probes.js";
import { cellKey, inSelection, isProbeFailure, parseCellKey, type Selection } from "./keys.js";

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
  /** Reliability cases of this runtime, by case id (judged like cells: verdict/judge.ts). */
  reliability?: Record<string, CellExpectation>;
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
  for (const [k, e] of Object.entries(f.cells ?? {})) {
    if (!parseCellKey(k)) fail(`cell key "${k}" is not scenario/transport/host/server->client`);
    if (!CELL_STATUSES.includes(e?.status)) fail(`cell "${k}": status must be one of ${CELL_STATUSES.join(", ")}`);
  }
  for (const [k, e] of Object.entries(f.probes ?? {})) {
    if (!PROBE_STATUSES.includes(e?.status)) fail(`probe "${k}": status must be one of ${PROBE_STATUSES.join(", ")}`);
    if (e.status === "supported" && typeof e.outcome !== "string")
      fail(`probe "${k}": a supported probe needs an "outcome"`);
  }
  for (const [k, e] of Object.entries(f.reliability ?? {})) {
    if (!CELL_STATUSES.includes(e?.status))
      fail(`reliability "${k}": status must be one of ${CELL_STATUSES.join(", ")}`);
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
    if (!info || info.error)
      throw new Error(`cannot update expectations for ${rt}: ${info?.error ?? "it did not run"}`);
    const prev = exp[rt];
    const cells: Record<string, CellExpectation> = {};
    for (const [key, e] of Object.entries(prev?.cells ?? {})) if (!inSelection(key, sel)) cells[key] = e;
    for (const c of input.cells) {
      if (c.server !== rt && c.client !== rt) continue;
      const key = cellKey(c);
      const old = prev?.cells[key];
      const status = expectedStatusOf(c.status);
      if (old && old.status === status) cells[key] = old;
      else if (status === "known-failing")
        cells[key] = { status, note: `recorded by --update-expectations: ${c.reason ?? c.status}`.slice(0, 240) };
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
    out[rt] = {
      schema: EXPECTATIONS_SCHEMA,
      runtime: rt,
      version: info.version,
      cells,
      probes,
      ...(prev?.reliability ? { reliability: prev.reliability } : {}),
    };
  }
  return out;
}

/** Writes this run's reliability results into `files` (in place), keeping issue links of unchanged entries. */
export function updateReliabilityExpectations(
  files: Expectations,
  results: ReliabilityResult[],
  ran: readonly string[],
): void {
  for (const rt of Object.keys(files) as RuntimeName[]) {
    const f = files[rt];
    if (!f) continue;
    const prev = f.reliability ?? {};
    const next: Record<string, CellExpectation> = {};
    // Cases not run this time keep their entries.
    for (const [id, e] of Object.entries(prev)) if (!ran.includes(id)) next[id] = e;
    for (const r of results.filter((x) => x.runtime === rt)) {
      const status = expectedStatusOf(r.status);
      const old = prev[r.id];
      next[r.id] =
        old && old.status === status
          ? old
          : status === "known-failing"
            ? { status, note: `recorded by --update-expectations: ${r.detail}`.slice(0, 240) }
            : { status };
    }
    f.reliability = sortKeys(next);
  }
}
