/**
 * STARTTLS: a plaintext TCP connection that turns into TLS (Runtime.startTls). The other end
 * of each upgrade is built from what every runtime with TLS has: a plain TCP relay that does
 * the plaintext exchange ("STARTTLS\r\n", "OK\r\n") and then copies bytes to a TLS listener
 * (server side) or from a TLS client (client side). So the client probes run where the
 * runtime has no server-side upgrade, and the server probe where it has no client-side one.
 */
import type { Connection, Runtime } from "@netparity/protocol";
import { type StartTlsEvidence, startTlsVerdicts, type Upgrade, type UpgradeEvidence } from "./starttls-classify.js";
import { failureFromEvidence, withCertificates } from "./tls-classify.js";
import { HOST, pipe, STEP_MS, serverEnd, serving, tlsConnect, tlsServer, trusting, withCerts } from "./tls.js";
import type { Probe, ProbeCerts } from "./types.js";
import { codeOf, errorEvidence, type Scope, scoped, settle, sleep, tcpPort } from "./util.js";

const enc = new TextEncoder();
const dec = new TextDecoder();
const COMMAND = "STARTTLS\r\n";
const REPLY = "OK\r\n";

/** Reads until `needle` came (true), or EOF, an error or the deadline (false). */
async function readUntil(rt: Runtime, conn: Connection, needle: string, ms: number): Promise<boolean> {
  const deadline = rt.host.now() + ms;
  let text = "";
  while (!text.includes(needle)) {
    const left = deadline - rt.host.now();
    if (left <= 0) return false;
    const r = await settle(rt, conn.read(), left);
    if (r.state !== "resolved" || r.value === null) return false;
    text += dec.decode(r.value, { stream: true });
  }
  return true;
}

/**
 * A STARTTLS server made of a plain listener and a relay: it reads the command, answers
 * REPLY, and from then on copies bytes to and from a TLS listener of this runtime.
 */
async function relayServer(
  rt: Runtime,
  scope: Scope,
  certs: ProbeCerts,
): Promise<{ port: number; tlsEnd: Promise<Connection | null> }> {
  const { port: tlsPort, accepted } = await tlsServer(rt, scope, serving(certs));
  const plain = scope.listener(await rt.listen({ transport: "tcp", hostname: HOST, port: 0 }));
  void (async () => {
    const a = await plain.accept();
    if (!a) return;
    scope.conn(a);
    if (!(await readUntil(rt, a, COMMAND, STEP_MS))) return;
    const b = scope.conn(await rt.connect({ transport: "tcp", hostname: HOST, port: tlsPort }));
    await a.write(enc.encode(REPLY));
    void pipe(a, b);
    void pipe(b, a);
  })().catch(() => undefined);
  return { port: tcpPort(plain.address), tlsEnd: accepted };
}

/** The upgrade of `conn`, bounded; a connection that opens late is closed by `scope`. */
async function upgrade(
  rt: Runtime,
  scope: Scope,
  run: () => Promise<Connection>,
): Promise<{ upgrade: Upgrade; conn?: Connection; evidence: UpgradeEvidence }> {
  const r = await settle(
    rt,
    run().then((c) => scope.conn(c)),
    STEP_MS,
  );
  if (r.state === "resolved") {
    const info = r.value.tlsInfo?.() ?? null;
    return { upgrade: { state: "upgraded", info, roundTrip: "" }, conn: r.value, evidence: { afterMs: r.ms, info } };
  }
  if (r.state === "rejected") {
    const error = errorEvidence(r.error);
    return { upgrade: failureFromEvidence(error), evidence: { afterMs: r.ms, error } };
  }
  return { upgrade: { state: "pending", ms: r.ms }, evidence: { pendingAfterMs: r.ms } };
}

/** "ping" from `a`, "pong" back from `b`: "ok", or what went wrong. */
async function roundTrip(rt: Runtime, a: Connection, b: Connection | null): Promise<string> {
  if (!b) return "no peer connection";
  const r = await settle(
    rt,
    (async () => {
      await a.write(enc.encode("ping"));
      if (!(await readUntil(rt, b, "ping", STEP_MS))) return "ping lost";
      await b.write(enc.encode("pong"));
      return (await readUntil(rt, a, "pong", STEP_MS)) ? "ok" : "pong lost";
    })(),
    2 * STEP_MS,
  );
  return r.state === "resolved" ? r.value : r.state === "rejected" ? codeOf(r.error) : "pending";
}

async function clientUpgrade(rt: Runtime, certs: ProbeCerts, scope: Scope): Promise<StartTlsEvidence> {
  const { port, tlsEnd } = await relayServer(rt, scope, certs);
  const conn = scope.conn(await rt.connect({ transport: "tcp", hostname: HOST, port }));
  await conn.write(enc.encode(COMMAND));
  if (!(await readUntil(rt, conn, REPLY, STEP_MS))) return { plaintext: "no reply" };
  const u = await upgrade(rt, scope, () => rt.startTls(conn, { role: "client", tls: trusting(certs) }));
  const trip = u.conn ? await roundTrip(rt, u.conn, await serverEnd(rt, tlsEnd)) : "";
  return { ...u.evidence, roundTrip: trip, featuresStartTlsClient: rt.features.startTlsClient };
}

/**
 * The server side: a TLS client of this runtime connects to a relay, which does the plaintext
 * exchange with the server under test and then copies the client's handshake to it.
 */
async function serverUpgrade(rt: Runtime, certs: ProbeCerts, scope: Scope): Promise<StartTlsEvidence> {
  const plain = scope.listener(await rt.listen({ transport: "tcp", hostname: HOST, port: 0 }));
  const relay = scope.listener(await rt.listen({ transport: "tcp", hostname: HOST, port: 0 }));
  void (async () => {
    const r = await relay.accept();
    if (!r) return;
    scope.conn(r);
    const b = scope.conn(await rt.connect({ transport: "tcp", hostname: HOST, port: tcpPort(plain.address) }));
    await b.write(enc.encode(COMMAND));
    if (!(await readUntil(rt, b, REPLY, STEP_MS))) return;
    void pipe(r, b);
    void pipe(b, r);
  })().catch(() => undefined);
  const client = tlsConnect(rt, scope, tcpPort(relay.address), trusting(certs));
  const accepted = await settle(rt, plain.accept(), STEP_MS);
  if (accepted.state !== "resolved" || !accepted.value) return { plaintext: "no connection" };
  const server = scope.conn(accepted.value);
  if (!(await readUntil(rt, server, COMMAND, STEP_MS))) return { plaintext: "no command" };
  await server.write(enc.encode(REPLY));
  const u = await upgrade(rt, scope, () => rt.startTls(server, { role: "server", tls: serving(certs) }));
  const c = await client;
  const trip = u.conn && c.conn ? await roundTrip(rt, c.conn, u.conn) : "";
  return {
    ...u.evidence,
    client: c.evidence,
    roundTrip: trip,
    featuresStartTlsServer: rt.features.startTlsServer,
  };
}

/** As clientUpgrade, but the client upgrades without reading the server's reply first. */
async function bufferedUpgrade(rt: Runtime, certs: ProbeCerts, scope: Scope): Promise<StartTlsEvidence> {
  const { port, tlsEnd } = await relayServer(rt, scope, certs);
  const conn = scope.conn(await rt.connect({ transport: "tcp", hostname: HOST, port }));
  await conn.write(enc.encode(COMMAND));
  // Time for the reply to cross loopback and reach the runtime; nothing is read meanwhile.
  await sleep(200);
  const u = await upgrade(rt, scope, () => rt.startTls(conn, { role: "client", tls: trusting(certs) }));
  let firstRead: string | null = null;
  let trip = "";
  if (u.conn) {
    const first = await settle(rt, u.conn.read(), 300);
    if (first.state === "resolved") firstRead = first.value === null ? "eof" : dec.decode(first.value);
    else if (first.state === "rejected") firstRead = codeOf(first.error);
    trip = await roundTrip(rt, u.conn, await serverEnd(rt, tlsEnd));
  }
  return { ...u.evidence, firstRead, roundTrip: trip };
}

export const startTlsProbes: Probe[] = [
  {
    id: "tls.starttls-client",
    title: "STARTTLS as a client: upgrading a plaintext TCP connection",
    needs: ["tls"],
    classify: withCertificates(startTlsVerdicts.client),
    collect: (rt, ctx) => withCerts(ctx, (certs) => scopedRun(rt, certs, clientUpgrade)),
  },
  {
    id: "tls.starttls-server",
    title: "STARTTLS as a server: upgrading an accepted plaintext connection",
    needs: ["tls"],
    classify: withCertificates(startTlsVerdicts.server),
    collect: (rt, ctx) => withCerts(ctx, (certs) => scopedRun(rt, certs, serverUpgrade)),
  },
  {
    id: "tls.starttls-buffered",
    title: "STARTTLS with the server's plaintext reply received but not read",
    needs: ["tls"],
    classify: withCertificates(startTlsVerdicts.buffered),
    collect: (rt, ctx) => withCerts(ctx, (certs) => scopedRun(rt, certs, bufferedUpgrade)),
  },
];

async function scopedRun(
  rt: Runtime,
  certs: ProbeCerts,
  body: (rt: Runtime, certs: ProbeCerts, scope: Scope) => Promise<StartTlsEvidence>,
): Promise<StartTlsEvidence> {
  return scoped((scope) => body(rt, certs, scope));
}
