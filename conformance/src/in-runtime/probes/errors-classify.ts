/**
 * What the probes record about an error, and the labels drawn from it: pure functions of the
 * recorded evidence (errorEvidence() in util.ts writes it), shared by every probe classifier,
 * and the classifier of the error-shape probes (`err.*`). Unit-tested with evidence recorded
 * from real runtimes in test/probe-classify.test.ts.
 */
import type { ProbeVerdict } from "./types.js";

/** errorEvidence(): a NetError's fields with the runtime's own error as `cause`, or whatever else was thrown. */
export type ErrorEvidence =
  | {
      code: string;
      message?: string;
      operation?: string;
      /**
       * The runtime's own API accepted what the adapter refused (NetError.runtimeAccepted):
       * the upstream issue of that runtime bug. Absent on the runtime's own errors.
       */
      runtimeAccepted?: string;
      /** describeCause() of the runtime's error; null when the NetError had none. */
      cause: { name?: string; code?: string; message?: string } | null;
    }
  | { thrown: { name?: string; code?: string; message?: string } };

/** Whether `x` is what errorEvidence() records (and not another piece of evidence). */
export function isErrorEvidence(x: unknown): x is ErrorEvidence {
  return typeof x === "object" && x !== null && ("thrown" in x || ("code" in x && "cause" in x));
}

/** The normalized code of the error, or the class name of a thrown value that is not a NetError. */
export function codeOfEvidence(e: ErrorEvidence): string {
  if ("thrown" in e) return e.thrown.name ?? "non-error";
  if (e.code === "UNKNOWN") return `unmapped ${e.cause?.code ?? e.cause?.name ?? "error"}`;
  return e.code;
}

/**
 * A short, stable label of the runtime's error shape: the normalized code plus the class name
 * of the runtime's own error (and its code where that differs), e.g. "EADDRINUSE (Error)" on
 * Node, "EADDRINUSE (AddrInUse)" on Deno, "ENOTSUP (no cause)". An error the adapter could not
 * map (NetError code UNKNOWN) reads "unmapped (TypeError:ERR_INVALID_ARG_TYPE)": never a bare
 * UNKNOWN, always what the runtime threw. Messages carry ports and paths, so they stay in the
 * evidence.
 */
export function shapeOf(e: ErrorEvidence): string {
  if ("thrown" in e) return `non-NetError ${e.thrown.name ?? "non-error"}`;
  const code = e.code === "UNKNOWN" ? "unmapped" : e.code;
  if (e.cause === null) return `${code} (no cause)`;
  const name = e.cause.name ?? "unnamed";
  const causeCode = e.cause.code;
  return `${code} (${name}${causeCode && causeCode !== name && causeCode !== e.code ? `:${causeCode}` : ""})`;
}

/** How a read ended, as readOutcome() records it (util.ts), with `afterMs` and what came. */
export type ReadEvidence =
  | { ended: "pending"; afterMs?: number }
  | { ended: "eof"; afterMs?: number }
  | { ended: "data"; afterMs?: number; bytes: number }
  | { ended: "rejected"; afterMs?: number; error: ErrorEvidence }
  /** No read was made: there was no connection to read from. */
  | { ended: "none" };

/** A read's end as a short label: "data", "eof", "pending", "none", or the error's code. */
export function readLabel(r: ReadEvidence): string {
  return r.ended === "rejected" ? codeOfEvidence(r.error) : r.ended;
}

/** The evidence of an `err.*` probe: the error (with its message as a template), or nothing when the call worked. */
export type ErrorProbeEvidence = (ErrorEvidence & { causeMessageTemplate?: string }) | { succeeded: true };

/** err.*: the error shape of an operation that must fail, or "succeeds" when it did not fail. */
export function classifyErrorProbe(e: ErrorProbeEvidence, what: string): ProbeVerdict {
  if (!isErrorEvidence(e)) return { outcome: "succeeds", explanation: `${what} unexpectedly succeeded.` };
  const shape = shapeOf(e);
  const template = "causeMessageTemplate" in e ? e.causeMessageTemplate : undefined;
  return {
    outcome: shape,
    explanation: `${what} fails with ${shape}; the runtime's message reads "${template === undefined ? "(none)" : template}".`,
  };
}

/** The registered classifier of an err.* probe: `what` names the operation in the explanation. */
export function failing(what: string): (e: ErrorProbeEvidence) => ProbeVerdict {
  return (e) => classifyErrorProbe(e, what);
}
