/** Node API probes over node:dgram and node:tls: UDP callbacks and errors, TLS verification and ALPN. */
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import {
  connect as tlsConnect,
  createServer as tlsCreateServer,
  type ConnectionOptions,
  type TlsOptions,
} from "node:tls";
import type { CertPems, ProbeContext } from "../in-runtime/probes/types.js";
import {
  classifyDgramSteps,
  classifyHalfClose,
  classifyPeerCert,
  classifySessionReuse,
  classifyTlsAlpn,
  classifyTlsAuth,
  type DgramEvidence,
  type HalfCloseEvidence,
  type NotRun,
  type SessionReuseEvidence,
  type TlsEvidence,
} from "./nodeapi-classify.js";
import { type Cleanup, collect, nodeError, until, wait, withCleanup } from "./kit.js";
import { answerAfterEnd } from "./net-records.js";
import { nodeApiProbe, type NodeApiProbe } from "./types.js";

async function bound(c: Cleanup, port = 0): Promise<DgramSocket> {
  const d = c.dgram(createSocket("udp4"));
  await new Promise<void>((resolve, reject) => {
    d.once("error", reject);
    d.bind(port, "127.0.0.1", () => resolve());
  });
  return d;
}

/** A UDP port nobody listens on (bound, then closed). */
async function closedPort(c: Cleanup): Promise<number> {
  const d = createSocket("udp4");
  await new Promise<void>((r) => d.bind(0, "127.0.0.1", () => r()));
  const port = d.address().port;
  await new Promise<void>((r) => d.close(() => r()));
  void c;
  return port;
}

/** The 'error' of a bind that must fail, with its syscall and errno (or what happened instead). */
async function bindError(c: Cleanup, port: number, host: string): Promise<DgramEvidence> {
  const d = c.dgram(createSocket("udp4"));
  const r = await new Promise<unknown>((resolve) => {
    const t = setTimeout(() => resolve("no error"), 1000);
    d.once("error", (e) => {
      clearTimeout(t);
      resolve(nodeError(e));
    });
    d.once("listening", () => {
      clearTimeout(t);
      resolve("bound");
    });
    d.bind(port, host);
  });
  const e = r as { syscall?: string; errno?: number };
  return {
    steps: {
      error: r,
      syscall: typeof r === "object" ? (e.syscall ?? "none") : "none",
      errno: typeof r === "object" ? (e.errno ?? "none") : "none",
    },
  };
}

const NO_CERTS: NotRun = { notRun: "no certificates" };

/** Two connections to one TLS server: the second offered the first one's session. */
async function sessionReuse(ctx: ProbeContext): Promise<SessionReuseEvidence> {
  if (!ctx.certs) return NO_CERTS;
  const set = ctx.certs.main;
  return withCleanup(async (c) => {
    const srv = c.server(
      tlsCreateServer({ key: set.key, cert: set.cert }, (s) => {
        c.socket(s);
        // Data after the handshake: a TLS 1.3 server sends its session tickets with it.
        s.end("hi");
      }),
    );
    srv.on("tlsClientError", () => undefined);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as { port: number }).port;
    const opts = { host: "127.0.0.1", port, servername: "localhost", ca: set.ca };
    const first = c.socket(tlsConnect(opts));
    let session: Buffer | undefined;
    first.on("session", (s: Buffer) => (session ??= s));
    first.resume();
    await new Promise<void>((resolve, reject) => {
      first.once("secureConnect", () => resolve());
      first.once("error", reject);
    });
    const protocol = first.getProtocol();
    const firstReused = first.isSessionReused();
    await until(() => session !== undefined, 1000);
    let sessionFrom: "event" | "getSession()" | "none" = session ? "event" : "none";
    if (!session) {
      session = first.getSession();
      if (session?.length) sessionFrom = "getSession()";
    }
    first.destroy();
    if (sessionFrom === "none") return { protocol, sessionFrom, firstReused };
    const second = c.socket(tlsConnect({ ...opts, session }));
    const result = await new Promise<boolean | ReturnType<typeof nodeError> | undefined>((resolve) => {
      const t = setTimeout(() => resolve(undefined), 2000);
      second.once("secureConnect", () => {
        clearTimeout(t);
        resolve(second.isSessionReused());
      });
      second.once("error", (e: Error) => {
        clearTimeout(t);
        resolve(nodeError(e));
      });
    });
    return { protocol, sessionFrom, firstReused, ...(result === undefined ? {} : { second: result }) };
  });
}

/** A TLS server with `set`'s certificate and a client with `client` options: the client's view. */
async function tlsClientView(
  ctx: ProbeContext,
  pick: (certs: NonNullable<ProbeContext["certs"]>) => CertPems,
  client: (set: CertPems) => Partial<ConnectionOptions>,
  server: Partial<TlsOptions> = {},
): Promise<TlsEvidence> {
  if (!ctx.certs) return NO_CERTS;
  const set = pick(ctx.certs);
  return withCleanup(async (c) => {
    let serverAlpn: string | false | null = null;
    const srv = c.server(
      tlsCreateServer({ key: set.key, cert: set.cert, ...server }, (s) => {
        c.socket(s);
        serverAlpn = s.alpnProtocol ?? null;
        s.resume();
      }),
    );
    srv.on("tlsClientError", () => undefined);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as { port: number }).port;
    const sock = c.socket(tlsConnect({ host: "127.0.0.1", port, servername: "localhost", ...client(set) }));
    const out = await new Promise<TlsEvidence>((resolve) => {
      const t = setTimeout(() => resolve({ error: { name: "Timeout", message: "no handshake in 2 s" } }), 2000);
      sock.once("secureConnect", () => {
        clearTimeout(t);
        const cert = sock.getPeerCertificate();
        const keys = cert
          ? Object.keys(cert).filter((k) => (cert as unknown as Record<string, unknown>)[k] !== undefined)
          : [];
        const authErr = sock.authorizationError as unknown;
        resolve({
          authorized: sock.authorized,
          authorizationError:
            authErr === undefined || authErr === null
              ? null
              : typeof authErr === "string"
                ? authErr
                : ((authErr as { code?: string }).code ?? String(authErr)),
          alpn: sock.alpnProtocol ?? null,
          peerCert: {
            keys: keys.sort(),
            subjectCN: cert?.subject?.CN === undefined ? null : String(cert.subject.CN),
            hasSan: typeof cert?.subjectaltname === "string",
          },
        });
      });
      sock.once("error", (e: Error) => {
        clearTimeout(t);
        resolve({ error: nodeError(e) });
      });
    });
    await wait(30);
    return "authorized" in out ? { ...out, serverAlpn } : out;
  });
}

async function tlsHalfClose(ctx: ProbeContext, allowHalfOpen: boolean): Promise<HalfCloseEvidence | NotRun> {
  if (!ctx.certs) return NO_CERTS;
  const set = ctx.certs.main;
  return withCleanup(async (c) => {
    const ev: HalfCloseEvidence = {
      allowHalfOpen,
      serverGot: "",
      serverSawEnd: false,
      serverEvents: [],
      clientGot: "",
      clientSawEnd: false,
    };
    const srv = c.server(
      tlsCreateServer({ key: set.key, cert: set.cert, allowHalfOpen }, (s) => {
        c.socket(s);
        answerAfterEnd(s, ev);
      }),
    );
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", () => r()));
    const port = (srv.address() as { port: number }).port;
    const client = c.socket(
      tlsConnect({
        host: "127.0.0.1",
        port,
        servername: "localhost",
        ca: set.ca,
        // Not in @types/node's ConnectionOptions, but passed on to the net.Socket (Node's docs: tls.connect options).
        ...({ allowHalfOpen: true } as object),
      }),
    );
    await new Promise<void>((resolve, reject) => {
      client.once("secureConnect", () => resolve());
      client.once("error", reject);
    });
    const got = collect(client);
    client.end("ping");
    await until(() => got.ended() || client.destroyed, 1500);
    await wait(20);
    ev.clientGot = got.text();
    ev.clientSawEnd = got.ended();
    return ev;
  });
}

export const dgramTlsProbes: NodeApiProbe[] = [
  nodeApiProbe<DgramEvidence>({
    id: "nodeapi.dgram.connected-refused",
    title: "udp: a connected socket sending to a closed port: send callbacks and 'error'",
    record: () =>
      withCleanup(async (c) => {
        const port = await closedPort(c);
        const d = await bound(c);
        const errors: unknown[] = [];
        d.on("error", (e) => errors.push(nodeError(e)));
        const connect = await new Promise<unknown>((resolve) => {
          d.connect(port, "127.0.0.1", (err?: Error) => resolve(err ? nodeError(err) : "ok"));
        });
        const sends: unknown[] = [];
        for (let i = 0; i < 3; i++) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(() => {
              sends.push("not called");
              resolve();
            }, 500);
            d.send("x", (err) => {
              clearTimeout(t);
              sends.push(err ? nodeError(err) : "ok");
              resolve();
            });
          });
          await wait(50);
        }
        return { steps: { connect, sends, errorEvents: errors } };
      }),
    classify: classifyDgramSteps,
  }),
  nodeApiProbe<DgramEvidence>({
    id: "nodeapi.dgram.send-callback",
    title: "udp: the send callback's arguments (error, bytes) for a 5-byte datagram",
    record: () =>
      withCleanup(async (c) => {
        const rx = await bound(c);
        const tx = await bound(c);
        const cb = await new Promise<unknown[]>((resolve) => {
          const t = setTimeout(() => resolve(["not called"]), 1000);
          tx.send("hello", rx.address().port, "127.0.0.1", (err, bytes) => {
            clearTimeout(t);
            resolve([err ? nodeError(err) : err === null ? "null" : String(err), bytes]);
          });
        });
        return { steps: { callback: cb } };
      }),
    classify: classifyDgramSteps,
  }),
  nodeApiProbe<DgramEvidence>({
    id: "nodeapi.dgram.bind-in-use",
    title: "udp: binding a port in use without reuseAddr: the 'error' object",
    record: () =>
      withCleanup(async (c) => {
        const first = await bound(c);
        return bindError(c, first.address().port, "127.0.0.1");
      }),
    classify: classifyDgramSteps,
  }),
  nodeApiProbe<DgramEvidence>({
    id: "nodeapi.dgram.bind-not-local",
    title: "udp: binding an address this host does not have (192.0.2.1, TEST-NET-1): the 'error' object",
    record: () => withCleanup((c) => bindError(c, 0, "192.0.2.1")),
    classify: classifyDgramSteps,
  }),
  nodeApiProbe<DgramEvidence>({
    id: "nodeapi.dgram.connect",
    title: "udp: connect(): its callback, the 'connect' event and remoteAddress()",
    record: () =>
      withCleanup(async (c) => {
        const rx = await bound(c);
        const d = await bound(c);
        let event = false;
        d.on("connect", () => {
          event = true;
        });
        const cb = await new Promise<unknown>((resolve) => {
          const t = setTimeout(() => resolve("not called"), 1000);
          d.connect(rx.address().port, "127.0.0.1", (err?: Error) => {
            clearTimeout(t);
            resolve(err ? nodeError(err) : "ok");
          });
        });
        await wait(10);
        let remote: unknown;
        try {
          const r = d.remoteAddress();
          remote = r.port === rx.address().port && r.address === "127.0.0.1" ? "peer" : `${r.address}:${r.port}`;
        } catch (e) {
          remote = nodeError(e);
        }
        return { steps: { callback: cb, connectEvent: event, remoteAddress: remote } };
      }),
    classify: classifyDgramSteps,
  }),
  nodeApiProbe({
    id: "nodeapi.half-close.tls-allow",
    title: "tls, allowHalfOpen: true: does the server's reply in 'end' reach the half-closed client?",
    tls: true,
    record: (ctx) => tlsHalfClose(ctx, true),
    classify: classifyHalfClose,
  }),
  nodeApiProbe({
    id: "nodeapi.half-close.tls-auto",
    title: "tls, allowHalfOpen: false: what a write in the server's 'end' handler does",
    tls: true,
    record: (ctx) => tlsHalfClose(ctx, false),
    classify: classifyHalfClose,
  }),
  nodeApiProbe<SessionReuseEvidence>({
    id: "nodeapi.tls.session-reuse",
    title: "tls: a second connection given the first one's session ('session' event): isSessionReused()",
    tls: true,
    record: sessionReuse,
    classify: classifySessionReuse,
  }),
  nodeApiProbe({
    id: "nodeapi.tls.authorized",
    title: "tls: authorized and authorizationError with the right CA",
    tls: true,
    record: (ctx) =>
      tlsClientView(
        ctx,
        (s) => s.main,
        (s) => ({ ca: s.ca }),
      ),
    classify: classifyTlsAuth,
  }),
  nodeApiProbe({
    id: "nodeapi.tls.unverified",
    title: "tls: authorized and authorizationError with an unknown CA and rejectUnauthorized: false",
    tls: true,
    record: (ctx) =>
      tlsClientView(
        ctx,
        (s) => s.main,
        () => ({ rejectUnauthorized: false }),
      ),
    classify: classifyTlsAuth,
  }),
  nodeApiProbe({
    id: "nodeapi.tls.expired",
    title: "tls: the error of a handshake with an expired certificate",
    tls: true,
    record: (ctx) =>
      tlsClientView(
        ctx,
        (s) => s.expired,
        (s) => ({ ca: s.ca }),
      ),
    classify: classifyTlsAuth,
  }),
  nodeApiProbe({
    id: "nodeapi.tls.wrong-name",
    title: "tls: the error of a handshake with a certificate for another name",
    tls: true,
    record: (ctx) =>
      tlsClientView(
        ctx,
        (s) => s.other,
        (s) => ({ ca: s.ca }),
      ),
    classify: classifyTlsAuth,
  }),
  nodeApiProbe({
    id: "nodeapi.tls.peer-certificate",
    title: "tls: the fields of getPeerCertificate()",
    tls: true,
    record: (ctx) =>
      tlsClientView(
        ctx,
        (s) => s.main,
        (s) => ({ ca: s.ca }),
      ),
    classify: classifyPeerCert,
  }),
  nodeApiProbe({
    id: "nodeapi.tls.alpn",
    title: "tls: alpnProtocol on both ends (server h2,http/1.1; client http/1.1)",
    tls: true,
    record: (ctx) =>
      tlsClientView(
        ctx,
        (s) => s.main,
        (s) => ({ ca: s.ca, ALPNProtocols: ["http/1.1"] }),
        { ALPNProtocols: ["h2", "http/1.1"] },
      ),
    classify: classifyTlsAlpn,
  }),
];
