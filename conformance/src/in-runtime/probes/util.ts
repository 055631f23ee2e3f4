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
import { sleep } from "../common/timing.js";

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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const pending = new Promise<"pending">((resolve) => (timer = setTimeout(() => resolve("pending"), ms)));
  try {
    const r = await Promise.race([
      p.then(
        (value) => ({ state: "resolved" as const, value }),
        (error: unknown) => ({ state: "rejected" as const, error }),
      ),
      pending,
    ]);
    const elapsed = Math.round((rt.host.now() - t0) * 10) / 10;
    return r === "pending" ? { state: "pending", ms: elapsed } : { ...r, ms: elapsed };
  } finally {
    clearTimeout(timer);
  }
}

/** The normalized code of an error, or its class name when it is not a NetError. */
export function codeOf(e: unknown): string {
  if (isNetError(e)) return e.code;
  if (e instanceof Error) return e.name;
  return "non-error";
}

/**
 * What an error looked like: the normalized NetError fields and, more interesting for
 * comparisons, the runtime's own error kept as `cause` (its class name, code and message).
 */
export function errorEvidence(e: unknown): Record<string, unknown> {
  if (isNetError(e)) {
    return {
      code: e.code,
      message: e.message,
      ...(e.operation ? { operation: e.operation } : {}),
      ...(e.cause !== undefined ? { cause: describeCause(e.cause) } : { cause: null }),
    };
  }
  return { thrown: describeCause(e) };
}

/**
 * A short, stable label of the runtime's error shape: the normalized code plus the class
 * name of the runtime's own error (and its code where that differs), e.g. "EADDRINUSE (Error)"
 * on Node, "EADDRINUSE (AddrInUse)" on Deno, "UNKNOWN (TypeError:ERR_INVALID_ARG_TYPE)". Messages carry ports and paths, so they stay in
 * the evidence.
 */
export function errorShape(e: unknown): string {
  if (!isNetError(e)) return `non-NetError ${codeOf(e)}`;
  if (e.cause === undefined) return `${e.code} (no cause)`;
  const c = describeCause(e.cause);
  const name = c.name ?? "?";
  return `${e.code} (${name}${c.code && c.code !== name && c.code !== e.code ? `:${c.code}` : ""})`;
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
): Promise<{ label: string; detail: Record<string, unknown> }> {
  const r = await settle(rt, conn.read(), ms);
  if (r.state === "pending") return { label: "pending", detail: { afterMs: r.ms } };
  if (r.state === "rejected")
    return { label: codeOf(r.error), detail: { afterMs: r.ms, error: errorEvidence(r.error) } };
  if (r.value === null) return { label: "eof", detail: { afterMs: r.ms } };
  return { label: "data", detail: { afterMs: r.ms, bytes: r.value.byteLength } };
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
