/**
 * The peers of the WinterTC Sockets spec suite, made with the Runtime the suite runs in: an
 * echo server, a server that says "bye" and sends FIN, TLS echo, and a STARTTLS server.
 */
import { fromUtf8, utf8, type Connection, type Listener, type Runtime } from "@netparity/protocol";
import { skip } from "../common/check.js";
import type { PemSet, SpecPeers, TestServer } from "../common/draft-sockets.js";
import { echoConnection } from "../scenarios/echo.js";

export type { PemSet, SpecPeers, TestServer } from "../common/draft-sockets.js";

/** The peers made with `rt`'s own listen, in this process. */
export function localPeers(rt: Runtime, pems: PemSet | undefined): SpecPeers {
  const needPems = (): PemSet => {
    if (!pems) skip("no certificates");
    return pems;
  };
  return {
    echo: (hostname = "127.0.0.1", tls) =>
      echoServer(rt, hostname, tls ? { pems: needPems(), ...(tls.alpn ? { alpn: tls.alpn } : {}) } : undefined),
    fin: () => finServer(rt),
    startTls: () => startTlsServer(rt, needPems()),
    refusedPort: () => refusedPort(rt),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Reads `conn` to its end (or an error), copying each chunk. */
export async function drain(conn: Connection): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      const c = await conn.read();
      if (c === null) break;
      chunks.push(c.slice());
    }
  } catch {
    // a reset ends it too
  }
  return concat(chunks);
}

async function serve(
  listener: Listener,
  handle: (c: Connection) => Promise<Uint8Array | undefined>,
): Promise<TestServer> {
  const conns = new Set<Connection>();
  const received: Promise<Uint8Array>[] = [];
  void (async () => {
    for (;;) {
      const c = await listener.accept().catch(() => null);
      if (!c) return;
      conns.add(c);
      received.push(
        handle(c)
          .catch(() => undefined)
          .then((r) => r ?? new Uint8Array(0))
          .finally(() => {
            c.close();
            conns.delete(c);
          }),
      );
    }
  })();
  const a = listener.address;
  return {
    port: a.transport === "unix" ? 0 : a.port,
    received: (index) => received[index] ?? Promise.reject(new Error("no connection")),
    close: async () => {
      await listener.close();
      for (const c of conns) c.close();
    },
  };
}

/** RFC 862 echo over TCP (or TLS with `tls`), on `hostname`. */
export async function echoServer(
  rt: Runtime,
  hostname = "127.0.0.1",
  tls?: { pems: PemSet; alpn?: string[] },
): Promise<TestServer> {
  const listener = tls
    ? await rt.listen({
        transport: "tls",
        hostname,
        port: 0,
        tls: { cert: tls.pems.cert, key: tls.pems.key, ...(tls.alpn ? { alpn: tls.alpn } : {}) },
      })
    : await rt.listen({ transport: "tcp", hostname, port: 0 });
  return serve(listener, async (c) => {
    await echoConnection(c);
    return undefined;
  });
}

/** Writes "bye" and half-closes at once, then keeps reading: `received` says what came after its FIN. */
export async function finServer(rt: Runtime): Promise<TestServer> {
  const listener = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
  return serve(listener, async (c) => {
    await c.write(utf8("bye"));
    await c.closeWrite();
    return drain(c);
  });
}

/** Copies `from` to `to` until `from` ends, then half-closes `to`. */
async function pump(from: Connection, to: Connection): Promise<void> {
  try {
    for (;;) {
      const c = await from.read();
      if (c === null) break;
      await to.write(c.slice());
    }
    await to.closeWrite();
  } catch {
    to.close();
  }
}

/**
 * STARTTLS: a plaintext line "STARTTLS\n" is answered "OK\n", then the connection carries
 * TLS to an echo server. The TLS end is a TLS listener this server relays to, so the suite
 * needs no server-side upgrade (which Bun's and Deno's adapters lack).
 */
export async function startTlsServer(rt: Runtime, pems: PemSet): Promise<TestServer> {
  const tlsEcho = await echoServer(rt, "127.0.0.1", { pems });
  const listener = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
  const server = await serve(listener, async (c) => {
    let line = "";
    while (!line.includes("\n")) {
      const chunk = await c.read();
      if (chunk === null) return undefined;
      line += fromUtf8(chunk);
    }
    await c.write(utf8("OK\n"));
    const inner = await rt.connect({ transport: "tcp", hostname: "127.0.0.1", port: tlsEcho.port });
    try {
      await Promise.all([pump(c, inner), pump(inner, c)]);
    } finally {
      inner.close();
    }
    return undefined;
  });
  return {
    ...server,
    close: async () => {
      await server.close();
      await tlsEcho.close();
    },
  };
}

/** A port nothing listens on: a listener's ephemeral port, closed again. */
export async function refusedPort(rt: Runtime): Promise<number> {
  const l = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
  const port = l.address.transport === "unix" ? 0 : l.address.port;
  await l.close();
  return port;
}
