/**
 * Helpers of the Node API probes (`nodeapi.*`): written against node:net, node:tls and node:dgram
 * on purpose, so that on Bun and Deno they meet those runtimes' compatibility layers unchanged.
 * Every socket a probe opens is registered in its Cleanup; every wait is bounded.
 */
import type { Socket as DgramSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server, type ServerOpts, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The fields Node puts on a system error, as recorded evidence (absent ones are left out). */
export interface NodeErrorEvidence {
  name?: string;
  code?: string;
  syscall?: string;
  errno?: number;
  address?: string;
  port?: number;
  message?: string;
}

export function nodeError(e: unknown): NodeErrorEvidence {
  if (!(e instanceof Error)) return { name: typeof e, message: String(e) };
  const x = e as Error & Partial<Record<"code" | "syscall" | "address", string> & Record<"errno" | "port", number>>;
  const out: NodeErrorEvidence = { name: x.name };
  if (typeof x.code === "string") out.code = x.code;
  if (typeof x.syscall === "string") out.syscall = x.syscall;
  if (typeof x.errno === "number") out.errno = x.errno;
  if (typeof x.address === "string") out.address = x.address;
  if (typeof x.port === "number") out.port = x.port;
  return out;
}

export const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves when `check()` holds, or after `ms` (false then). */
export async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await wait(5);
  }
  return true;
}

/** Sockets, servers and directories a probe made; all closed or removed, newest first. */
export class Cleanup {
  #items: Array<() => void> = [];
  socket<T extends Socket>(s: T): T {
    s.on("error", () => undefined);
    this.#items.push(() => s.destroy());
    return s;
  }
  server<T extends Server>(s: T): T {
    this.#items.push(() => {
      s.close();
      (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
    });
    return s;
  }
  dgram<T extends DgramSocket>(d: T): T {
    d.on("error", () => undefined);
    this.#items.push(() => {
      try {
        d.close();
      } catch {
        // Already closed.
      }
    });
    return d;
  }
  /** A fresh directory for Unix socket paths. */
  dir(): string {
    const d = mkdtempSync(join(tmpdir(), "np-nodeapi-"));
    this.#items.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }
  run(): void {
    for (const f of this.#items.splice(0).reverse()) {
      try {
        f();
      } catch {
        // Cleanup of what already failed.
      }
    }
  }
}

export async function withCleanup<T>(body: (c: Cleanup) => Promise<T>): Promise<T> {
  const c = new Cleanup();
  try {
    return await body(c);
  } finally {
    c.run();
  }
}

/** Where a server listens: a TCP port on 127.0.0.1, or a Unix path. */
export type Where = { port: number; host: string } | { path: string };

/** A server listening on 127.0.0.1:0 (or `path`), its sockets registered; resolves on 'listening'. */
export async function listening(
  c: Cleanup,
  opts: ServerOpts,
  onConnection: (s: Socket) => void,
  path?: string,
): Promise<{ server: Server; where: Where }> {
  const server = c.server(
    createServer(opts, (s) => {
      c.socket(s);
      onConnection(s);
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (path) server.listen(path, resolve);
    else server.listen(0, "127.0.0.1", resolve);
  });
  const a = server.address();
  return { server, where: path ? { path } : { port: typeof a === "object" && a ? a.port : 0, host: "127.0.0.1" } };
}

/** The events of a socket in order, with their arguments where they carry one. */
export function recordEvents(s: Socket, into: string[]): void {
  s.on("end", () => into.push("end"));
  s.on("finish", () => into.push("finish"));
  s.on("close", (hadError: boolean) => into.push(`close(${hadError})`));
  s.on("error", (e: Error & { code?: string }) => into.push(`error(${e.code ?? e.name})`));
}

/** Reads a socket's data as text until 'end' or 'close'. */
export function collect(s: Socket): { text: () => string; ended: () => boolean } {
  let text = "";
  let ended = false;
  s.setEncoding("utf8");
  s.on("data", (d: string) => {
    text += d;
  });
  s.on("end", () => {
    ended = true;
  });
  return { text: () => text, ended: () => ended };
}
