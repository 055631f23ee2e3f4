/**
 * The TLS part of the reliability catalogue: what no well-behaved TLS client sends (plaintext,
 * garbage, a silent or half-sent handshake, a reset mid-handshake, certificates it refuses)
 * and many handshakes at once, against the echo server of one runtime over `--transport tls`.
 * Raw clients are node:net sockets, real ones node:tls trusting the run's CA; every case ends
 * with the server alive and serving a real TLS client.
 */
import { readFile } from "node:fs/promises";
import { Prng } from "@netparity/protocol";
import { sleep } from "../../in-runtime/common/timing.js";
import { generateCertificates } from "../certs/generate.js";
import type { ServerAgent } from "./agents.js";
import { CaseChecks, at } from "./case-helpers.js";
import { RawClient } from "./raw.js";
import { alive, captureClientHello, logLines, tlsEcho } from "./tls-raw.js";
import type { CaseContext, CaseOutcome, ReliabilityCase } from "./types.js";

/** The idle timeout (and so the handshake deadline) the handshake slowloris case gives its server. */
const HANDSHAKE_IDLE_MS = 500;
/** How long a bad connection may stay open before the case calls it not dropped. */
const DROP_WITHIN_MS = 3000;

interface TlsServer {
  s: ServerAgent;
  /** The run's CA, PEM. */
  ca: string;
  target: { host: string; port: number };
}

async function tlsServer(ctx: CaseContext, extra: Record<string, number> = {}): Promise<TlsServer> {
  const certs = await ctx.certificates();
  const s = await ctx.server("echo", "tls", { extra });
  return { s, ca: await readFile(certs.ca, "utf8"), target: { host: s.host, port: s.port } };
}

function noTls(ctx: CaseContext): CaseOutcome | undefined {
  return ctx.features.tls === true ? undefined : { checks: [], unsupported: `${ctx.runtime} has no TLS listener` };
}

/** The server is still running and a real TLS echo client passes. */
async function stillServesTls(c: CaseChecks, t: TlsServer, after: string): Promise<void> {
  const up = alive(t.s);
  const r = up
    ? await tlsEcho(t.target, { ca: t.ca })
    : { ok: false, why: `the server exited: ${t.s.stderr().slice(-300)}` };
  c.record(`echo serves a TLS client after ${after}`, r.ok, r.why);
}

/** At most one stderr line per bad connection (none is fine: the adapters drop failed handshakes silently). */
function recordLogLines(c: CaseChecks, t: TlsServer, before: number, bad: number): void {
  const lines = logLines(t.s) - before;
  c.metrics.logLines = lines;
  c.record(
    `at most one log line per bad connection (${bad})`,
    lines <= bad,
    `${lines} lines: ${t.s.stderr().slice(-300)}`,
  );
}

// ---------------------------------------------------------------------------------------

const garbage: ReliabilityCase = {
  id: "tls.garbage",
  title: "plaintext and seeded garbage to a TLS port: the connection is dropped, the server keeps serving",
  timeoutMs: 60_000,
  async run(ctx) {
    const skip = noTls(ctx);
    if (skip) return skip;
    const c = new CaseChecks();
    const t = await tlsServer(ctx);
    const before = logLines(t.s);
    const prng = new Prng(20_240);
    // [what, bytes, end with FIN]: seeded random bytes can happen to start like a record header
    // and ask for more, so they end with a FIN; the others must be refused on their own.
    const inputs: Array<[string, Buffer, boolean]> = [
      ["a plaintext HTTP request", Buffer.from("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"), false],
      ["plaintext echo bytes", Buffer.from("hello, plaintext\n"), false],
      [
        "a handshake record of garbage",
        Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x01, 0x00]), Buffer.from(prng.bytes(256))]),
        false,
      ],
      ["an alert record before any handshake", Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28]), false],
    ];
    for (let i = 0; i < 4; i++)
      inputs.push([`seeded garbage #${i + 1}`, Buffer.from(prng.bytes(prng.int(1, 4096))), true]);
    for (const [what, bytes, fin] of inputs) {
      const raw = await RawClient.open(at(t.s));
      const t0 = Date.now();
      try {
        raw.write(bytes);
        if (fin) raw.end();
        const how = await raw.closed(DROP_WITHIN_MS);
        const ms = Date.now() - t0;
        c.metrics[`dropMs.${what.replace(/\W+/g, "-")}`] = ms;
        c.record(
          `${what} (${bytes.length} bytes${fin ? ", FIN" : ""}): connection dropped`,
          how !== undefined,
          how === undefined
            ? `still open after ${DROP_WITHIN_MS} ms`
            : `${how} after ${ms} ms, ${raw.received.length} bytes back`,
        );
      } finally {
        raw.destroy();
      }
      await stillServesTls(c, t, what);
    }
    recordLogLines(c, t, before, inputs.length);
    return c.done();
  },
};

const handshakeSlowloris: ReliabilityCase = {
  id: "tls.handshake-slowloris",
  title: `a TLS client silent before or inside its ClientHello is closed at the handshake deadline (--idle-timeout ${HANDSHAKE_IDLE_MS})`,
  timeoutMs: 60_000,
  async run(ctx) {
    const skip = noTls(ctx);
    if (skip) return skip;
    const c = new CaseChecks();
    const hello = await captureClientHello();
    const t = await tlsServer(ctx, { idleTimeout: HANDSHAKE_IDLE_MS });
    const before = logLines(t.s);
    const clients: Array<[string, Buffer]> = [
      ["a silent client (TCP only)", Buffer.alloc(0)],
      ["a client stalled inside its ClientHello", hello.subarray(0, Math.floor(hello.length / 2))],
      ["a client stalled after its ClientHello header", hello.subarray(0, 5)],
    ];
    for (const [what, bytes] of clients) {
      const raw = await RawClient.open(at(t.s));
      const t0 = Date.now();
      try {
        if (bytes.length) raw.write(bytes);
        const how = await raw.closed(HANDSHAKE_IDLE_MS + 4500);
        const ms = Date.now() - t0;
        c.metrics[`cutOffMs.${what.replace(/\W+/g, "-")}`] = ms;
        c.record(
          `${what} is closed at the deadline`,
          how !== undefined && ms >= HANDSHAKE_IDLE_MS - 50 && ms < HANDSHAKE_IDLE_MS + 2500,
          how === undefined ? `still open after ${ms} ms` : `closed (${how}) after ${ms} ms`,
        );
      } finally {
        raw.destroy();
      }
      await stillServesTls(c, t, what);
    }
    recordLogLines(c, t, before, clients.length);
    return c.done();
  },
};

const vanish: ReliabilityCase = {
  id: "tls.vanish-mid-handshake",
  title: "clients reset (RST) mid-handshake: no crash, the server keeps serving",
  timeoutMs: 30_000,
  async run(ctx) {
    const skip = noTls(ctx);
    if (skip) return skip;
    const c = new CaseChecks();
    const hello = await captureClientHello();
    const t = await tlsServer(ctx);
    const before = logLines(t.s);
    const when: Array<[string, Buffer, boolean]> = [
      ["half a ClientHello", hello.subarray(0, Math.floor(hello.length / 2)), false],
      ["the whole ClientHello", hello, false],
      ["the server's first flight", hello, true],
    ];
    let bad = 0;
    for (const [what, bytes, awaitReply] of when) {
      let answered = 0;
      for (let i = 0; i < 3; i++) {
        const raw = await RawClient.open(at(t.s));
        bad++;
        raw.write(bytes);
        if (awaitReply && (await raw.bytes(1, DROP_WITHIN_MS)).length > 0) answered++;
        raw.socket.resetAndDestroy();
      }
      if (awaitReply)
        c.record("the server answers a ClientHello before the reset", answered === 3, `${answered} of 3 answered`);
      // Let the server see the resets before the next client.
      await sleep(100);
      c.record(`no crash after resets after ${what}`, alive(t.s), `the server exited: ${t.s.stderr().slice(-300)}`);
      await stillServesTls(c, t, `resets after ${what}`);
    }
    recordLogLines(c, t, before, bad);
    return c.done();
  },
};

export const TLS_LOAD_CLIENTS = 500;

const concurrent: ReliabilityCase = {
  id: "tls.concurrent-clients",
  title: `${TLS_LOAD_CLIENTS} concurrent TLS echo clients: every handshake and echo correct`,
  timeoutMs: 90_000,
  async run(ctx) {
    const skip = noTls(ctx);
    if (skip) return skip;
    const c = new CaseChecks();
    const t = await tlsServer(ctx);
    const t0 = Date.now();
    const results = await Promise.all(
      Array.from({ length: TLS_LOAD_CLIENTS }, (_, i) => {
        const payload = Buffer.alloc(1024, i & 0xff);
        payload.writeUInt32BE(i, 0);
        return tlsEcho(t.target, { ca: t.ca, payload, timeoutMs: 60_000 }).then((r) => ({ i, ...r }));
      }),
    );
    const failed = results.filter((r) => !r.ok);
    c.metrics.clients = TLS_LOAD_CLIENTS;
    c.metrics.failed = failed.length;
    c.metrics.ms = Date.now() - t0;
    c.record(
      `${TLS_LOAD_CLIENTS} TLS echoes correct`,
      failed.length === 0,
      failed.length === 0
        ? `in ${c.metrics.ms} ms`
        : `${failed.length} failed, e.g. ${failed
            .slice(0, 3)
            .map((f) => `client ${f.i}: ${f.why}`)
            .join("; ")}`,
    );
    await stillServesTls(c, t, "the load");
    return c.done();
  },
};

export const CERT_ERROR_REPEATS = 10;

const certErrors: ReliabilityCase = {
  id: "tls.cert-errors",
  title: `clients that refuse the certificate (unknown CA, wrong name), ${CERT_ERROR_REPEATS} times each: the server keeps serving`,
  timeoutMs: 60_000,
  async run(ctx) {
    const skip = noTls(ctx);
    if (skip) return skip;
    const c = new CaseChecks();
    const t = await tlsServer(ctx);
    const before = logLines(t.s);
    // A CA that signed nothing the server has.
    const stranger = (await generateCertificates()).ca;
    const kinds: Array<[string, { ca: string; servername?: string }, RegExp]> = [
      ["an unknown CA", { ca: stranger }, /UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT/],
      ["a wrong name", { ca: t.ca, servername: "wrong.example" }, /ERR_TLS_CERT_ALTNAME_INVALID/],
    ];
    for (const [what, options, want] of kinds) {
      const codes = new Map<string, number>();
      for (let i = 0; i < CERT_ERROR_REPEATS; i++) {
        const r = await tlsEcho(t.target, { ...options, timeoutMs: 5000 });
        const code = r.ok ? "accepted" : (r.code ?? r.why);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }
      const summary = [...codes].map(([k, n]) => `${k} ×${n}`).join(", ");
      c.record(
        `the client refuses ${what} every time`,
        [...codes.keys()].every((k) => want.test(k)),
        summary,
      );
      c.record(`no crash after ${what}`, alive(t.s), `the server exited: ${t.s.stderr().slice(-300)}`);
      await stillServesTls(c, t, `${CERT_ERROR_REPEATS} refusals of ${what}`);
    }
    recordLogLines(c, t, before, kinds.length * CERT_ERROR_REPEATS);
    return c.done();
  },
};

export const TLS_CASES: readonly ReliabilityCase[] = [garbage, handshakeSlowloris, vanish, concurrent, certErrors];
