/**
 * How one result compares with its expectation: a cell, a probe or a reliability case gets a
 * verdict ("ok", or the kind of difference) and carries the expectation it was held against.
 * Without expectation files (`--no-expectations`) only a failure is not ok.
 *
 * A cell's entry is kept in both its runtimes' files; where the two disagree the stronger
 * claim wins (known-failing over unsupported over supported), so marking a cell known-failing
 * in the file of the runtime at fault is enough.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { ProbeResult } from "../../in-runtime/probes/types.js";
import type { ReliabilityResult } from "../reliability/types.js";
import type { CellResult } from "../runner/matrix.js";
import type { RuntimeProbes } from "../runner/probes.js";
import type { CellExpectation, CellExpectedStatus, Expectations, ProbeExpectation } from "./expectations-file.js";
import { cellKey, isProbeFailure } from "./keys.js";
import { pick } from "./versions.js";

export { isProbeFailure };

export type DiffKind = "unexpected-failure" | "unexpected-pass" | "changed" | "not-run";

export type CellVerdict = "ok" | DiffKind;

export interface JudgedCell extends CellResult {
  key: string;
  expected?: CellExpectation;
  /** "ok" when the result matches its expectation (or, without expectations, passed). */
  verdict: CellVerdict;
}

export interface JudgedProbe extends ProbeResult {
  runtime: RuntimeName;
  version: string;
  expected?: ProbeExpectation;
  verdict: CellVerdict;
}

export interface JudgedReliability extends ReliabilityResult {
  expected?: CellExpectation;
  verdict: CellVerdict;
}

const STRENGTH: Record<CellExpectedStatus, number> = { supported: 0, unsupported: 1, "known-failing": 2 };

type CellRef = {
  server: RuntimeName;
  client: RuntimeName;
  serverVersion?: string;
  clientVersion?: string;
} & Parameters<typeof cellKey>[0];

/**
 * The expectation for a cell: the server's file's entry for the server's version and the
 * client's file's entry for the client's version, the stronger one. `uncovered` names each end
 * whose file has an entry for the cell but none for that end's version ("node 22.23.3").
 */
export function lookupCell(exp: Expectations, cell: CellRef): { expected?: CellExpectation; uncovered: string[] } {
  const key = cellKey(cell);
  const uncovered: string[] = [];
  const ends: Array<[RuntimeName, string | undefined]> = [[cell.server, cell.serverVersion]];
  // Both ends of one runtime in one version: one lookup.
  if (cell.client !== cell.server || cell.clientVersion !== cell.serverVersion)
    ends.push([cell.client, cell.clientVersion]);
  const found: CellExpectation[] = [];
  for (const [rt, version] of ends) {
    const p = pick(exp[rt]?.cells[key], version);
    if (p.expected) found.push(p.expected);
    if (p.uncovered) uncovered.push(`${rt} ${version ?? "(unknown version)"}`);
  }
  if (found.length < 2) return { ...(found[0] ? { expected: found[0] } : {}), uncovered };
  const [a, b] = found as [CellExpectation, CellExpectation];
  const [strong, weak] = STRENGTH[b.status] > STRENGTH[a.status] ? [b, a] : [a, b];
  return {
    expected: { ...strong, ...((strong.issue ?? weak.issue) ? { issue: strong.issue ?? weak.issue } : {}) },
    uncovered,
  };
}

/** The expectation for a cell: from the server's and the client's files, the stronger one. */
export function cellExpectation(exp: Expectations, cell: CellRef): CellExpectation | undefined {
  return lookupCell(exp, cell).expected;
}

function isFailure(status: string): boolean {
  return status === "fail" || status === "error";
}

/** The verdict when nothing is expected: a failure is not ok, anything else is. */
function failureOnly(failed: boolean): CellVerdict {
  return failed ? "unexpected-failure" : "ok";
}

/** How one cell compares with its expectation (undefined: expected to pass). */
export function judgeCell(status: CellResult["status"], exp: CellExpectation | undefined): CellVerdict {
  const want = exp?.status ?? "supported";
  if (want === "supported") return status === "pass" ? "ok" : isFailure(status) ? "unexpected-failure" : "changed";
  if (want === "unsupported")
    return status === "unsupported" ? "ok" : status === "pass" ? "unexpected-pass" : "changed";
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

/**
 * A cell with its key, its expectation and its verdict (exp null: expectations not compared).
 * `multi`: runtimes with several versions in the run, whose ends the key names with their
 * version (`node@22.23.3`). A cell no entry covers for its versions is judged as one without
 * an entry: only a failure is a difference.
 */
export function judgedCell(c: CellResult, exp: Expectations | null, multi?: ReadonlySet<string>): JudgedCell {
  const e = exp ? lookupCell(exp, c).expected : undefined;
  const verdict = exp ? judgeCell(c.status, e) : failureOnly(isFailure(c.status));
  return { ...c, key: cellKey(c, multi), ...(e ? { expected: e } : {}), verdict };
}

/** One runtime's probe results (one version of it), each with its expectation and verdict. */
export function judgedProbes(rp: RuntimeProbes, exp: Expectations | null): JudgedProbe[] {
  return rp.results.map((p) => {
    const e = pick(exp?.[rp.runtime]?.probes[p.id], rp.version).expected;
    const verdict = exp ? judgeProbe(p.outcome, e) : failureOnly(isProbeFailure(p.outcome));
    return { ...p, runtime: rp.runtime, version: rp.version, ...(e ? { expected: e } : {}), verdict };
  });
}

/** Reliability results, judged like cells against the files' "reliability" section (by case id and version). */
export function judgeReliability(results: ReliabilityResult[], exp: Expectations | null): JudgedReliability[] {
  return results.map((r) => {
    const e = pick(exp?.[r.runtime]?.reliability?.[r.id], r.version).expected;
    const verdict = exp ? judgeCell(r.status, e) : failureOnly(isFailure(r.status));
    return { ...r, ...(e ? { expected: e } : {}), verdict };
  });
}
