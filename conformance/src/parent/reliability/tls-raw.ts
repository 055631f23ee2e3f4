/**
 * TLS clients for the reliability cases, in the Node parent over node:tls: a well-behaved
 * echo exchange (trusting the run's CA, or not, or asking for another name), and a real
 * ClientHello captured once so bad clients can send all or part of one and vanish.
 */
import { createServer, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import type { ServerAgent } from "./agents.js";

export interface TlsExchange {
  ok: boolean;
  /** What went wrong; "" when ok. */
  why: string;
  /** The error code the client saw (e.g. UNABLE_TO_VERIFY_LEAF_SIGNATURE), when it failed with one. */
  code?: string;
}

/** One echo exchange over TLS: handshake, `payload`, close_notify + FIN, the same bytes back and the end. */
export function tlsEcho(
  target: { host: string; port: number },
  options: { ca: string; servername?: string; payload?: Buffer; timeoutMs?: number },
): Promise<TlsExchange> {
  const payload = options.payload ?? Buffer.from("still echoing over TLS?");
  const timeoutMs = options.timeoutMs ?? 5000;
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const s = tlsConnect({
      host: target.host,
      port: target.port,
      ca: options.ca,
      servername: options.servername ?? "localhost",
    });
    const finish = (r: TlsExchange): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => finish({ ok: false, why: `no complete answer within ${timeoutMs} ms (${received} bytes back)` }),
      timeoutMs,
    );
    s.once("secureConnect", () => {
      s.write(payload);
      s.end();
    });
    s.on("data", (d: Buffer) => {
      chunks.push(d);
      received += d.length;
    });
    s.on("end", () => {
      const got = Buffer.concat(chunks);
      finish(
        got.equals(payload)
          ? { ok: true, why: "" }
          : {
              ok: false,
              why: `echo got ${got.length} of ${payload.length} bytes${got.length === payload.length ? " (different)" : ""}`,
            },
      );
    });
    s.on("error", (e: NodeJS.ErrnoException) =>
      finish({ ok: false, why: `${e.code ?? "error"}: ${e.message}`, ...(e.code ? { code: e.code } : {}) }),
    );
  });
}

/** Whether the server process is still running (a crash would have ended it). */
export function alive(s: ServerAgent): boolean {
  return s.child.exitCode === null && s.child.signalCode === null;
}

/** Lines the server wrote to stderr so far. */
export function logLines(s: ServerAgent): number {
  return s
    .stderr()
    .split("\n")
    .filter((l) => l.trim() !== "").length;
}

/**
 * The first TLS record node:tls sends (its ClientHello), caught by a plain TCP listener that
 * never answers. Its random and key shares differ each time; its shape does not.
 */
export async function captureClientHello(timeoutMs = 5000): Promise<Buffer> {
  const server = createServer();
  const sockets: Socket[] = [];
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const client = tlsConnect({ host: "127.0.0.1", port, servername: "localhost" });
  client.on("error", () => {
    // destroyed below, before any answer
  });
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ClientHello within ${timeoutMs} ms`)), timeoutMs);
      server.on("connection", (sock: Socket) => {
        sockets.push(sock);
        let buf = Buffer.alloc(0);
        sock.on("error", () => {});
        sock.on("data", (d: Buffer) => {
          buf = Buffer.concat([buf, d]);
          // A TLS record: type (1), version (2), length (2), then the body.
          if (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
            clearTimeout(timer);
            resolve(Buffer.from(buf.subarray(0, 5 + buf.readUInt16BE(3))));
          }
        });
      });
    });
  } finally {
    client.destroy();
    for (const s of sockets) s.destroy();
    server.close();
  }
}
