/**
 * TLS behaviour: versions, ALPN, certificate verification, client certificates, closing, and
 * what a runtime reports about a handshake. Every probe runs client and server in the same
 * runtime, on 127.0.0.1, with the throwaway certificates the parent handed the agent; the
 * outcomes are decided by the pure functions of tls-classify.ts.
 */
import type { Connection, Runtime, TlsClientOptions, TlsServerOptions } from "@netparity/protocol";
import type { ErrorEvidence } from "./errors-classify.js";
import {
  type Attempt,
  type CloseNotifyEvidence,
  type ConnectEvidence,
  failureFromEvidence,
  HALF_CLOSE_REPLY,
  type HalfCloseEvidence,
  NO_CERTS,
  type NoCertsEvidence,
  tlsRecords,
  tlsVerdicts,
  withCertificates,
} from "./tls-classify.js";
import type { Probe, ProbeCerts, ProbeContext } from "./types.js";
import {
  codeOf,
  errorEvidence,
  messageTemplate,
  readAtLeast,
  readText,
  type Scope,
  scoped,
  settle,
  sleep,
  tcpPort,
} from "./util.js";

const enc = new TextEncoder();
export const HOST = "127.0.0.1";
/** Every wait of one step; a probe has at most a few, well inside PROBE_TIMEOUT_MS. */
export const STEP_MS = 2000;

/** Runs `body` with the certificates, or records that there are none. */
export function withCerts<E>(ctx: ProbeContext, body: (certs: ProbeCerts) => Promise<E>): Promise<E | NoCertsEvidence> {
  return ctx.certs ? body(ctx.certs) : Promise.resolve(NO_CERTS);
}

/** A TLS listener on 127.0.0.1 and its first accepted connection (null when none came); both closed by `scope`. */
export async function tlsServer(
  rt: Runtime,
  scope: Scope,
  tls: TlsServerOptions,
): Promise<{ port: number; accepted: Promise<Connection | null> }> {
  const listener = await rt.listen({ transport: "tls", hostname: HOST, port: 0, tls });
  const accepted = listener.accept().catch(() => null);
  scope.defer(async () => {
    try {
      await listener.close();
    } finally {
      (await Promise.race([accepted, sleep(500).then(() => null)]))?.close();
    }
  });
  return { port: tcpPort(listener.address), accepted };
}

/** One TLS connect, bounded; a connection that opens is closed by `scope`, also one that opens too late. */
export async function tlsConnect(
  rt: Runtime,
  scope: Scope,
  port: number,
  tls: TlsClientOptions,
): Promise<{ attempt: Attempt; conn?: Connection; evidence: ConnectEvidence }> {
  const abort = new AbortController();
  scope.defer(() => abort.abort());
  const p = rt
    .connect({ transport: "tls", hostname: HOST, port, tls, signal: abort.signal })
    .then((c) => scope.conn(c));
  const r = await settle(rt, p, STEP_MS);
  if (r.state === "resolved") {
    const info = r.value.tlsInfo?.() ?? null;
    return { attempt: { state: "connected", info }, conn: r.value, evidence: { afterMs: r.ms, clientInfo: info } };
  }
  if (r.state === "rejected") {
    const e = r.error;
    const ev = errorEvidence(e);
    const message =
      "message" in ev && typeof ev.message === "string" ? ev.message : e instanceof Error ? e.message : String(e);
    return {
      attempt: failureFromEvidence(ev),
      evidence: { afterMs: r.ms, error: ev, messageTemplate: messageTemplate(message, { port }) },
    };
  }
  return { attempt: { state: "pending", ms: r.ms }, evidence: { pendingAfterMs: r.ms } };
}

/** The server end of a handshake that completed, or null when none arrived in time. */
export async function serverEnd(rt: Runtime, accepted: Promise<Connection | null>): Promise<Connection | null> {
  const r = await settle(rt, accepted, STEP_MS);
  return r.state === "resolved" ? r.value : null;
}

/** A client with our CA that verifies the name "localhost" on 127.0.0.1. */
export function trusting(certs: ProbeCerts, extra: Partial<TlsClientOptions> = {}): TlsClientOptions {
  return { ca: certs.main.ca, servername: "localhost", ...extra };
}

export function serving(certs: ProbeCerts, extra: Partial<TlsServerOptions> = {}): TlsServerOptions {
  return { cert: certs.main.cert, key: certs.main.key, ...extra };
}

/** A handshake with a certificate that must be refused, for the three verification probes. */
async function refusal(rt: Runtime, server: TlsServerOptions, client: TlsClientOptions): Promise<ConnectEvidence> {
  return scoped(async (scope) => {
    const { port } = await tlsServer(rt, scope, server);
    return (await tlsConnect(rt, scope, port, client)).evidence;
  });
}

/** One handshake with the main certificate (the client verifies it by default): its evidence. */
async function handshake(
  rt: Runtime,
  certs: ProbeCerts,
  client: TlsClientOptions = trusting(certs),
): Promise<ConnectEvidence> {
  return scoped(async (scope) => {
    const { port } = await tlsServer(rt, scope, serving(certs));
    return (await tlsConnect(rt, scope, port, client)).evidence;
  });
}

export const tlsProbes: Probe[] = [
  {
    id: "tls.default-version",
    title: "TLS version of a default handshake",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.version),
    collect: (rt, ctx) => withCerts(ctx, (certs) => handshake(rt, certs)),
  },
  {
    id: "tls.alpn-none",
    title: "ALPN reported when neither side offers a protocol",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.alpnNone),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          return { ...c.evidence, serverInfo: server?.tlsInfo?.() ?? null };
        }),
      ),
  },
  {
    id: "tls.alpn-select",
    title: "ALPN choice when client and server order the same protocols differently",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.alpnSelect),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs, { alpn: ["h2", "http/1.1"] }));
          const c = await tlsConnect(rt, scope, port, trusting(certs, { alpn: ["http/1.1", "h2"] }));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          const serverInfo = server?.tlsInfo?.() ?? null;
          return { ...c.evidence, serverInfo, serverOffers: ["h2", "http/1.1"], clientOffers: ["http/1.1", "h2"] };
        }),
      ),
  },
  {
    id: "tls.alpn-mismatch",
    title: "ALPN with no protocol in common",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.alpnMismatch),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, serving(certs, { alpn: ["h2"] }));
          return (await tlsConnect(rt, scope, port, trusting(certs, { alpn: ["http/1.1"] }))).evidence;
        }),
      ),
  },
  {
    id: "tls.sni-ip",
    title: "verifying an IP address (no servername) against the certificate's IP SAN",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.sniIp),
    collect: (rt, ctx) => withCerts(ctx, (certs) => handshake(rt, certs, { ca: certs.main.ca })),
  },
  {
    id: "tls.untrusted-ca",
    title: "certificate of a CA the client does not trust",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.refusal("CERT_UNTRUSTED", "a certificate from an unknown CA")),
    collect: (rt, ctx) => withCerts(ctx, (certs) => refusal(rt, serving(certs), { servername: "localhost" })),
  },
  {
    id: "tls.hostname-mismatch",
    title: "certificate for another name than the one verified",
    needs: ["tls"],
    classify: withCertificates(
      tlsVerdicts.refusal(
        "CERT_HOSTNAME_MISMATCH",
        'a trusted certificate for "other.example" (the client verifies "localhost")',
      ),
    ),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        refusal(rt, { cert: certs.other.cert, key: certs.other.key }, { ca: certs.other.ca, servername: "localhost" }),
      ),
  },
  {
    id: "tls.expired",
    title: "expired certificate",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.refusal("CERT_EXPIRED", "a trusted certificate that expired yesterday")),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        refusal(
          rt,
          { cert: certs.expired.cert, key: certs.expired.key },
          { ca: certs.expired.ca, servername: "localhost" },
        ),
      ),
  },
  {
    id: "tls.verify-off",
    title: "verification turned off against an unknown CA",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.verifyOff),
    collect: (rt, ctx) => withCerts(ctx, (certs) => handshake(rt, certs, { servername: "localhost", verify: false })),
  },
  {
    id: "tls.client-cert-absent",
    title: "server asks for a client certificate, client has none",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.clientCertAbsent),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          let server: { port: number; accepted: Promise<Connection | null> };
          try {
            server = await tlsServer(rt, scope, serving(certs, { ca: certs.main.ca, requestCert: true }));
          } catch (e) {
            return { listen: errorEvidence(e) };
          }
          const c = await tlsConnect(rt, scope, server.port, trusting(certs));
          let roundTrip: string | undefined;
          const detail: { roundTripError?: ErrorEvidence } = {};
          if (c.conn) {
            // TLS 1.3 finishes the client's side of the handshake before the server looks at the
            // client's certificate, so only a round trip shows whether the server kept the connection.
            const s = await serverEnd(rt, server.accepted);
            if (!s) roundTrip = "server never accepted";
            else {
              const r = await settle(
                rt,
                (async () => {
                  await c.conn?.write(enc.encode("ping"));
                  const got = await s.read();
                  if (got === null) return "eof";
                  await s.write(enc.encode("pong"));
                  const back = await c.conn?.read();
                  return back === null ? "eof" : "ok";
                })(),
                STEP_MS,
              );
              roundTrip = r.state === "resolved" ? r.value : r.state === "rejected" ? codeOf(r.error) : "pending";
              if (r.state === "rejected") detail.roundTripError = errorEvidence(r.error);
            }
          }
          return { ...c.evidence, roundTrip: roundTrip ?? null, ...detail };
        }),
      ),
  },
  {
    id: "tls.half-close",
    title: "half-close over TLS: can the server still write after the client's closeWrite()?",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.halfClose),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope): Promise<ConnectEvidence | HalfCloseEvidence> => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          if (!c.conn || !server) return c.evidence;
          const client = c.conn;
          await client.write(enc.encode("ping"));
          const cw = await settle(rt, client.closeWrite(), STEP_MS);
          const closeWrite = cw.state === "resolved" ? "ok" : cw.state === "rejected" ? codeOf(cw.error) : "pending";
          const first = closeWrite === "ok" ? await readText(rt, server, STEP_MS) : { text: "", eof: false };
          let serverWrite: string | undefined;
          let back: { text: string; eof: boolean } | undefined;
          if (first.eof) {
            const w = await settle(
              rt,
              server.write(enc.encode(HALF_CLOSE_REPLY)).then(() => server.closeWrite()),
              STEP_MS,
            );
            serverWrite = w.state === "resolved" ? "ok" : w.state === "rejected" ? codeOf(w.error) : "pending";
            if (serverWrite === "ok") back = await readText(rt, client, STEP_MS);
          }
          return {
            closeWrite: cw.state === "rejected" ? errorEvidence(cw.error) : closeWrite,
            serverGot: first.text,
            serverSawEof: first.eof,
            serverWrite: serverWrite ?? null,
            clientGot: back?.text ?? null,
            clientSawEof: back?.eof ?? null,
          };
        }),
      ),
  },
  {
    id: "tls.close-notify",
    title: "does close() send a TLS close_notify alert before the FIN?",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.closeNotify),
    collect: (rt, ctx) => withCerts(ctx, (certs) => closeNotify(rt, certs)),
  },
  {
    id: "tls.largest-read",
    title: "largest chunk one read() returns over TLS",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.largestRead),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          if (!c.conn || !server) return c.evidence;
          const size = 1024 * 1024;
          const w = server.write(new Uint8Array(size)).catch(() => undefined);
          await sleep(50); // let the buffers fill so reads can return as much as they can
          const got = await readAtLeast(rt, c.conn, size, STEP_MS);
          await settle(rt, w, 500);
          return {
            maxChunk: got.maxChunk,
            reads: got.chunks,
            bytes: got.bytes,
            averageChunk: Math.round(got.bytes / Math.max(1, got.chunks)),
          };
        }),
      ),
  },
  {
    id: "tls.cipher-name",
    title: "how the runtime names the negotiated cipher suite",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.cipher),
    collect: (rt, ctx) => withCerts(ctx, (certs) => handshake(rt, certs)),
  },
  {
    id: "tls.peer-certificate",
    title: "what the client can see of the server's certificate",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.peer),
    collect: (rt, ctx) => withCerts(ctx, (certs) => handshake(rt, certs)),
  },
  {
    id: "tls.rsa-server",
    title: "handshake with an RSA-2048 server certificate",
    needs: ["tls"],
    classify: withCertificates(tlsVerdicts.rsa),
    collect: (rt, ctx) =>
      withCerts(ctx, (certs): Promise<ConnectEvidence | NoCertsEvidence> => {
        const rsa = certs.rsa;
        if (!rsa) return Promise.resolve(NO_CERTS);
        return scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, { cert: rsa.cert, key: rsa.key });
          return (await tlsConnect(rt, scope, port, { ca: rsa.ca, servername: "localhost" })).evidence;
        });
      }),
  },
];

/** Copies `from` to `to` until EOF or an error; returns how it ended ("eof" or an error code). */
export async function pipe(from: Connection, to: Connection, seen?: (bytes: Uint8Array) => void): Promise<string> {
  for (;;) {
    let chunk: Uint8Array | null;
    try {
      chunk = await from.read();
    } catch (e) {
      to.close();
      return codeOf(e);
    }
    if (chunk === null) {
      await to.closeWrite().catch(() => undefined);
      return "eof";
    }
    const copy = chunk.slice();
    seen?.(copy);
    await to.write(copy).catch(() => undefined);
  }
}

/**
 * tls.close-notify: the TLS client connects through a plain TCP relay in this probe, which
 * records the bytes the client sends. After one round trip nothing else is in flight, so
 * whatever the relay sees after the client's close() was sent by close(). Since TLS 1.3
 * encrypts alerts into records of outer type 23, a close_notify is recognized by size: one
 * small record (at most ALERT_RECORD_MAX bytes) before the FIN.
 */
async function closeNotify(rt: Runtime, certs: ProbeCerts): Promise<CloseNotifyEvidence> {
  return scoped(async (scope) => {
    const { port: tlsPort, accepted } = await tlsServer(rt, scope, serving(certs));
    const relay = scope.listener(await rt.listen({ transport: "tcp", hostname: HOST, port: 0 }));
    const inbound = relay.accept();
    const c = await (async () => {
      const attempt = tlsConnect(rt, scope, tcpPort(relay.address), trusting(certs));
      const fromClient = await settle(rt, inbound, STEP_MS);
      if (fromClient.state !== "resolved" || !fromClient.value) return { relayed: null, c: await attempt };
      const a = scope.conn(fromClient.value);
      const b = scope.conn(await rt.connect({ transport: "tcp", hostname: HOST, port: tlsPort }));
      const up: Uint8Array[] = [];
      const upEnd = pipe(a, b, (bytes) => up.push(bytes));
      void pipe(b, a);
      return { relayed: { up, upEnd }, c: await attempt };
    })();
    const server = c.c.conn ? await serverEnd(rt, accepted) : null;
    if (!c.relayed || !c.c.conn || !server) return c.c.evidence;
    const client = c.c.conn;
    const { up, upEnd } = c.relayed;
    const rt1 = await settle(
      rt,
      (async () => {
        await client.write(enc.encode("ping"));
        await server.read();
        await server.write(enc.encode("pong"));
        await client.read();
      })(),
      STEP_MS,
    );
    if (rt1.state === "rejected") return errorEvidence(rt1.error);
    // Not `pendingAfterMs`: that key is a handshake that hung (ConnectEvidence).
    if (rt1.state === "pending") return { roundTrip: "pending", afterMs: rt1.ms };
    await sleep(20);
    const mark = up.length;
    client.close();
    const first = await settle(rt, upEnd, 1000);
    // Some stacks hold the FIN back until the peer answered with its own close_notify: close
    // the server end then, and wait once more.
    const peerClosed = first.state === "pending";
    if (peerClosed) server.close();
    const end = peerClosed ? await settle(rt, upEnd, 1000) : first;
    const endLabel = end.state === "resolved" ? end.value : "pending";
    const tailChunks = up.slice(mark);
    const tail = new Uint8Array(tailChunks.reduce((n, b) => n + b.byteLength, 0));
    let off = 0;
    for (const b of tailChunks) {
      tail.set(b, off);
      off += b.byteLength;
    }
    const { records, partial } = tlsRecords(tail);
    return {
      bytesAfterClose: tail.byteLength,
      records,
      partial,
      streamEnd: endLabel,
      serverClosedFirst: peerClosed,
    };
  });
}
