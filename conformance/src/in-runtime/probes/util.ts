/**
 * Small helpers shared by the probes. Everything here runs inside Node, Bun and Deno, so it
 * uses web-standard globals and the Runtime interface only.
 */
import {
  describeCause,
  isNetError,
  type Address,
  type Connection,
  type DatagramSocket,
  type Listener,
  type Runtime,
} from "@netparity/protocol";
import { sleep, TIMED_OUT, within } from "../common/timing.js";
import { codeOfEvidence, readLabel, shapeOf, type ErrorEvidence, type ReadEvidence } from "./errors-classify.js";

/** Cleanup actions run in reverse order; a probe registers every socket it opens. */
export class Scope {
  #actions: Array<() => unknown> = [];

  defer(action: () => unknown): void {
    this.#actions.push(action);
  }

  listener<T extends Listener>(l: T): T {
    this.defer(() => l.close());
    return l;
  }

  conn<T extends Connection>(c: T): T {
    this.defer(() => c.close());
    return c;
  }

  dgram<T extends DatagramSocket>(d: T): T {
    this.defer(() => d.close());
    return d;
  }

  async close(): Promise<void> {
    for (const action of this.#actions.splice(0).reverse()) {
      try {
        await Promise.race([Promise.resolve(action()), sleep(1000)]);
      } catch {
        // Cleanup of a socket that already failed: nothing more to learn from it.
      }
    }
  }
}

/** Runs `body` with a fresh Scope and always closes it. */
export async function scoped<T>(body: (scope: Scope) => Promise<T>): Promise<T> {
  const scope = new Scope();
  try {
    return await body(scope);
  } finally {
    await scope.close();
  }
}

export { sleep };

export type Settled<T> =
  | { state: "resolved"; value: T; ms: number }
  | { state: "rejected"; error: unknown; ms: number }
  | { state: "pending"; ms: number };

/**
 * Waits at most `ms` for `p` and says how it ended without throwing. The promise keeps
 * running when it is still pending; callers that care attach their own handlers.
 */
export async function settle<T>(rt: Runtime, p: Promise<T>, ms: number): Promise<Settled<T>> {
  const t0 = rt.host.now();
  const r = await within(
    p.then(
      (value) => ({ state: "resolved" as const, value }),
      (error: unknown) => ({ state: "rejected" as const, error }),
    ),
    ms,
  );
  const elapsed = Math.round((rt.host.now() - t0) * 10) / 10;
  return r === TIMED_OUT ? { state: "pending", ms: elapsed } : { ...r, ms: elapsed };
}

/** The normalized code of an error, or its class name when it is not a NetError. */
export function codeOf(e: unknown): string {
  return codeOfEvidence(errorEvidence(e));
}

/**
 * What an error looked like: the normalized NetError fields and, more interesting for
 * comparisons, the runtime's own error kept as `cause` (its class name, code and message).
 */
export function errorEvidence(e: unknown): ErrorEvidence {
  if (isNetError(e)) {
    return {
      code: e.code,
      message: e.message,
      ...(e.operation ? { operation: e.operation } : {}),
      ...(e.runtimeAccepted ? { runtimeAccepted: e.runtimeAccepted } : {}),
      ...(e.cause !== undefined ? { cause: describeCause(e.cause) } : { cause: null }),
    };
  }
  if (e instanceof Error) return { thrown: describeCause(e) };
  // Not an Error at all: no class name to report, whatever the value carries.
  const { name: _, ...rest } = describeCause(e);
  return { thrown: rest };
}

/** The error's shape label (shapeOf in errors-classify.ts), e.g. "EADDRINUSE (AddrInUse)". */
export function errorShape(e: unknown): string {
  return shapeOf(errorEvidence(e));
}

/** The message with ports, paths and addresses replaced, so its shape can be compared. */
export function messageTemplate(message: string, subs: Record<string, string | number> = {}): string {
  let m = message;
  for (const [label, value] of Object.entries(subs)) {
    if (String(value) === "") continue;
    m = m.split(String(value)).join(`<${label}>`);
  }
  return m;
}

export function tcpPort(a: Address): number {
  return a.transport === "unix" ? 0 : a.port;
}

export function hostOf(a: Address): string {
  return a.transport === "unix" ? `unix:${a.path}` : a.hostname;
}

/** A connected TCP pair over `hostname`, registered in `scope`. */
export async function tcpPair(
  rt: Runtime,
  scope: Scope,
  hostname = "127.0.0.1",
): Promise<{ listener: Listener; client: Connection; server: Connection; port: number }> {
  const listener = scope.listener(await rt.listen({ transport: "tcp", hostname, port: 0 }));
  const port = tcpPort(listener.address);
  const [client, server] = await Promise.all([rt.connect({ transport: "tcp", hostname, port }), listener.accept()]);
  scope.conn(client);
  if (!server) throw new Error("accept() returned null on an open listener");
  scope.conn(server);
  return { listener, client, server, port };
}

/** Reads until `n` bytes arrived, EOF, or the deadline; returns how many bytes came. */
export async function readAtLeast(
  rt: Runtime,
  conn: Connection,
  n: number,
  ms: number,
): Promise<{ bytes: number; eof: boolean; chunks: number; maxChunk: number }> {
  const deadline = rt.host.now() + ms;
  let bytes = 0;
  let chunks = 0;
  let maxChunk = 0;
  while (bytes < n) {
    const left = deadline - rt.host.now();
    if (left <= 0) break;
    const r = await settle(rt, conn.read(), left);
    if (r.state !== "resolved") {
      if (r.state === "rejected") throw r.error;
      break;
    }
    if (r.value === null) return { bytes, eof: true, chunks, maxChunk };
    bytes += r.value.byteLength;
    chunks++;
    maxChunk = Math.max(maxChunk, r.value.byteLength);
  }
  return { bytes, eof: false, chunks, maxChunk };
}

/** Reads to EOF (or the deadline) and returns the text received. */
export async function readText(rt: Runtime, conn: Connection, ms: number): Promise<{ text: string; eof: boolean }> {
  const deadline = rt.host.now() + ms;
  const dec = new TextDecoder();
  let text = "";
  for (;;) {
    const left = deadline - rt.host.now();
    if (left <= 0) return { text, eof: false };
    const r = await settle(rt, conn.read(), left);
    if (r.state === "rejected") throw r.error;
    if (r.state === "pending") return { text, eof: false };
    if (r.value === null) return { text, eof: true };
    text += dec.decode(r.value, { stream: true });
  }
}

/** How a read ended, as a short label: "data", "eof", an error code, or "pending". */
export async function readOutcome(
  rt: Runtime,
  conn: Connection,
  ms: number,
): Promise<{ label: string; detail: ReadEvidence }> {
  const r = await settle(rt, conn.read(), ms);
  const detail: ReadEvidence =
    r.state === "pending"
      ? { ended: "pending", afterMs: r.ms }
      : r.state === "rejected"
        ? { ended: "rejected", afterMs: r.ms, error: errorEvidence(r.error) }
        : r.value === null
          ? { ended: "eof", afterMs: r.ms }
          : { ended: "data", afterMs: r.ms, bytes: r.value.byteLength };
  return { label: readLabel(detail), detail };
}

export function mib(n: number): number {
  return Math.round((n / (1024 * 1024)) * 100) / 100;
}

/** A path for a Unix socket in a fresh temp directory; the directory is removed by `scope`. */
export async function socketPath(rt: Runtime, scope: Scope, name = "p.sock"): Promise<string> {
  const dir = await rt.fs.tempDir("netparity-probe-");
  const path = `${dir}/${name}`;
  scope.defer(async () => {
    await rt.fs.remove(path).catch(() => undefined);
    await rt.fs.remove(dir).catch(() => undefined);
  });
  return path;
}
