/**
 * The adapter side of `netparity bench`: one workload role inside whatever runtime loaded
 * it, written against the Runtime interface only (so the same code runs on Node, Bun and
 * Deno). The raw programs in conformance/bench/raw/ do the same work with each runtime's own
 * API; the protocol both speak is in spec.ts.
 */
import {
  FrameReader,
  Prng,
  fromUtf8,
  utf8,
  writeFrame,
  type Connection,
  type DatagramSocket,
  type Runtime,
} from "@netparity/protocol";
import { exitWithParent } from "../common/parent.js";
import { SCENARIOS } from "../scenarios/index.js";
import { listenStream, serveConnections } from "../scenarios/serve-util.js";
import type { RoleOptions, RoleTls, RunningServer } from "../scenarios/types.js";
import { handshakeLoops } from "./handshake-loops.js";
import { idleClient, loadClient } from "./load.js";
import { DECODERS, makeStream, measure, type DecoderName } from "./decoders.js";
import { runtimeForApi } from "../scenarios/api-runtime.js";
import { DEFAULT_API, type ApiName } from "../common/apis.js";
import { LatencyRecorder } from "./latency.js";
import { UdpRequestWindow } from "./udp-window.js";
import type { BenchEvent, BenchSpec, BenchTlsFiles, DecoderResult } from "./protocol.js";

/** Writes of the bulk client: big enough that a write is never the bottleneck, as a user would. */
const BULK_WRITE = 256 * 1024;
/** The transfer client's data comes from this block, repeated, so no gigabyte is generated. */
const BLOCK = 1024 * 1024;
/** A client that lingers after its result is killed by the parent; this only bounds an orphan. */
const LINGER_MS = 60_000;

/** What an agent entry tells the bench agent beyond its Runtime (see agents/bench-*.ts). */
export interface BenchAgentHooks {
  /** The adapters of further APIs it carries: `node`, the Node adapter, where the runtime has node:*. */
  apis?: Partial<Record<ApiName, Runtime>>;
}

export async function runBenchAgent(rt: Runtime, hooks: BenchAgentHooks = {}): Promise<never> {
  const emit = (e: BenchEvent): void => rt.host.stdoutLine(JSON.stringify(e));
  const log = (m: string): void => rt.host.stderrLine(`[${rt.runtime} bench] ${m}`);
  exitWithParent(rt);
  let spec: BenchSpec;
  try {
    spec = JSON.parse(rt.host.args[0] ?? "") as BenchSpec;
  } catch {
    emit({ event: "error", message: "bench agent expects one JSON argument" });
    return rt.host.exit(2);
  }
  try {
    const tls = spec.tls ? await readTls(rt, spec.tls) : null;
    const serverRole = spec.role.endsWith("-server");
    // The Runtime of the role's API: the adapter, a facade over it, or an adapter carried in.
    const on = runtimeForApi(rt, hooks.apis, spec.api ?? DEFAULT_API, serverRole ? "server" : "client");
    if (typeof on === "string") throw new Error(on);
    if (serverRole) {
      const server = await startServer(on, spec, tls, log);
      const a = server.address;
      emit({
        event: "listening",
        port: a.transport === "unix" ? 0 : a.port,
        pid: rt.host.pid(),
        runtime: rt.runtime,
        version: rt.version,
        impl: "adapter",
      });
      await new Promise<void>((resolve) => {
        const stop = (): void => void server.stop().finally(resolve);
        rt.host.onSignal("SIGTERM", stop);
        rt.host.onSignal("SIGINT", stop);
      });
      return rt.host.exit(0);
    }
    const start = (): void => emit({ event: "start" });
    const result = await runBenchClient(on, spec, tls, start);
    emit({ event: "result", runtime: rt.runtime, version: rt.version, ...result });
    // Stay alive so the parent can read this process's final CPU time and peak RSS.
    await new Promise<void>((resolve) => {
      rt.host.onSignal("SIGTERM", resolve);
      rt.host.onSignal("SIGINT", resolve);
      setTimeout(resolve, LINGER_MS);
    });
    return rt.host.exit(0);
  } catch (e) {
    emit({ event: "error", message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    return rt.host.exit(1);
  }
}

export type ClientOutcome = Omit<Extract<BenchEvent, { event: "result" }>, "event" | "runtime" | "version">;

/** Server certificate and key, and the CA a client trusts: the parent passes paths, as to the raw programs. */
async function readTls(rt: Runtime, files: BenchTlsFiles): Promise<RoleTls> {
  const [cert, key, ca] = await Promise.all([
    rt.fs.readText(files.cert),
    rt.fs.readText(files.key),
    rt.fs.readText(files.ca),
  ]);
  return { cert, key, ca };
}

function roleOptions(spec: BenchSpec, transport: "tcp" | "udp", tls: RoleTls | null = null): RoleOptions {
  const extra: RoleOptions["extra"] = {
    ...(spec.reusePort ? { reusePort: true } : {}),
    ...(spec.maxConnections !== undefined ? { maxConnections: spec.maxConnections } : {}),
    ...(spec.idleTimeoutMs !== undefined ? { idleTimeout: spec.idleTimeoutMs } : {}),
  };
  if (transport === "tcp" && tls) return { transport: "tls", host: spec.host, port: spec.port, tls, extra };
  return { transport, host: spec.host, port: spec.port, extra };
}

async function startServer(
  rt: Runtime,
  spec: BenchSpec,
  tls: RoleTls | null,
  log: (m: string) => void,
): Promise<RunningServer> {
  switch (spec.role) {
    case "echo-server":
      // The conformance echo server itself (over TLS when asked): what is measured is what the matrix checks.
      return SCENARIOS.echo!.serve(rt, roleOptions(spec, "tcp", tls), log);
    case "udp-server": {
      const scenario = spec.udpMode === "time" && SCENARIOS.time ? SCENARIOS.time : SCENARIOS.echo!;
      return scenario.serve(rt, roleOptions(spec, "udp"), log);
    }
    case "sink-server": {
      const options = roleOptions(spec, "tcp", tls);
      const listener = await listenStream(rt, options);
      return serveConnections(rt, listener, options, log, sinkConnection);
    }
    case "transfer-server":
      // The conformance transfer server itself (no --out: nothing is written to disk), so the
      // bench measures the scenario the matrix checks, idle deadline and size limit included.
      return SCENARIOS.transfer!.serve(rt, roleOptions(spec, "tcp"), log);
    default:
      throw new Error(`not a server role: ${spec.role}`);
  }
}

async function sinkConnection(conn: Connection): Promise<void> {
  let n = 0;
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) break;
    n += chunk.byteLength;
  }
  await conn.write(utf8(`${n}\n`));
  await conn.closeWrite();
}

/**
 * Runs one client role on `rt` (the Runtime of its API, already chosen) and returns its
 * outcome; `start` is called when the measured part begins. The workerd agent Worker calls it
 * with its connect() Runtime.
 */
export async function runBenchClient(
  rt: Runtime,
  spec: BenchSpec,
  tls: RoleTls | null,
  start: () => void,
): Promise<ClientOutcome> {
  switch (spec.role) {
    case "bulk-client":
      return bulkClient(rt, spec, tls, start);
    case "handshake-client":
      if (!tls) throw new Error("handshake-client needs tls files");
      return handshakeClient(rt, spec, tls, start);
    case "rtt-client":
      return rttClient(rt, spec, start);
    case "transfer-client":
      return transferClient(rt, spec, start);
    case "udp-client":
      return udpClient(rt, spec, start);
    case "decoder":
      return decoderBench(rt, spec, start);
    case "load-client":
      return loadClient(rt, spec, start);
    case "idle-client":
      return idleClient(rt, spec, start);
    default:
      throw new Error(`role ${spec.role} is not offered by the adapter agent`);
  }
}

function connect(rt: Runtime, spec: BenchSpec, tls: RoleTls | null = null): Promise<Connection> {
  // Verified against the run's throwaway CA, as any real client would; no session is resumed.
  if (tls) return rt.connect({ transport: "tls", hostname: spec.host, port: spec.port, tls: { ca: tls.ca! } });
  return rt.connect({ transport: "tcp", hostname: spec.host, port: spec.port });
}

async function readAll(conn: Connection): Promise<string> {
  let text = "";
  for (let i = 0; i < 1000; i++) {
    const c = await conn.read();
    if (c === null) return text;
    text += fromUtf8(c);
  }
  throw new Error("answer too long");
}

/** Sends `bytes` on a new connection and waits for the sink's count; returns seconds. */
async function bulkOnce(
  rt: Runtime,
  spec: BenchSpec,
  tls: RoleTls | null,
  bytes: number,
  block: Uint8Array,
): Promise<number> {
  const conn = await connect(rt, spec, tls);
  try {
    const t0 = rt.host.now();
    let left = bytes;
    while (left > 0) {
      const n = Math.min(left, block.byteLength);
      await conn.write(n === block.byteLength ? block : block.subarray(0, n));
      left -= n;
    }
    await conn.closeWrite();
    const answer = await readAll(conn);
    const secs = (rt.host.now() - t0) / 1000;
    if (Number(answer.trim()) !== bytes) throw new Error(`sink counted ${answer.trim()} bytes of ${bytes}`);
    return secs;
  } finally {
    conn.close();
  }
}

async function bulkClient(
  rt: Runtime,
  spec: BenchSpec,
  tls: RoleTls | null,
  start: () => void,
): Promise<ClientOutcome> {
  const bytes = spec.bytes ?? 1 << 30;
  const block = new Prng(1).bytes(BULK_WRITE);
  if (spec.warmup) await bulkOnce(rt, spec, tls, spec.warmup, block);
  start();
  const seconds = await bulkOnce(rt, spec, tls, bytes, block);
  return { ok: true, seconds, bytes };
}

/** One new TLS connection: full handshake, `msg` out, half-close, the echo back until the server's FIN. */
async function handshakeOnce(rt: Runtime, spec: BenchSpec, tls: RoleTls, msg: Uint8Array): Promise<void> {
  const conn = await connect(rt, spec, tls);
  try {
    await conn.write(msg);
    await conn.closeWrite();
    let got = 0;
    for (let i = 0; i < 1000; i++) {
      const c = await conn.read();
      if (c === null) break;
      got += c.byteLength;
    }
    if (got !== msg.byteLength) throw new Error(`echo returned ${got} of ${msg.byteLength} bytes`);
  } finally {
    conn.close();
  }
}

/** `connections` loops of handshakeOnce: warm-up seconds, then the measured seconds. */
async function handshakeClient(rt: Runtime, spec: BenchSpec, tls: RoleTls, start: () => void): Promise<ClientOutcome> {
  const msg = new Prng(5).bytes(spec.size ?? 64);
  return handshakeLoops(
    spec,
    () => () => handshakeOnce(rt, spec, tls, msg),
    () => rt.host.now(),
    start,
  );
}

async function rttClient(rt: Runtime, spec: BenchSpec, start: () => void): Promise<ClientOutcome> {
  const size = spec.size ?? 64;
  const msg = new Prng(2).bytes(size);
  const conn = await connect(rt, spec);
  conn.setNoDelay(true);
  try {
    const once = async (): Promise<void> => {
      await conn.write(msg);
      let got = 0;
      while (got < size) {
        const c = await conn.read();
        if (c === null) throw new Error("echo server closed the connection");
        got += c.byteLength;
      }
    };
    const warmUntil = rt.host.now() + (spec.warmup ?? 0) * 1000;
    for (let i = 0; i < 10_000_000 && rt.host.now() < warmUntil; i++) await once();
    const hist = new LatencyRecorder();
    start();
    const t0 = rt.host.now();
    const until = t0 + (spec.seconds ?? 2) * 1000;
    let t = t0;
    let n = 0;
    while (n < 50_000_000 && t < until) {
      await once();
      const t1 = rt.host.now();
      hist.record(t1 - t);
      t = t1;
      n++;
    }
    const seconds = (t - t0) / 1000;
    await conn.closeWrite();
    return { ok: true, seconds, messages: n, latency: hist.stats() };
  } finally {
    conn.close();
  }
}

/** Sends one framed transfer of `bytes` in `frame`-byte data frames; returns seconds. */
async function transferOnce(
  rt: Runtime,
  spec: BenchSpec,
  bytes: number,
  block: Uint8Array,
  blockSha: (n: number) => string,
): Promise<number> {
  const frame = spec.size ?? 64 * 1024;
  const conn = await connect(rt, spec);
  try {
    const t0 = rt.host.now();
    const sha256 = blockSha(bytes);
    await writeFrame(conn, utf8(JSON.stringify({ name: "bench.bin", size: bytes, sha256 })));
    let sent = 0;
    let at = 0;
    while (sent < bytes) {
      const n = Math.min(frame, bytes - sent, block.byteLength - at);
      await writeFrame(conn, block.subarray(at, at + n));
      sent += n;
      at = (at + n) % block.byteLength;
    }
    await writeFrame(conn, new Uint8Array(0));
    const reply = await new FrameReader(conn).read();
    const secs = (rt.host.now() - t0) / 1000;
    if (reply === null) throw new Error("no reply frame");
    const r = JSON.parse(fromUtf8(reply)) as { ok?: boolean; size?: number; sha256?: string };
    if (r.ok !== true || r.size !== bytes || r.sha256 !== sha256)
      throw new Error(`transfer not verified: ${fromUtf8(reply)}`);
    return secs;
  } finally {
    conn.close();
  }
}

async function transferClient(rt: Runtime, spec: BenchSpec, start: () => void): Promise<ClientOutcome> {
  const bytes = spec.bytes ?? 256 * 1024 * 1024;
  const block = new Prng(3).bytes(BLOCK);
  // The header carries the file's sha256, so a real client hashes before sending; that is
  // done here before the clock starts (the same file is sent every time).
  const shas = new Map<number, string>();
  const blockSha = (n: number): string => {
    let s = shas.get(n);
    if (s === undefined) {
      const h = rt.sha256();
      for (let left = n; left > 0; left -= BLOCK) h.update(left >= BLOCK ? block : block.subarray(0, left));
      s = h.digestHex();
      shas.set(n, s);
    }
    return s;
  };
  if (spec.warmup) {
    blockSha(spec.warmup);
    await transferOnce(rt, spec, spec.warmup, block, blockSha);
  }
  blockSha(bytes);
  start();
  const seconds = await transferOnce(rt, spec, bytes, block, blockSha);
  return { ok: true, seconds, bytes };
}

/** UDP requests with `window` in flight (see UdpRequestWindow), through the adapter. */
async function udpClient(rt: Runtime, spec: BenchSpec, start: () => void): Promise<ClientOutcome> {
  const sock: DatagramSocket = await rt.bindDatagram({
    hostname: spec.host.includes(":") ? "::1" : "127.0.0.1",
    port: 0,
  });
  const to = { hostname: spec.host, port: spec.port };
  const w = new UdpRequestWindow(
    (text) => void sock.send(utf8(text), to).catch(() => {}),
    () => rt.host.now(),
  );
  const receiver = (async () => {
    for (;;) {
      const d = await sock.receive();
      if (d === null) return;
      w.onReply(fromUtf8(d.data));
    }
  })();
  try {
    const r = await w.run({
      window: spec.window ?? 8,
      warmupSeconds: spec.warmup ?? 0,
      seconds: spec.seconds ?? 2,
      onStart: start,
    });
    return { ok: true, ...r };
  } finally {
    sock.close();
    await receiver.catch(() => {});
  }
}

async function decoderBench(rt: Runtime, spec: BenchSpec, start: () => void): Promise<ClientOutcome> {
  const impls = (spec.decoders ?? DECODERS).filter((d): d is DecoderName =>
    (DECODERS as readonly string[]).includes(d),
  );
  const sizes = spec.frameSizes ?? [64, 4096, 1024 * 1024];
  const chunk = spec.chunk ?? 64 * 1024;
  const seconds = spec.seconds ?? 0.5;
  start();
  const t0 = rt.host.now();
  const out: DecoderResult[] = [];
  const cpu = (): number | null => {
    const u = rt.host.cpuUsage();
    return u ? u.user + u.system : null;
  };
  // Each stream is built just before its measurements and dropped after them: what is alive
  // while a decoder runs is its own stream, as on a connection. Streams of every size built up
  // front (48 MiB) made JavaScriptCore size its heap to them, and Bun's decoder-64 then spent
  // the measurement growing that heap (docs/bench.md, "Bun inside the bench agent").
  for (const size of sizes) {
    const s = makeStream(size, spec.streamBytes ?? 16 * 1024 * 1024, chunk);
    for (const impl of impls) out.push(measure(impl, s, seconds, () => rt.host.now(), cpu));
  }
  return { ok: true, seconds: (rt.host.now() - t0) / 1000, decoder: out };
}
