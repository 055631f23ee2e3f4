/**
 * Timers for code that runs inside every runtime (scenarios, the contract, probes). They live
 * here rather than in packages/protocol because timers are a host API, not ECMAScript; the
 * web-standard setTimeout/clearTimeout exist in Node, Bun and Deno alike. Nothing else in the
 * in-runtime tree races its own setTimeout against a promise.
 */
import { NetError } from "@netparity/protocol";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** What `within` gives back when the deadline came first. */
export const TIMED_OUT: unique symbol = Symbol("timed out");

/**
 * Waits at most `ms` for `promise`: its value, or TIMED_OUT when the deadline came first (the
 * promise keeps running; a rejection still rejects). The timer is always cleared.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** The line of something that ran out of time, as every timer here words it. */
export function timeoutDetail(what: string, ms: number): string {
  return `${what} timed out after ${ms} ms`;
}

/** Races `promise` against a deadline; rejects with a NetError ETIMEDOUT naming `what`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const r = await within(promise, ms);
  if (r === TIMED_OUT) throw new NetError("ETIMEDOUT", timeoutDetail(what, ms));
  return r;
}
