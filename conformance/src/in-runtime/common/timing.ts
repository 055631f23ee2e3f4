/**
 * Timers for code that runs inside every runtime (scenarios, the contract, probes). They live
 * here rather than in packages/protocol because timers are a host API, not ECMAScript; the
 * web-standard setTimeout/clearTimeout exist in Node, Bun and Deno alike.
 */
import { NetError } from "@netparity/protocol";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Races `promise` against a deadline; rejects with a NetError ETIMEDOUT naming `what`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NetError("ETIMEDOUT", `${what} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
