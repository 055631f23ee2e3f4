/**
 * What the checks of the WinterTC Sockets spec suite share: the Socket as the draft defines it
 * (seen structurally), the context a check runs in, and the steps checks use (waiting with
 * STEP_MS, reading a stream to its end, an expected rejection). The checks are grouped by the
 * draft's sections in connect-checks.ts, socket-checks.ts and starttls-checks.ts; spec.ts runs them.
 */
import { type Runtime, utf8 } from "@netparity/protocol";
import { assert, fail, skip } from "../common/check.js";
import { TIMED_OUT, timeoutDetail, within, withTimeout } from "../common/timing.js";
import {
  type ConnectLike,
  type ConnectOptionsLike,
  type PemSet,
  type SettleState,
  type SocketLike,
  type SpecPeers,
  stateOf,
  type TestServer,
} from "../common/draft-sockets.js";

export type { ConnectLike, ConnectOptionsLike, SocketLike } from "../common/draft-sockets.js";

/** One implementation under test. */
export interface SocketsImplementation {
  /** e.g. "@netparity/sockets" or "@arrowood.dev/socket". */
  name: string;
  connect: ConnectLike;
  /** A connect that trusts `ca` (through a binding object, or the process's CA store). */
  trusting(ca: string): ConnectLike;
}

export interface SpecHooks {
  /** How many promise rejections went unhandled so far in this process, where the agent can tell. */
  unhandledRejections?(): number;
}

/**
 * Bound of one step of a check (a connect, a write, a read to the FIN): 5 s. The unit test's
 * comparison row sets a shorter one through the spec's `stepMs` (setStepMs), so that the
 * polyfill's known failures, which wait for it, do not hold the test up; the CLI's suite never does.
 */
export let STEP_MS = 5000;

/** Sets STEP_MS for this process (before the suite runs). */
export function setStepMs(ms: number): void {
  STEP_MS = ms;
}

export type State = SettleState;

/** Whether `p` settled within `ms` (used only where "pending" is the answer that never changes). */
export { stateOf };

export async function rejection(p: Promise<unknown> | undefined, what: string): Promise<unknown> {
  assert(p instanceof Promise, `${what}: not a promise`);
  const r = await within(
    p.then(
      () => ({ rejected: false as const }),
      (error: unknown) => ({ rejected: true as const, error }),
    ),
    STEP_MS,
  );
  if (r === TIMED_OUT) fail(timeoutDetail(what, STEP_MS));
  if (r.rejected) return r.error;
  fail(`${what}: resolved, expected a rejection`);
}

export function isSocketError(e: unknown): boolean {
  return e instanceof TypeError && e.message.startsWith("SocketError: ");
}

export function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Reads `readable` to its end; the bytes as text. */
export async function readText(readable: ReadableStream<Uint8Array>, what: string): Promise<string> {
  const reader = readable.getReader();
  const decoder = new TextDecoder();
  let text = "";
  await withTimeout(
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })(),
    STEP_MS,
    what,
  );
  reader.releaseLock();
  return text;
}

/** Writes `text`, half-closes, reads the echo to its end. */
export async function echoOnce(socket: SocketLike, text: string): Promise<string> {
  const writer = socket.writable.getWriter();
  await withTimeout(writer.write(utf8(text)), STEP_MS, "write");
  await withTimeout(writer.close(), STEP_MS, "close the writable");
  return readText(socket.readable, "read the echo");
}

export interface Ctx {
  rt: Runtime;
  impl: SocketsImplementation;
  pems: PemSet | undefined;
  hooks: SpecHooks;
  /** Where the check's servers come from (this process, or another one). */
  peers: SpecPeers;
  /** Sockets and servers to close after the check. */
  defer(f: () => unknown): void;
  server(make: Promise<TestServer>): Promise<TestServer>;
  connect: ConnectLike;
  /** The probe outcome, for kind "probe". */
  observe(outcome: string): void;
}

export interface SpecCheck {
  section: string;
  name: string;
  kind: "normative" | "probe";
  run(ctx: Ctx): Promise<void>;
}

export const needPems = (ctx: Ctx): PemSet => {
  if (!ctx.pems) skip("no certificates");
  return ctx.pems;
};

/** A socket that errors after being opened rejects; connect() itself may throw. */
export function connectOrError(
  connect: ConnectLike,
  address: unknown,
  options?: ConnectOptionsLike,
): SocketLike | { thrown: unknown } {
  try {
    return connect(address, options);
  } catch (e) {
    return { thrown: e };
  }
}
