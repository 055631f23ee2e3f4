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

/** The expectation for a cell: from the server's and the client's files, the stronger one. */
export function cellExpectation(
  exp: Expectations,
  cell: { server: RuntimeName; client: RuntimeName } & Parameters<typeof cellKey>[0],
): CellExpectation | undefined {
  const key = cellKey(cell);
  const a = exp[cell.server]?.cells[key];
  const b = cell.client === cell.server ? undefined : exp[cell.client]?.cells[key];
  if (!a) return b;
  if (!b) return a;
  const [strong, weak] = STRENGTH[b.status] > STRENGTH[a.status] ? [b, a] : [a, b];
  return { ...strong, ...((strong.issue ?? weak.issue) ? { issue: strong.issue ?? weak.issue } : {}) };
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

/** A cell with its key, its expectation and its verdict (exp null: expectations not compared). */
export function judgedCell(c: CellResult, exp: Expectations | null): JudgedCell {
  const e = exp ? cellExpectation(exp, c) : undefined;
  const verdict = exp ? judgeCell(c.status, e) : failureOnly(isFailure(c.status));
  return { ...c, key: cellKey(c), ...(e ? { expected: e } : {}), verdict };
}

/** One runtime's probe results, each with its expectation and verdict. */
export function judgedProbes(rp: RuntimeProbes, exp: Expectations | null): JudgedProbe[] {
  return rp.results.map((p) => {
    const e = exp?.[rp.runtime]?.probes[p.id];
    const verdict = exp ? judgeProbe(p.outcome, e) : failureOnly(isProbeFailure(p.outcome));
    return { ...p, runtime: rp.runtime, version: rp.version, ...(e ? { expected: e } : {}), verdict };
  });
}

/** Reliability results, judged like cells against the files' "reliability" section (by case id). */
export function judgeReliability(results: ReliabilityResult[], exp: Expectations | null): JudgedReliability[] {
  return results.map((r) => {
    const e = exp?.[r.runtime]?.reliability?.[r.id];
    const verdict = exp ? judgeCell(r.status, e) : failureOnly(isFailure(r.status));
    return { ...r, ...(e ? { expected: e } : {}), verdict };
  });
}
