/**
 * Echo, RFC 862. TCP/Unix: every byte received is written back in order until the client
 * half-closes; then the server finishes writing and closes. UDP: each datagram is answered
 * by one datagram with identical bytes, sent to the sender's address.
 */
import { NetError, Prng, equalBytes, type Connection, type Runtime } from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import { SERVER_LIMIT_OPTIONS, connectStream, listenStream, serveConnections } from "./serve-util.js";
import { receiverOf, serveDatagrams } from "./udp-util.js";
import {
  Checks,
  flipFirstByte,
  mutationOf,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";

export async function echoConnection(conn: Connection): Promise<void> {
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) break;
    await conn.write(chunk);
  }
  await conn.closeWrite();
}

const MUTATIONS = {
  "flip-byte": "the server complements the first byte it echoes on each connection (of each datagram)",
} as const;

/** echoConnection with the first byte of the connection changed (the "flip-byte" mutation). */
async function flippingEcho(conn: Connection): Promise<void> {
  let first = true;
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) break;
    await conn.write(first && chunk.byteLength ? flipFirstByte(chunk) : chunk);
    if (chunk.byteLength) first = false;
  }
  await conn.closeWrite();
}

async function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const flip = mutationOf(options, "echo", MUTATIONS) === "flip-byte";
  if (options.transport === "udp")
    return serveDatagrams(rt, options, log, (d) => (flip ? flipFirstByte(d.data) : d.data));
  const listener = await listenStream(rt, options);
  return serveConnections(rt, listener, options, log, flip ? flippingEcho : echoConnection);
}

/** Writes `payload` in pieces of random size while reading the echo concurrently. */
async function roundTrip(
  rt: Runtime,
  options: RoleOptions,
  payload: Uint8Array,
  prng: Prng,
  maxPiece: number,
): Promise<{ received: number; sha256: string; sentSha256: string; eof: boolean; ms: number }> {
  const conn = await connectStream(rt, options);
  try {
    const t0 = rt.host.now();
    const sent = rt.sha256();
    sent.update(payload);
    const sentSha256 = sent.digestHex();
    const writer = (async () => {
      let off = 0;
      while (off < payload.byteLength) {
        const n = Math.min(payload.byteLength - off, prng.int(1, maxPiece));
        await conn.write(payload.subarray(off, off + n));
        off += n;
      }
      if (rt.features.halfClose) await conn.closeWrite();
    })();
    const got = rt.sha256();
    let received = 0;
    let eof = false;
    const reader = (async () => {
      for (;;) {
        // Without half-close the client cannot signal the end: stop once everything came back.
        if (!rt.features.halfClose && received >= payload.byteLength) return;
        const chunk = await conn.read();
        if (chunk === null) {
          eof = true;
          return;
        }
        got.update(chunk);
        received += chunk.byteLength;
      }
    })();
    await Promise.all([writer, reader]);
    return { received, sha256: got.digestHex(), sentSha256, eof, ms: rt.host.now() - t0 };
  } finally {
    conn.close();
  }
}

async function clientStream(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const metrics: Record<string, number> = {};
  const seed = Number(options.extra.seed ?? 1);
  const prng = new Prng(seed);
  const maxSize = Number(options.extra.size ?? 8 * 1024 * 1024);
  const sizes = [0, 1, 1000, 65_543, 1_048_579, maxSize].filter((s, i, a) => s <= maxSize && a.indexOf(s) === i);
  if (!rt.features.halfClose)
    checks.pass("half-close", `unsupported by ${rt.runtime} ${rt.version}: reading until every byte returned`);
  for (const size of sizes) {
    const payload = prng.bytes(size);
    const r = await withTimeout(roundTrip(rt, options, payload, prng, 256 * 1024), 60_000, `echo of ${size} bytes`);
    const ok = r.received === size && r.sha256 === r.sentSha256 && (r.eof || !rt.features.halfClose);
    checks.expect(
      `echo ${size} B`,
      ok,
      `sent ${size} B sha256 ${r.sentSha256.slice(0, 16)}…, got ${r.received} B sha256 ${r.sha256.slice(0, 16)}…${r.eof ? "" : ", no EOF"}`,
    );
    if (size === maxSize && size > 0) metrics.bulkBytesPerSec = Math.round((size * 2) / (r.ms / 1000));
  }
  // Many small writes on one connection: 5000 pieces of 1-64 bytes.
  const small = prng.bytes(5000 * 32);
  const r = await withTimeout(roundTrip(rt, options, small, prng, 64), 60_000, "small writes");
  checks.expect(
    "many small writes",
    r.received === small.byteLength && r.sha256 === r.sentSha256,
    `sent ${small.byteLength} B in pieces of 1-64 B, got ${r.received} B back${r.sha256 === r.sentSha256 ? "" : " (different bytes)"}`,
  );
  return { ok: checks.ok, checks: checks.list, metrics };
}

async function clientUdp(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const prng = new Prng(Number(options.extra.seed ?? 1));
  const count = Number(options.extra.count ?? 60);
  const timeoutMs = Number(options.extra.replyTimeout ?? options.extra.timeout ?? 500);
  const retries = Number(options.extra.retries ?? 5);
  const lossy = options.extra.lossy === true;
  const sock = await rt.bindDatagram({ hostname: clientBindAddress(options.host), port: 0 });
  const receive = receiverOf(sock);
  const sent: Uint8Array[] = [];
  let resent = 0;
  let stale = 0;
  let corrupt = 0;
  let lost = 0;
  const rtts: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const size = i === 0 ? 1 : i === 1 ? 1400 : prng.int(1, 1400);
      const payload = prng.bytes(size);
      sent.push(payload);
      let answered = false;
      for (let attempt = 0; attempt <= retries && !answered; attempt++) {
        if (attempt > 0) resent++;
        const t0 = rt.host.now();
        await sock.send(payload, { hostname: options.host, port: options.port });
        const deadline = t0 + timeoutMs;
        while (!answered) {
          const left = deadline - rt.host.now();
          if (left <= 0) break;
          const d = await receive(left);
          if (d === undefined) break;
          if (d === null) throw new NetError("CLOSED", "datagram socket closed");
          if (equalBytes(d.data, payload)) {
            answered = true;
            rtts.push(rt.host.now() - t0);
          } else if (sent.some((p) => equalBytes(p, d.data))) stale++;
          else {
            corrupt++;
            // On a clean path a wrong reply is the server's fault and retrying would only hide
            // it; on a lossy one (--lossy) it may be a cut-short datagram: wait for the real one.
            if (!lossy) answered = true;
          }
        }
      }
      if (!answered) lost++;
      // A server that corrupts or drops this much is broken; no need to wait out every retry.
      if ((corrupt >= 5 && !lossy) || lost >= 5) break;
    }
  } finally {
    sock.close();
  }
  checks.expect(
    `${count} datagrams of 1-1400 B echoed`,
    rtts.length === count,
    `${rtts.length} of ${count} echoed identically; ${lost} got no reply after ${retries} retries${sent.length < count ? `, gave up after ${sent.length}` : ""}`,
  );
  if (lossy) checks.pass("no corrupted replies", `--lossy: ${corrupt} replies matching no datagram sent were ignored`);
  else checks.expect("no corrupted replies", corrupt === 0, `${corrupt} replies matched no datagram sent`);
  rtts.sort((a, b) => a - b);
  return {
    ok: checks.ok,
    checks: checks.list,
    metrics: { datagrams: count, lost, resent, stale, corrupt, rttMedianMs: rtts[Math.floor(rtts.length / 2)] ?? -1 },
  };
}

/** Loopback servers get a loopback client socket; any other server the wildcard of its family. */
export function clientBindAddress(serverHost: string): string {
  const v6 = serverHost.includes(":");
  if (serverHost === "::1" || serverHost.startsWith("127.") || serverHost === "localhost")
    return v6 ? "::1" : "127.0.0.1";
  return v6 ? "::" : "0.0.0.0";
}

/**
 * The largest --size: echo keeps its whole payload in one Uint8Array, and Node 20 and Bun
 * allocate none over 4 GiB (buffer.constants.MAX_LENGTH; Deno's is 2^53 - 1). Transfer
 * streams its file in 4 MiB blocks, but shares the flag (run passes it to both).
 */
export const SIZE_MAX = {
  bytes: 4 * 1024 ** 3,
  why: "echo holds its payload in one buffer, the largest Node and Bun allocate",
} as const;

export const echo: Scenario = {
  name: "echo",
  summary: "RFC 862 echo: bytes back in order until half-close (TCP/Unix), datagram for datagram (UDP)",
  transports: ["tcp", "udp", "unix", "tls"],
  options: [
    {
      flag: "--size <bytes>",
      key: "size",
      type: "size",
      roles: ["client"],
      // The description and maximum of the flag echo and transfer share: the first one registered is shown.
      description: "echo: largest payload (default 8MiB); transfer: file size (default 64MiB)",
      max: SIZE_MAX,
    },
    {
      flag: "--seed <n>",
      key: "seed",
      type: "int",
      roles: ["client"],
      description: "seed for generated data, so runs repeat (default 1)",
    },
    {
      flag: "--count <n>",
      key: "count",
      type: "int",
      roles: ["client"],
      description: "echo/udp: datagrams to send (default 60)",
    },
    {
      flag: "--lossy",
      key: "lossy",
      type: "boolean",
      roles: ["client"],
      description:
        "UDP clients (echo, time, hello-udp): the path may cut datagrams short (e.g. a fault proxy); a reply matching no request is counted and ignored instead of failing",
    },
    ...SERVER_LIMIT_OPTIONS,
  ],
  mutations: MUTATIONS,
  serve,
  client: (rt, options) => (options.transport === "udp" ? clientUdp(rt, options) : clientStream(rt, options)),
};
