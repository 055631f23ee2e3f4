/**
 * TLS behaviour: versions, ALPN, certificate verification, client certificates, closing, and
 * what a runtime reports about a handshake. Every probe runs client and server in the same
 * runtime, on 127.0.0.1, with the throwaway certificates the parent handed the agent; the
 * outcomes are decided by the pure functions of tls-classify.ts.
 */
import type { Connection, Runtime, TlsClientOptions, TlsServerOptions } from "@netparity/protocol";
import {
  type Attempt,
  classifyAlpnMismatch,
  classifyAlpnNone,
  classifyAlpnSelect,
  classifyChunk,
  classifyCipher,
  classifyClientCertAbsent,
  classifyCloseTail,
  classifyHalfClose,
  classifyIpVerification,
  classifyPeer,
  classifyRefusal,
  classifyRsa,
  classifyVerifyOff,
  classifyVersion,
  failureFromEvidence,
  tlsRecords,
} from "./tls-classify.js";
import type { Probe, ProbeCerts, ProbeContext, ProbeOutcome } from "./types.js";
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

const NO_CERTS: ProbeOutcome = {
  outcome: "unsupported: no certificates",
  evidence: { certificates: "none given" },
  explanation: "Not run: the parent passed no certificates to the probes agent.",
};

/** Runs `body` with the certificates, or says that there are none. */
export function withCerts(
  ctx: ProbeContext,
  body: (certs: ProbeCerts) => Promise<ProbeOutcome>,
): Promise<ProbeOutcome> {
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
): Promise<{ attempt: Attempt; conn?: Connection; evidence: Record<string, unknown> }> {
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
async function refusal(
  rt: Runtime,
  server: TlsServerOptions,
  client: TlsClientOptions,
  expected: string,
  what: string,
): Promise<ProbeOutcome> {
  return scoped(async (scope) => {
    const { port } = await tlsServer(rt, scope, server);
    const c = await tlsConnect(rt, scope, port, client);
    const outcome = classifyRefusal(c.attempt);
    const code = c.attempt.state === "failed" ? c.attempt.code : null;
    const accepted = c.attempt.state === "failed" ? c.attempt.runtimeAccepted : undefined;
    return {
      outcome,
      evidence: c.evidence,
      explanation: accepted
        ? `The runtime's own API completed the handshake with a server with ${what} (${accepted}); the adapter refused it with ${c.attempt.state === "failed" ? c.attempt.shape : code}.`
        : code === expected
          ? `Connecting to a server with ${what} fails with ${expected}; the outcome names the runtime's own error class and code behind it.`
          : c.attempt.state === "connected"
            ? `The client connected to a server with ${what}: the certificate was not refused.`
            : `Connecting to a server with ${what} ended as "${outcome}", not with ${expected}.`,
    };
  });
}

export const tlsProbes: Probe[] = [
  {
    id: "tls.default-version",
    title: "TLS version of a default handshake",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const outcome = classifyVersion(c.attempt);
          return {
            outcome,
            evidence: c.evidence,
            explanation:
              outcome === "not reported"
                ? "The handshake succeeds, but the runtime's API does not tell which TLS version was agreed."
                : `With no version options on either side the client and server agree on ${outcome}.`,
          };
        }),
      ),
  },
  {
    id: "tls.alpn-none",
    title: "ALPN reported when neither side offers a protocol",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          const serverInfo = server?.tlsInfo?.() ?? null;
          const outcome = classifyAlpnNone(c.attempt, serverInfo?.alpn);
          return {
            outcome,
            evidence: { ...c.evidence, serverInfo },
            explanation:
              outcome === "none (null)"
                ? "Without ALPN offers both ends report no protocol; the adapters normalize the runtime's own value (false on Node and Bun) to null."
                : `Without ALPN offers the ends report: ${outcome}.`,
          };
        }),
      ),
  },
  {
    id: "tls.alpn-select",
    title: "ALPN choice when client and server order the same protocols differently",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs, { alpn: ["h2", "http/1.1"] }));
          const c = await tlsConnect(rt, scope, port, trusting(certs, { alpn: ["http/1.1", "h2"] }));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          const serverInfo = server?.tlsInfo?.() ?? null;
          const outcome = classifyAlpnSelect(c.attempt, serverInfo?.alpn, "h2", "http/1.1");
          return {
            outcome,
            evidence: { ...c.evidence, serverInfo, serverOffers: ["h2", "http/1.1"], clientOffers: ["http/1.1", "h2"] },
            explanation: `The server prefers h2, the client http/1.1; the handshake settles on ${outcome}.`,
          };
        }),
      ),
  },
  {
    id: "tls.alpn-mismatch",
    title: "ALPN with no protocol in common",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, serving(certs, { alpn: ["h2"] }));
          const c = await tlsConnect(rt, scope, port, trusting(certs, { alpn: ["http/1.1"] }));
          const outcome = classifyAlpnMismatch(c.attempt);
          return {
            outcome,
            evidence: c.evidence,
            explanation:
              c.attempt.state === "connected"
                ? "The server offers only h2, the client only http/1.1: the handshake still completes, without a protocol."
                : `The server offers only h2, the client only http/1.1: the handshake ends as "${outcome}" (RFC 7301 asks for a no_application_protocol alert).`,
          };
        }),
      ),
  },
  {
    id: "tls.sni-ip",
    title: "verifying an IP address (no servername) against the certificate's IP SAN",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, { ca: certs.main.ca });
          const outcome = classifyIpVerification(c.attempt);
          return {
            outcome,
            evidence: c.evidence,
            explanation:
              outcome === "verified"
                ? "Connecting to 127.0.0.1 without a servername verifies the certificate against its IP address entry (and sends no SNI)."
                : `Connecting to 127.0.0.1 without a servername, with a certificate listing that IP, ends as "${outcome}".`,
          };
        }),
      ),
  },
  {
    id: "tls.untrusted-ca",
    title: "certificate of a CA the client does not trust",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        refusal(rt, serving(certs), { servername: "localhost" }, "CERT_UNTRUSTED", "a certificate from an unknown CA"),
      ),
  },
  {
    id: "tls.hostname-mismatch",
    title: "certificate for another name than the one verified",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        refusal(
          rt,
          { cert: certs.other.cert, key: certs.other.key },
          { ca: certs.other.ca, servername: "localhost" },
          "CERT_HOSTNAME_MISMATCH",
          'a trusted certificate for "other.example" (the client verifies "localhost")',
        ),
      ),
  },
  {
    id: "tls.expired",
    title: "expired certificate",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        refusal(
          rt,
          { cert: certs.expired.cert, key: certs.expired.key },
          { ca: certs.expired.ca, servername: "localhost" },
          "CERT_EXPIRED",
          "a trusted certificate that expired yesterday",
        ),
      ),
  },
  {
    id: "tls.verify-off",
    title: "verification turned off against an unknown CA",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, { servername: "localhost", verify: false });
          const outcome = classifyVerifyOff(c.attempt);
          return {
            outcome,
            evidence: c.evidence,
            explanation:
              outcome === "connected"
                ? "With verification off the client accepts a certificate from a CA it does not know."
                : outcome === "unsupported: ENOTSUP"
                  ? "The runtime's TLS client has no per-connection option to skip certificate verification."
                  : `With verification off the handshake still ends as "${outcome}".`,
          };
        }),
      ),
  },
  {
    id: "tls.client-cert-absent",
    title: "server asks for a client certificate, client has none",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          let server: { port: number; accepted: Promise<Connection | null> };
          try {
            server = await tlsServer(rt, scope, serving(certs, { ca: certs.main.ca, requestCert: true }));
          } catch (e) {
            const outcome = classifyClientCertAbsent({ listen: codeOf(e) });
            return {
              outcome,
              evidence: { listen: errorEvidence(e) },
              explanation:
                outcome === "unsupported: ENOTSUP"
                  ? "The runtime's TLS server has no option to ask for a client certificate."
                  : "A TLS server that asks for client certificates could not listen.",
            };
          }
          const c = await tlsConnect(rt, scope, server.port, trusting(certs));
          let roundTrip: string | undefined;
          const detail: Record<string, unknown> = {};
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
          const outcome = classifyClientCertAbsent({
            listen: null,
            attempt: c.attempt,
            ...(roundTrip ? { roundTrip } : {}),
          });
          return {
            outcome,
            evidence: { ...c.evidence, roundTrip: roundTrip ?? null, ...detail },
            explanation:
              outcome === "connected"
                ? "A server that asks for a client certificate still accepts a client without one, and data flows both ways."
                : `A server asks for a client certificate and the client has none: ${outcome}.`,
          };
        }),
      ),
  },
  {
    id: "tls.half-close",
    title: "half-close over TLS: can the server still write after the client's closeWrite()?",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          if (!c.conn || !server)
            return {
              outcome: `no connection: ${classifyRefusal(c.attempt)}`,
              evidence: c.evidence,
              explanation: "The TLS connection for the half-close did not open.",
            };
          const client = c.conn;
          const expected = "pong after FIN";
          await client.write(enc.encode("ping"));
          const cw = await settle(rt, client.closeWrite(), STEP_MS);
          const closeWrite = cw.state === "resolved" ? "ok" : cw.state === "rejected" ? codeOf(cw.error) : "pending";
          const first = closeWrite === "ok" ? await readText(rt, server, STEP_MS) : { text: "", eof: false };
          let serverWrite: string | undefined;
          let back: { text: string; eof: boolean } | undefined;
          if (first.eof) {
            const w = await settle(
              rt,
              server.write(enc.encode(expected)).then(() => server.closeWrite()),
              STEP_MS,
            );
            serverWrite = w.state === "resolved" ? "ok" : w.state === "rejected" ? codeOf(w.error) : "pending";
            if (serverWrite === "ok") back = await readText(rt, client, STEP_MS);
          }
          const outcome = classifyHalfClose({
            closeWrite,
            serverSawEof: first.eof,
            ...(serverWrite ? { serverWrite } : {}),
            ...(back ? { clientGot: back.text } : {}),
            expected,
          });
          return {
            outcome,
            evidence: {
              closeWrite: cw.state === "rejected" ? errorEvidence(cw.error) : closeWrite,
              serverGot: first.text,
              serverSawEof: first.eof,
              serverWrite: serverWrite ?? null,
              clientGot: back?.text ?? null,
              clientSawEof: back?.eof ?? null,
            },
            explanation:
              outcome === "server writes after FIN"
                ? "After the client's closeWrite() (close_notify and FIN) the server reads EOF and can still answer; the client receives the answer, then EOF."
                : `A half-close over TLS ended as "${outcome}": the server could not answer after the client's closeWrite().`,
          };
        }),
      ),
  },
  {
    id: "tls.close-notify",
    title: "does close() send a TLS close_notify alert before the FIN?",
    needs: ["tls"],
    run: (rt, ctx) => withCerts(ctx, (certs) => closeNotify(rt, certs)),
  },
  {
    id: "tls.largest-read",
    title: "largest chunk one read() returns over TLS",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port, accepted } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const server = c.conn ? await serverEnd(rt, accepted) : null;
          if (!c.conn || !server)
            return {
              outcome: `no connection: ${classifyRefusal(c.attempt)}`,
              evidence: c.evidence,
              explanation: "The TLS connection for the large read did not open.",
            };
          const size = 1024 * 1024;
          const w = server.write(new Uint8Array(size)).catch(() => undefined);
          await sleep(50); // let the buffers fill so reads can return as much as they can
          const got = await readAtLeast(rt, c.conn, size, STEP_MS);
          await settle(rt, w, 500);
          return {
            outcome: classifyChunk(got.maxChunk),
            evidence: {
              maxChunk: got.maxChunk,
              reads: got.chunks,
              bytes: got.bytes,
              averageChunk: Math.round(got.bytes / Math.max(1, got.chunks)),
            },
            explanation: `Reading 1 MiB over TLS took ${got.chunks} reads; the largest returned ${got.maxChunk} bytes (a TLS record carries at most 16 KiB).`,
          };
        }),
      ),
  },
  {
    id: "tls.cipher-name",
    title: "how the runtime names the negotiated cipher suite",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const outcome = classifyCipher(c.attempt);
          return {
            outcome,
            evidence: c.evidence,
            explanation:
              outcome === "not reported"
                ? "The handshake succeeds, but the runtime's API does not tell which cipher suite was agreed."
                : `The client reports the agreed cipher suite as ${outcome} (IANA names start with TLS_).`,
          };
        }),
      ),
  },
  {
    id: "tls.peer-certificate",
    title: "what the client can see of the server's certificate",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) =>
        scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, serving(certs));
          const c = await tlsConnect(rt, scope, port, trusting(certs));
          const outcome = classifyPeer(c.attempt);
          return {
            outcome,
            evidence: c.evidence,
            explanation:
              outcome === "not exposed"
                ? "After the handshake the runtime's API shows neither the subject nor the alternative names of the server's certificate."
                : `After the handshake the client sees the server certificate's ${outcome}.`,
          };
        }),
      ),
  },
  {
    id: "tls.rsa-server",
    title: "handshake with an RSA-2048 server certificate",
    needs: ["tls"],
    run: (rt, ctx) =>
      withCerts(ctx, (certs) => {
        const rsa = certs.rsa;
        if (!rsa) return Promise.resolve(NO_CERTS);
        return scoped(async (scope) => {
          const { port } = await tlsServer(rt, scope, { cert: rsa.cert, key: rsa.key });
          const c = await tlsConnect(rt, scope, port, { ca: rsa.ca, servername: "localhost" });
          const outcome = classifyRsa(c.attempt);
          return {
            outcome,
            evidence: c.evidence,
            explanation:
              outcome === "connected"
                ? "A server with an RSA-2048 certificate (the other probes use ECDSA P-256) completes a verified handshake."
                : `A handshake with an RSA-2048 server certificate ends as "${outcome}".`,
          };
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
async function closeNotify(rt: Runtime, certs: ProbeCerts): Promise<ProbeOutcome> {
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
    if (!c.relayed || !c.c.conn || !server)
      return {
        outcome: `no connection: ${classifyRefusal(c.c.attempt)}`,
        evidence: c.c.evidence,
        explanation: "The TLS connection through the relay did not open.",
      };
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
    if (rt1.state !== "resolved")
      return {
        outcome: `no round trip: ${rt1.state === "rejected" ? codeOf(rt1.error) : "pending"}`,
        evidence: rt1.state === "rejected" ? errorEvidence(rt1.error) : { pendingAfterMs: rt1.ms },
        explanation:
          "Data did not make it through the relay before the close, so there was nothing to compare against.",
      };
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
    const outcome = classifyCloseTail(records, endLabel, peerClosed);
    return {
      outcome,
      evidence: {
        bytesAfterClose: tail.byteLength,
        records,
        partial,
        streamEnd: endLabel,
        serverClosedFirst: peerClosed,
      },
      explanation: outcome.startsWith("close_notify")
        ? `On close() the client sends one small encrypted record, a TLS alert recognized by its size since TLS 1.3 sends it as type 23, then ${peerClosed ? "sends its TCP FIN only once the server closed too" : "its TCP FIN"}.`
        : `On close() a relay between client and server saw "${outcome}"; a close_notify would be one small record before the FIN.`,
    };
  });
}
