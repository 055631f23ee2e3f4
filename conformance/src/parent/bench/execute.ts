/**
 * Runs one cell (or the iperf3 baseline) once and returns its sample: the rate or time the
 * client measured, and CPU seconds and peak RSS of both processes from /proc. Every process
 * started here is stopped in `finally`.
 */
import { connect, createServer } from "node:net";
import { sleep, withTimeout } from "../../in-runtime/common/timing.js";
import type { BenchEvent, BenchTlsFiles } from "../../in-runtime/bench/protocol.js";
import { HOST, SPEED_CIPHER } from "./params.js";
import type { Cell } from "./plan.js";
import { currentRss, expectEvent, peakRss, procCounters, socketCount, startProc, type Proc } from "./programs.js";

/** Which CPU the server and the client are pinned to (null: not pinned). */
export interface CpuPlacement {
  server: number | null;
  client: number | null;
}

export interface Sample {
  value: number;
  result: Extract<BenchEvent, { event: "result" }> | null;
  cpu: { server: number | null; client: number | null };
  /**
   * Minor page faults of each process during the measured part (between the client's `start`
   * and its `result`, read with the CPU seconds); null where /proc or the PID is not known.
   */
  faults?: { server: number | null; client: number | null };
  rss: { server: number | null; client: number | null };
  units: number;
  /** scaling: connections each server process held at the client's start. */
  perProcess?: number[];
  /** idle-memory: connections the server held, its RSS before the client and with the connections. */
  idle?: { connections: number; rssBefore: number; rssAfter: number };
  /** Wall seconds between the client's `start` and its `result`, as the parent saw them (CPU use = CPU seconds / wall). */
  wall: number | null;
  /** The round it was measured in (set by the round loop; pairs rows for per-round ratios). */
  round?: number;
}

export async function runCell(cell: Cell, place: CpuPlacement, taskset: boolean): Promise<Sample> {
  const servers: Proc[] = [];
  let client: Proc | null = null;
  const pinOk = taskset && cell.pin !== false;
  try {
    let port = 0;
    if (cell.server) {
      // scaling: the first process takes an ephemeral port, the others bind the same one (SO_REUSEPORT).
      for (let i = 0; i < (cell.servers ?? 1); i++) {
        const sp = cell.server.prog.start({ ...cell.server.spec, port }, place.server, pinOk);
        servers.push(sp);
        const ready = await expectEvent(sp, 30_000, "its listening line");
        if (ready.event !== "listening") throw new Error(`server said ${JSON.stringify(ready)}`);
        if (i === 0) port = ready.port;
      }
    }
    const baseSockets = servers.map((sp) => socketCount(sp.pid) ?? 0);
    const rssBefore = cell.kind === "idle" && servers[0] ? currentRss(servers[0].pid) : null;
    // A remote target's port is in the spec already; a local server's is the one it printed.
    client = cell.client.prog.start(
      cell.server ? { ...cell.client.spec, port } : cell.client.spec,
      place.client,
      pinOk,
    );
    const start = await expectEvent(client, 60_000, "start");
    if (start.event !== "start") throw new Error(`client said ${JSON.stringify(start)}`);
    // CPU seconds and minor faults at the same two moments, so both count only the measured part.
    const read = (): Counters => {
      const sv = servers.map((sp) => procCounters(sp.pid));
      const cl = procCounters(client!.pid);
      return {
        cpu: {
          server: servers.length ? sumOrNull(sv.map((x) => x?.cpuSeconds ?? null)) : null,
          client: cl?.cpuSeconds ?? null,
        },
        faults: {
          server: servers.length ? sumOrNull(sv.map((x) => x?.minorFaults ?? null)) : null,
          client: cl?.minorFaults ?? null,
        },
      };
    };
    const s0 = read();
    const w0 = performance.now();
    let perProcess: number[] | undefined;
    let idle: Sample["idle"];
    if (servers.length > 1 || cell.servers)
      perProcess = servers.map((sp, i) => (socketCount(sp.pid) ?? 0) - baseSockets[i]!);
    if (cell.kind === "idle" && servers[0]) {
      // The client has its connections; wait (bounded by its hold time) until the server has accepted them all.
      const want = cell.client.spec.connections ?? 0;
      const until = performance.now() + (cell.client.spec.seconds ?? 2) * 800;
      let held = 0;
      for (let i = 0; i < 1000 && performance.now() < until; i++) {
        held = (socketCount(servers[0].pid) ?? 0) - baseSockets[0]!;
        if (held >= want) break;
        await sleep(20);
      }
      await sleep(100);
      idle = { connections: held, rssBefore: rssBefore ?? 0, rssAfter: currentRss(servers[0].pid) ?? 0 };
    }
    const result = await expectEvent(client, 180_000, "its result");
    const s1 = read();
    const wall = (performance.now() - w0) / 1000;
    if (result.event !== "result") throw new Error(`client said ${JSON.stringify(result)}`);
    const rss = {
      server: servers.length ? sumOrNull(servers.map((sp) => peakRss(sp.pid))) : null,
      client: peakRss(client.pid),
    };
    const diff = (a: number | null, b: number | null): number | null =>
      a === null || b === null ? null : Math.max(0, b - a);
    const cpu = { server: diff(s0.cpu.server, s1.cpu.server), client: diff(s0.cpu.client, s1.cpu.client) };
    const faults = {
      server: diff(s0.faults.server, s1.faults.server),
      client: diff(s0.faults.client, s1.faults.client),
    };
    let value: number;
    let units: number;
    if (cell.kind === "bytes") {
      units = result.bytes ?? 0;
      value = units / result.seconds;
    } else if (cell.kind === "messages") {
      units = result.messages ?? 0;
      value = units / result.seconds;
    } else if (cell.kind === "handshakes") {
      units = result.handshakes ?? 0;
      value = units / result.seconds;
    } else if (cell.kind === "load") {
      units = result.messages ?? 0;
      value = result.maxRate ?? 0;
    } else if (cell.kind === "idle") {
      units = idle?.connections ?? 0;
      if (!idle || idle.connections <= 0) throw new Error("the server held no idle connection");
      value = Math.max(0, idle.rssAfter - idle.rssBefore) / idle.connections;
    } else {
      units = 0;
      value = result.seconds;
    }
    // Failed connections of a rate workload are counted in the row (errors), not fatal.
    if (!result.ok && cell.kind !== "messages" && cell.kind !== "handshakes" && cell.kind !== "load")
      throw new Error(`client reported failure: ${result.error ?? `${result.errors ?? "?"} errors`}`);
    return {
      value,
      result,
      cpu,
      faults,
      rss,
      units,
      wall,
      ...(perProcess ? { perProcess } : {}),
      ...(idle ? { idle } : {}),
    };
  } finally {
    await Promise.all([client?.stop(), ...servers.map((sp) => sp.stop())]);
  }
}

interface Counters {
  cpu: { server: number | null; client: number | null };
  faults: { server: number | null; client: number | null };
}

function sumOrNull(xs: Array<number | null>): number | null {
  return xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + b!, 0);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, HOST, () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** iperf3 over loopback, the same byte count: the machine's limit for one TCP stream. */
export async function runIperf(bytes: number, place: CpuPlacement, taskset: boolean): Promise<Sample> {
  const port = await freePort();
  const server = startProc(
    "iperf3",
    ["-s", "-1", "--forceflush", "-B", HOST, "-p", String(port)],
    { cpu: place.server },
    taskset,
  );
  let client: ReturnType<typeof startProc> | null = null;
  try {
    // Wait for its banner; probing the port would use up the one test `-1` allows.
    for (let i = 0; i < 200 && !server.stdout().includes("Server listening"); i++) await sleep(25);
    client = startProc(
      "iperf3",
      ["-c", HOST, "-p", String(port), "-n", String(bytes), "-J"],
      { cpu: place.client },
      taskset,
    );
    const c = client;
    await withTimeout(c.exited, 120_000, "iperf3 client");
    const out = c.stdout();
    if (!out.trim())
      throw new Error(
        `iperf3 client printed nothing: ${client.stderr().slice(0, 300)} / server: ${server.stderr().slice(0, 300)}`,
      );
    const j = JSON.parse(out) as {
      end?: { sum_received?: { bits_per_second?: number; bytes?: number; seconds?: number } };
      error?: string;
    };
    const r = j.end?.sum_received;
    if (!r?.bits_per_second)
      throw new Error(`iperf3: ${j.error ?? "no sum_received"} ${client.stderr().slice(0, 300)}`);
    return {
      value: r.bits_per_second / 8,
      result: null,
      cpu: { server: null, client: null },
      rss: { server: null, client: null },
      units: r.bytes ?? bytes,
      wall: null,
    };
  } finally {
    await Promise.all([client?.stop(), server.stop()]);
  }
}

/** Resolves once something accepts TCP connections on `port` (bounded: about 5 s). */
async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: HOST, port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`nothing listens on port ${port}`);
}

/**
 * OpenSSL's own client and server (`openssl s_time -new` against `openssl s_server`), the
 * native reference for tls-handshake: one connection at a time, full handshakes, no data
 * (s_time sends nothing unless asked for a page). Its rate is the count over the wall time
 * the parent measures (s_time's own "real seconds" are whole seconds); CPU is the server's.
 */
export async function runSTime(
  files: BenchTlsFiles,
  seconds: number,
  place: CpuPlacement,
  taskset: boolean,
): Promise<Sample> {
  const port = await freePort();
  const server = startProc(
    "openssl",
    ["s_server", "-quiet", "-accept", `${HOST}:${port}`, "-cert", files.cert, "-key", files.key],
    { cpu: place.server },
    taskset,
  );
  let client: ReturnType<typeof startProc> | null = null;
  try {
    await waitForPort(port);
    const c0 = procCounters(server.pid);
    const t0 = performance.now();
    client = startProc(
      "openssl",
      ["s_time", "-connect", `${HOST}:${port}`, "-new", "-time", String(Math.max(1, Math.round(seconds)))],
      { cpu: place.client },
      taskset,
    );
    const c = client;
    await withTimeout(c.exited, 60_000, "openssl s_time");
    const wall = (performance.now() - t0) / 1000;
    const c1 = procCounters(server.pid);
    const m = /(\d+) connections in [\d.]+s/.exec(c.stdout());
    if (!m) throw new Error(`openssl s_time: ${(c.stdout() + c.stderr()).trim().slice(-300)}`);
    const n = Number(m[1]);
    if (n === 0) throw new Error(`openssl s_time made no connection: ${c.stderr().trim().slice(-300)}`);
    return {
      value: n / wall,
      result: null,
      cpu: { server: c0 && c1 ? Math.max(0, c1.cpuSeconds - c0.cpuSeconds) : null, client: null },
      faults: { server: c0 && c1 ? Math.max(0, c1.minorFaults - c0.minorFaults) : null, client: null },
      rss: { server: peakRss(server.pid), client: null },
      units: n,
      wall,
    };
  } finally {
    await Promise.all([client?.stop(), server.stop()]);
  }
}

/** TLS records carry at most 16 KiB of data; `openssl speed` encrypts blocks of this size. */
const SPEED_BLOCK = 16384;

/**
 * `openssl speed -evp aes-128-gcm` on 16 KiB blocks for `seconds`, pinned where the sink runs:
 * one core's AES-GCM rate with no I/O, the reference for tls-bulk (each end of a TLS stream
 * encrypts or decrypts every byte on its own core). The rate is openssl's own (`-mr` output).
 */
export async function runSpeed(seconds: number, place: CpuPlacement, taskset: boolean): Promise<Sample> {
  const proc = startProc(
    "openssl",
    [
      "speed",
      "-evp",
      SPEED_CIPHER,
      "-bytes",
      String(SPEED_BLOCK),
      "-seconds",
      String(Math.max(1, Math.round(seconds))),
      "-mr",
    ],
    { cpu: place.server },
    taskset,
  );
  try {
    await withTimeout(proc.exited, 60_000, "openssl speed");
    // "+F:<n>:AES-128-GCM:<bytes per second>" (machine-readable results).
    const m = /^\+F:\d+:[^:]+:([\d.]+)\s*$/m.exec(proc.stdout());
    const rate = m ? Number(m[1]) : Number.NaN;
    if (!(rate > 0)) throw new Error(`openssl speed: ${(proc.stdout() + proc.stderr()).trim().slice(-300)}`);
    return {
      value: rate,
      result: null,
      cpu: { server: null, client: null },
      rss: { server: null, client: null },
      units: 0,
      wall: null,
    };
  } finally {
    await proc.stop();
  }
}
