/**
 * One vocabulary for the checks that run inside a runtime: the adapter contract (contract/),
 * the WinterTC sockets spec suite (sockets-spec/), the probes (probes/) and the reliability
 * cases' in-runtime halves (reliability/). A check body asserts (`assert`, `fail`), says it
 * cannot run here (`skip`, with the reason), and is run bounded in time (`runBounded`, over
 * common/timing.ts); each harness turns the way it ended (`Ran`) into its own report entry,
 * which always carries a `CheckResult`-like status, a one-line detail and the time it took.
 */
import { isNetError, NetError } from "@netparity/protocol";
import { TIMED_OUT, timeoutDetail, within } from "./timing.js";

/** How one check ended. "observed" is a check that records rather than judges (the spec suite's probes). */
export type CheckStatus = "pass" | "fail" | "skip" | "observed";

/** What every harness reports for one check; each adds its own keys (name, section, ...). */
export interface CheckResult<S extends CheckStatus = CheckStatus> {
  status: S;
  /** One line: why it failed or was skipped, or what was observed. */
  detail?: string;
  ms: number;
}

/** Thrown by `assert` and `fail`: the check found the behaviour it tests wrong. */
export class CheckFailed extends Error {
  override name = "CheckFailed";
}

/** Thrown by `skip`: what the check needs is absent here (a feature the adapter denies, no certificates). */
export class CheckSkipped extends Error {
  override name = "CheckSkipped";
}

export function assert(cond: unknown, message: string): asserts cond {
  if (!cond) throw new CheckFailed(message);
}

export function fail(message: string): never {
  throw new CheckFailed(message);
}

export function skip(reason: string): never {
  throw new CheckSkipped(reason);
}

/** How one bounded run of a check's body ended; `ms` is its duration on the runtime's clock. */
export type Ran<T> =
  | { state: "done"; value: T; ms: number }
  | { state: "skipped"; reason: string; ms: number }
  | { state: "failed"; error: unknown; ms: number }
  | { state: "timeout"; limitMs: number; ms: number };

/**
 * Runs `body` for at most `limitMs` and says how it ended; never throws. A body still running
 * at the deadline keeps running (its sockets are the harness's to close).
 */
export async function runBounded<T>(now: () => number, body: () => Promise<T>, limitMs: number): Promise<Ran<T>> {
  const t0 = now();
  const ms = () => Math.round(now() - t0);
  try {
    const value = await within(body(), limitMs);
    if (value === TIMED_OUT) return { state: "timeout", limitMs, ms: ms() };
    return { state: "done", value, ms: ms() };
  } catch (error) {
    if (error instanceof CheckSkipped) return { state: "skipped", reason: error.message, ms: ms() };
    return { state: "failed", error, ms: ms() };
  }
}

/** A thrown value in one line: "CODE: message" for a NetError, the message of another Error, else the value. */
export function describeFailure(e: unknown): string {
  if (e instanceof Error) return `${isNetError(e) ? `${e.code}: ` : ""}${e.message}`;
  return String(e);
}

/**
 * A pass/fail/skip verdict of a judging check (the adapter contract, the spec suite's normative
 * statements): done passes (a string it returned is the detail), a skip keeps its reason, an
 * error or the deadline fails. `describe` words an error (describeFailure by default).
 */
export function judgedRun(
  r: Ran<unknown>,
  what: string,
  describe: (e: unknown) => string = describeFailure,
): CheckResult<"pass" | "fail" | "skip"> {
  switch (r.state) {
    case "done":
      return { status: "pass", ...(typeof r.value === "string" && r.value ? { detail: r.value } : {}), ms: r.ms };
    case "skipped":
      return { status: "skip", detail: r.reason, ms: r.ms };
    case "failed":
      return { status: "fail", detail: describe(r.error), ms: r.ms };
    case "timeout":
      // Worded as the NetError ETIMEDOUT that withTimeout throws.
      return { status: "fail", detail: describe(new NetError("ETIMEDOUT", timeoutDetail(what, r.limitMs))), ms: r.ms };
  }
}
