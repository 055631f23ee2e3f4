/**
 * The parts of the reliability catalogue that must run inside the runtime under test (the
 * agent's "reliability" role), written against the Runtime interface only.
 */
import { isNetError, type Runtime } from "@netparity/protocol";
import { sleep, TIMED_OUT, within, withTimeout } from "../common/timing.js";
import { Checks, type ClientResult } from "../scenarios/types.js";

/** Printed on stderr once a write has waited this long: the peer stopped reading. */
export const FLOOD_BLOCKED_LINE = "flood: blocked";
const BLOCKED_AFTER_MS = 300;
const CHUNK = 64 * 1024;

/**
 * A killed peer under backpressure: writes until a write has to wait (the peer does not
 * read), says so on stderr, and keeps the write pending while the parent SIGKILLs the peer.
 * Passes when that pending write fails exactly once with a connection error, later calls
 * fail the same way at once, `closed` settles, and nothing is left unhandled.
 */
export async function floodUntilError(
  rt: Runtime,
  host: string,
  port: number,
  budgetMs: number,
): Promise<ClientResult> {
  const t0 = rt.host.now();
  const conn = await rt.connect({ transport: "tcp", hostname: host, port });
  const chunk = new Uint8Array(CHUNK).fill(0x61);
  let writes = 0;
  let errors = 0;
  let code = "";
  let blockedAt = 0;
  let failedAt = 0;
  try {
    while (rt.host.now() - t0 < budgetMs) {
      const w = conn.write(chunk);
      try {
        // A write still pending after BLOCKED_AFTER_MS: the peer stopped reading.
        if (!blockedAt && (await within(w, BLOCKED_AFTER_MS)) === TIMED_OUT) {
          blockedAt = rt.host.now();
          rt.host.stderrLine(FLOOD_BLOCKED_LINE);
        }
        await w;
        writes++;
      } catch (e) {
        errors++;
        code = isNetError(e) ? e.code : "ERROR";
        failedAt = rt.host.now();
        break;
      }
    }
    const after = async (op: () => Promise<unknown>): Promise<string> => {
      try {
        const v = await withTimeout(op(), 2000, "operation after the failure");
        return v === null ? "null" : "resolved";
      } catch (e) {
        return isNetError(e) ? e.code : "ERROR";
      }
    };
    const writeAfter = await after(() => conn.write(chunk));
    const readAfter = await after(() => conn.read());
    conn.close();
    const closed = await after(() => conn.closed.then(() => "closed"));
    // Let a late rejection surface (it would end the process before the result is printed).
    await sleep(200);
    const connectionError = ["ECONNRESET", "EPIPE", "ECONNABORTED", "CLOSED"].includes(code);
    const checks = new Checks();
    checks.record(
      "the peer stopped reading (backpressure)",
      blockedAt > 0,
      blockedAt ? `after ${writes} writes of 64 KiB` : `no write waited ${BLOCKED_AFTER_MS} ms in ${budgetMs} ms`,
    );
    checks.record(
      "the pending write failed once with a connection error",
      errors === 1 && connectionError,
      errors ? `${code} ${Math.round(failedAt - (blockedAt || t0))} ms after backpressure began` : "no error",
    );
    checks.record(
      "later calls fail at once, no hang",
      writeAfter !== "resolved" && writeAfter !== "ETIMEDOUT" && readAfter !== "ETIMEDOUT" && readAfter !== "resolved",
      `write: ${writeAfter}, read: ${readAfter}`,
    );
    checks.record("closed settles", closed === "resolved", closed);
    return {
      ok: checks.ok,
      checks: checks.list,
      metrics: { writes, errors, msToError: failedAt && blockedAt ? Math.round(failedAt - blockedAt) : -1 },
      output: `${code}; write after: ${writeAfter}; read after: ${readAfter}`,
    };
  } finally {
    conn.close();
  }
}
