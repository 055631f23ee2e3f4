/**
 * `netparity bench`: which runtime to deploy, with evidence. Each workload is run with each
 * runtime as the server (against one fixed client) and as the client (against one fixed
 * server), through our adapter and through the runtime's raw API, plus the baselines
 * (iperf3, a thread-per-connection Python server, the decoder microbenchmark), in
 * interleaved rounds; medians with min–max, CPU seconds per unit and peak RSS from /proc.
 */
import { createServer } from "node:net";
import { cpus, loadavg, release, totalmem, availableParallelism } from "node:os";
import type { RuntimeName } from "@netparity/protocol";
import { runtimeVersion } from "../runner/runtimes.js";
import { cpuSeconds, expectEvent, hasCommand, peakRss, program, pythonProgram, startProc, type Program } from "./programs.js";
import type { BenchEvent, BenchSpec, DecoderResult, LatencyStats } from "../../in-runtime/bench/protocol.js";

export const WORKLOADS = ["bulk", "transfer", "echo", "concurrency", "udp", "decoder"] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface BenchOptions {
  quick: boolean;
  runtimes: RuntimeName[];
  workloads: WorkloadName[];
  rounds?: number;
  pin: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
  /** Progress lines (stderr). */
  progress?: (line: string, final: boolean) => void;
}

export interface ResultEntry {
  runtime: string;
  role: "server" | "client" | "decoder";
  impl: string;
  /** The other end of the connection, e.g. "node raw"; absent for decoder results. */
  peer?: string;
  median: number;
  min: number;
  max: number;
  samples: number[];
  /** CPU seconds (user + system) per unit (GB or 1M messages) of the process under test and its peer. */
  cpuSecondsPer?: { unit: string; self: number | null; peer: number | null };
  /** Peak RSS (VmHWM) of the process under test, median over samples. */
  peakRssBytes?: number | null;
  peerPeakRssBytes?: number | null;
  latencyUs?: LatencyStats;
  errors?: number;
  lost?: number;
  /** decoder: frames copied per pass / frames per pass. */
  copied?: { copied: number; frames: number };
  note?: string;
}

export interface WorkloadResult {
  name: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  params: Record<string, number | string>;
  results: ResultEntry[];
}

export interface Ratio {
  name: string;
  workload: string;
  runtime: string;
  role: string;
  numerator: string;
  denominator: string;
  ratio: number | null;
  target?: number;
  met?: boolean;
}

export interface BenchReport {
  schema: "netparity.bench/1";
  createdAt: string;
  quick: boolean;
  rounds: number;
  durationSeconds: number;
  machine: Record<string, unknown>;
  workloads: WorkloadResult[];
  ratios: Ratio[];
  skipped: string[];
  errors: string[];
}

interface Params {
  bulkBytes: number;
  bulkWarmup: number;
  transferBytes: number;
  transferWarmup: number;
  frame: number;
  seconds: number;
  warmup: number;
  echoSize: number;
  concSize: number;
  concLevels: number[];
  udpWindow: number;
  decoderSeconds: number;
  decoderStream: number;
  rounds: number;
}

const MiB = 1024 * 1024;

function params(o: BenchOptions): Params {
  const q = o.quick;
  return {
    bulkBytes: q ? 64 * MiB : 1024 * MiB,
    bulkWarmup: q ? 8 * MiB : 128 * MiB,
    transferBytes: q ? 32 * MiB : 256 * MiB,
    transferWarmup: q ? 4 * MiB : 32 * MiB,
    frame: 64 * 1024,
    seconds: q ? 0.25 : 1.5,
    warmup: q ? 0.1 : 0.5,
    echoSize: 64,
    concSize: 1024,
    concLevels: q ? [10, 1000] : [1, 10, 100, 1000],
    udpWindow: 8,
    decoderSeconds: q ? 0.04 : 0.3,
    decoderStream: q ? 2 * MiB : 16 * MiB,
    rounds: o.rounds ?? (q ? 1 : 3),
  };
}

/** One measured pairing: a server program (or none) and a client program with their specs. */
interface Cell {
  workload: string;
  key: string;
  server: { prog: Program; spec: BenchSpec } | null;
  client: { prog: Program; spec: BenchSpec };
  /** The result entries this cell's samples feed (one cell can be both "node raw as server" and "node raw as client"). */
  entries: Array<{ role: "server" | "client"; subject: "server" | "client" }>;
  /** Units of work for CPU-per-unit: bytes or messages, from a result. */
  kind: "bytes" | "messages" | "decoder" | "iperf3";
}

interface Sample {
  value: number;
  result: Extract<BenchEvent, { event: "result" }> | null;
  cpu: { server: number | null; client: number | null };
  rss: { server: number | null; client: number | null };
  units: number;
}

const HOST = "127.0.0.1";

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const p = params(o);
  const say = o.progress ?? (() => {});
  const skipped: string[] = [];
  const errors: string[] = [];
  const taskset = o.pin && hasCommand("taskset", ["--version"]) !== null;
  const ncpu = availableParallelism();
  if (o.pin && !taskset) skipped.push("CPU pinning: taskset (util-linux) not found; processes float");
  const place = { server: taskset && ncpu >= 2 ? 0 : null, client: taskset && ncpu >= 2 ? 1 : null };
  const iperf = hasCommand("iperf3", ["--version"]);
  const python = hasCommand("python3", ["--version"]);
  const versions: Record<string, string> = {};
  for (const rt of o.runtimes) {
    const v = runtimeVersion(rt, o.binaries);
    if (v.version) versions[rt] = v.version;
    else errors.push(v.error ?? `${rt}: no version`);
  }
  const runtimes = o.runtimes.filter((rt) => versions[rt]);
  const fixed = program("node", "raw", o.binaries);
  if (!versions["node"]) versions["node"] = process.versions.node;
  const wl = new Set(o.workloads);
  if (wl.has("bulk") && !iperf) skipped.push("iperf3: not installed (apt-get install -y iperf3); the loopback limit row is missing");
  if (!python) skipped.push("python3: not found; the thread-per-connection Python server rows are missing");

  const cells: Cell[] = [];
  const byKey = new Map<string, Cell>();
  const progs = (rt: RuntimeName) => [program(rt, "adapter", o.binaries), program(rt, "raw", o.binaries)];
  const add = (workload: string, server: Cell["server"], client: Cell["client"], role: "server" | "client", kind: Cell["kind"]): void => {
    const key = `${workload}|${server ? `${server.prog.runtime}/${server.prog.impl}` : "-"}|${client.prog.runtime}/${client.prog.impl}`;
    const subject = role;
    const existing = byKey.get(key);
    if (existing) {
      existing.entries.push({ role, subject });
      return;
    }
    const cell: Cell = { workload, key, server, client, entries: [{ role, subject }], kind };
    byKey.set(key, cell);
    cells.push(cell);
  };
  const both = (workload: string, serverSpec: BenchSpec, clientSpec: BenchSpec, kind: Cell["kind"], withPython: boolean): void => {
    for (const rt of runtimes) for (const prog of progs(rt)) add(workload, { prog, spec: serverSpec }, { prog: fixed, spec: clientSpec }, "server", kind);
    if (withPython && python) add(workload, { prog: pythonProgram(), spec: serverSpec }, { prog: fixed, spec: clientSpec }, "server", kind);
    for (const rt of runtimes) for (const prog of progs(rt)) add(workload, { prog: fixed, spec: serverSpec }, { prog, spec: clientSpec }, "client", kind);
  };
  const base = { host: HOST, port: 0 };
  if (wl.has("bulk")) {
    both("bulk", { ...base, role: "sink-server" }, { ...base, role: "bulk-client", bytes: p.bulkBytes, warmup: p.bulkWarmup }, "bytes", true);
  }
  if (wl.has("transfer")) {
    both(
      "transfer",
      { ...base, role: "transfer-server" },
      { ...base, role: "transfer-client", bytes: p.transferBytes, warmup: p.transferWarmup, size: p.frame },
      "bytes",
      false,
    );
  }
  if (wl.has("echo")) {
    both("echo", { ...base, role: "echo-server" }, { ...base, role: "rtt-client", size: p.echoSize, seconds: p.seconds, warmup: p.warmup }, "messages", true);
  }
  if (wl.has("concurrency")) {
    for (const n of p.concLevels) {
      const client: BenchSpec = { ...base, role: "conc-client", connections: n, size: p.concSize, seconds: p.seconds, warmup: p.warmup };
      for (const rt of runtimes) for (const prog of progs(rt)) add(`concurrency-${n}`, { prog, spec: { ...base, role: "echo-server" } }, { prog: fixed, spec: client }, "server", "messages");
      if (python) add(`concurrency-${n}`, { prog: pythonProgram(), spec: { ...base, role: "echo-server" } }, { prog: fixed, spec: client }, "server", "messages");
    }
  }
  if (wl.has("udp")) {
    both("udp", { ...base, role: "udp-server", udpMode: "echo" }, { ...base, role: "udp-client", window: p.udpWindow, seconds: p.seconds, warmup: p.warmup / 2 }, "messages", true);
  }
  if (wl.has("decoder")) {
    for (const rt of runtimes) {
      const prog = program(rt, "adapter", o.binaries);
      add("decoder", null, { prog, spec: { ...base, role: "decoder", seconds: p.decoderSeconds, streamBytes: p.decoderStream, chunk: 64 * 1024 } }, "client", "decoder");
    }
  }
  const iperfCell = wl.has("bulk") && iperf !== null;

  const samples = new Map<string, Sample[]>();
  const total = p.rounds * (cells.length + (iperfCell ? 1 : 0));
  let done = 0;
  const describe = (c: Cell): string =>
    `${c.workload}: ${c.server ? `${c.server.prog.runtime} ${c.server.prog.impl}` : ""}${c.server ? " <- " : ""}${c.client.prog.runtime} ${c.client.prog.impl}`;
  for (let round = 1; round <= p.rounds; round++) {
    for (const cell of cells) {
      say(`[${++done}/${total}] round ${round}/${p.rounds} ${describe(cell)}`, false);
      try {
        const s = await runCell(cell, place, taskset);
        (samples.get(cell.key) ?? samples.set(cell.key, []).get(cell.key)!).push(s);
        say(`[${done}/${total}] round ${round}/${p.rounds} ${describe(cell)}: ${fmt(s.value)}`, true);
      } catch (e) {
        const msg = `${describe(cell)} (round ${round}): ${(e as Error).message}`;
        errors.push(msg);
        say(`[${done}/${total}] ${msg}`, true);
      }
    }
    if (iperfCell) {
      say(`[${++done}/${total}] round ${round}/${p.rounds} bulk: iperf3`, false);
      try {
        const s = await runIperf(p.bulkBytes, place, taskset);
        (samples.get("iperf3") ?? samples.set("iperf3", []).get("iperf3")!).push(s);
        say(`[${done}/${total}] round ${round}/${p.rounds} bulk: iperf3: ${fmt(s.value)}`, true);
      } catch (e) {
        errors.push(`iperf3 (round ${round}): ${(e as Error).message}`);
      }
    }
  }

  const workloads = aggregate(cells, samples, p, iperfCell);
  const ratios = computeRatios(workloads);
  const cpu0 = cpus()[0];
  const machine = {
    cpuCount: cpus().length,
    availableParallelism: ncpu,
    cpuModel: cpu0?.model ?? "unknown",
    cpuMHz: cpu0?.speed ?? null,
    kernel: release(),
    memoryBytes: totalmem(),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    placement: place.server !== null ? `server on CPU ${place.server}, client on CPU ${place.client} (taskset)` : "not pinned",
    runtimes: versions,
    python: python ?? null,
    iperf3: iperf?.split("\n")[0] ?? null,
    nofileHardLimit: hasCommand("sh", ["-c", "ulimit -Hn"]),
    fixedPeer: `node raw (conformance/bench/raw/node.mjs, Node ${versions["node"]})`,
  };
  return {
    schema: "netparity.bench/1",
    createdAt: new Date().toISOString(),
    quick: o.quick,
    rounds: p.rounds,
    durationSeconds: Math.round((performance.now() - t0) / 100) / 10,
    machine,
    workloads,
    ratios,
    skipped,
    errors,
  };
}

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(a >= 10 ? 0 : 2);
}

async function runCell(cell: Cell, place: { server: number | null; client: number | null }, taskset: boolean): Promise<Sample> {
  let server: ReturnType<typeof startProc> | null = null;
  let client: ReturnType<typeof startProc> | null = null;
  try {
    let port = 0;
    if (cell.server) {
      const c = cell.server.prog.command(cell.server.spec);
      server = startProc(c.cmd, c.args, { cpu: place.server }, taskset);
      const ready = await expectEvent(server, 30_000, "its listening line");
      if (ready.event !== "listening") throw new Error(`server said ${JSON.stringify(ready)}`);
      port = ready.port;
    }
    const c = cell.client.prog.command({ ...cell.client.spec, port });
    client = startProc(c.cmd, c.args, { cpu: place.client }, taskset);
    const start = await expectEvent(client, 60_000, "start");
    if (start.event !== "start") throw new Error(`client said ${JSON.stringify(start)}`);
    const s0 = { server: server ? cpuSeconds(server.pid) : null, client: cpuSeconds(client.pid) };
    const result = await expectEvent(client, 180_000, "its result");
    const s1 = { server: server ? cpuSeconds(server.pid) : null, client: cpuSeconds(client.pid) };
    if (result.event !== "result") throw new Error(`client said ${JSON.stringify(result)}`);
    const rss = { server: server ? peakRss(server.pid) : null, client: peakRss(client.pid) };
    const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : Math.max(0, b - a));
    const cpu = { server: diff(s0.server, s1.server), client: diff(s0.client, s1.client) };
    let value: number;
    let units: number;
    if (cell.kind === "bytes") {
      units = result.bytes ?? 0;
      value = units / result.seconds;
    } else if (cell.kind === "messages") {
      units = result.messages ?? 0;
      value = units / result.seconds;
    } else {
      units = 0;
      value = result.seconds;
    }
    if (!result.ok && cell.kind !== "messages") throw new Error(`client reported failure: ${result.error ?? "?"}`);
    return { value, result, cpu, rss, units };
  } finally {
    await Promise.all([client?.stop(), server?.stop()]);
  }
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
async function runIperf(bytes: number, place: { server: number | null; client: number | null }, taskset: boolean): Promise<Sample> {
  const port = await freePort();
  const server = startProc("iperf3", ["-s", "-1", "--forceflush", "-B", HOST, "-p", String(port)], { cpu: place.server }, taskset);
  let client: ReturnType<typeof startProc> | null = null;
  try {
    // Wait for its banner; probing the port would use up the one test `-1` allows.
    for (let i = 0; i < 200 && !server.stdout().includes("Server listening"); i++) await new Promise((r) => setTimeout(r, 25));
    client = startProc("iperf3", ["-c", HOST, "-p", String(port), "-n", String(bytes), "-J"], { cpu: place.client }, taskset);
    const c = client;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([c.exited, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("iperf3 client timed out")), 120_000)))]);
    } finally {
      clearTimeout(timer);
    }
    const out = c.stdout();
    if (!out.trim()) throw new Error(`iperf3 client printed nothing: ${client.stderr().slice(0, 300)} / server: ${server.stderr().slice(0, 300)}`);
    const j = JSON.parse(out) as { end?: { sum_received?: { bits_per_second?: number; bytes?: number; seconds?: number } }; error?: string };
    const r = j.end?.sum_received;
    if (!r?.bits_per_second) throw new Error(`iperf3: ${j.error ?? "no sum_received"} ${client.stderr().slice(0, 300)}`);
    return { value: r.bits_per_second / 8, result: null, cpu: { server: null, client: null }, rss: { server: null, client: null }, units: r.bytes ?? bytes };
  } finally {
    await Promise.all([client?.stop(), server.stop()]);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function medianOrNull(xs: Array<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? median(v) : null;
}

const TITLES: Record<string, { title: string; unit: string }> = {
  bulk: { title: "Bulk one-way TCP stream", unit: "bytes/s" },
  transfer: { title: "Framed transfer with sha256 verification", unit: "bytes/s" },
  echo: { title: "Echo round trips, 64 B messages, one connection", unit: "round trips/s" },
  udp: { title: "UDP request/reply (echo of a short request), 8 in flight", unit: "replies/s" },
};

function aggregate(cells: Cell[], samples: Map<string, Sample[]>, p: Params, iperfCell: boolean): WorkloadResult[] {
  const out = new Map<string, WorkloadResult>();
  const wl = (name: string): WorkloadResult => {
    let w = out.get(name);
    if (!w) {
      const conc = /^concurrency-(\d+)$/.exec(name);
      const dec = /^decoder-(\d+)$/.exec(name);
      const t = conc
        ? { title: `Concurrency: ${conc[1]} clients echoing ${p.concSize} B messages`, unit: "messages/s" }
        : dec
          ? { title: `Frame decoder: ${sizeLabel(Number(dec[1]))} frames in 64 KiB chunks`, unit: "frames/s" }
          : (TITLES[name] ?? { title: name, unit: "" });
      w = { name, title: t.title, unit: t.unit, higherIsBetter: true, params: paramsFor(name, p), results: [] };
      out.set(name, w);
    }
    return w;
  };
  for (const cell of cells) {
    const ss = samples.get(cell.key) ?? [];
    if (cell.kind === "decoder") {
      // One sample per round holds every decoder × frame size: regroup by those.
      const groups = new Map<string, DecoderResult[]>();
      for (const s of ss) for (const d of s.result?.decoder ?? []) {
        const k = `${d.frameSize}|${d.impl}`;
        (groups.get(k) ?? groups.set(k, []).get(k)!).push(d);
      }
      for (const [k, ds] of groups) {
        const [size, impl] = k.split("|") as [string, string];
        const values = ds.map((d) => d.framesPerSec);
        const first = ds[0]!;
        wl(`decoder-${size}`).results.push({
          runtime: cell.client.prog.runtime,
          role: "decoder",
          impl,
          median: median(values),
          min: Math.min(...values),
          max: Math.max(...values),
          samples: values,
          ...(first.copied >= 0 ? { copied: { copied: first.copied, frames: first.streamFrames } } : {}),
        });
      }
      continue;
    }
    if (!ss.length) continue;
    const values = ss.map((s) => s.value);
    for (const { role, subject } of cell.entries) {
      const me = subject === "server" ? cell.server! : cell.client;
      const peer = subject === "server" ? cell.client : cell.server!;
      const perUnit = cell.kind === "bytes" ? 1e9 : 1e6;
      const cpuPer = (which: "server" | "client"): number | null =>
        medianOrNull(ss.map((s) => (s.cpu[which] === null || s.units === 0 ? null : (s.cpu[which]! / s.units) * perUnit)));
      const lat = ss.map((s) => s.result?.latency).filter((l): l is LatencyStats => !!l);
      const entry: ResultEntry = {
        runtime: me.prog.runtime,
        role,
        impl: me.prog.impl,
        peer: `${peer.prog.runtime} ${peer.prog.impl}`,
        median: median(values),
        min: Math.min(...values),
        max: Math.max(...values),
        samples: values,
        cpuSecondsPer: { unit: cell.kind === "bytes" ? "GB" : "1M messages", self: cpuPer(subject), peer: cpuPer(subject === "server" ? "client" : "server") },
        peakRssBytes: medianOrNull(ss.map((s) => s.rss[subject])),
        peerPeakRssBytes: medianOrNull(ss.map((s) => s.rss[subject === "server" ? "client" : "server"])),
      };
      if (lat.length) {
        entry.latencyUs = {
          count: median(lat.map((l) => l.count)),
          p50: median(lat.map((l) => l.p50)),
          p90: median(lat.map((l) => l.p90)),
          p99: median(lat.map((l) => l.p99)),
          p999: median(lat.map((l) => l.p999)),
          max: median(lat.map((l) => l.max)),
          mean: median(lat.map((l) => l.mean)),
        };
      }
      const errs = ss.map((s) => s.result?.errors).filter((x): x is number => typeof x === "number");
      if (errs.length) entry.errors = Math.max(...errs);
      const lost = ss.map((s) => s.result?.lost).filter((x): x is number => typeof x === "number");
      if (lost.length) entry.lost = lost.reduce((a, b) => a + b, 0);
      wl(cell.workload).results.push(entry);
    }
  }
  if (iperfCell) {
    const ss = samples.get("iperf3") ?? [];
    if (ss.length) {
      const values = ss.map((s) => s.value);
      wl("bulk").results.push({ runtime: "iperf3", role: "server", impl: "iperf3", peer: "iperf3", median: median(values), min: Math.min(...values), max: Math.max(...values), samples: values });
    }
  }
  // Stable order: workloads as run, results by role, runtime, impl.
  const order = ["server", "client", "decoder"];
  for (const w of out.values()) w.results.sort((a, b) => order.indexOf(a.role) - order.indexOf(b.role) || a.runtime.localeCompare(b.runtime) || a.impl.localeCompare(b.impl));
  return [...out.values()].sort((a, b) => workloadRank(a.name) - workloadRank(b.name));
}

function workloadRank(name: string): number {
  const base = ["bulk", "transfer", "echo", "concurrency", "udp", "decoder"].indexOf(name.split("-")[0]!);
  const n = Number(name.split("-")[1] ?? 0);
  return base * 1e8 + n;
}

export function sizeLabel(n: number): string {
  return n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
}

function paramsFor(name: string, p: Params): Record<string, number | string> {
  if (name === "bulk") return { bytes: p.bulkBytes, warmupBytes: p.bulkWarmup, writeSize: 256 * 1024 };
  if (name === "transfer") return { bytes: p.transferBytes, warmupBytes: p.transferWarmup, frameSize: p.frame };
  if (name === "echo") return { messageBytes: p.echoSize, seconds: p.seconds, warmupSeconds: p.warmup };
  if (name === "udp") return { window: p.udpWindow, seconds: p.seconds, lossTimeoutMs: 200 };
  if (name.startsWith("concurrency")) return { messageBytes: p.concSize, seconds: p.seconds, warmupSeconds: p.warmup };
  if (name.startsWith("decoder")) return { chunk: 64 * 1024, streamBytes: p.decoderStream, secondsPerMeasurement: p.decoderSeconds };
  return {};
}

const TARGETS: Record<string, number> = { bulk: 0.95, echo: 0.9, transfer: 0.85 };

export function computeRatios(workloads: WorkloadResult[]): Ratio[] {
  const ratios: Ratio[] = [];
  const find = (w: WorkloadResult, runtime: string, role: string, impl: string): ResultEntry | undefined =>
    w.results.find((r) => r.runtime === runtime && r.role === role && r.impl === impl);
  const r = (a: number | undefined, b: number | undefined): number | null => (a && b ? a / b : null);
  for (const w of workloads) {
    if (w.name.startsWith("decoder")) {
      for (const rt of new Set(w.results.map((x) => x.runtime))) {
        const ours = find(w, rt, "decoder", "framedecoder")?.median;
        const is64 = w.name === "decoder-64";
        const v = r(ours, find(w, rt, "decoder", "it-length-prefixed")?.median);
        ratios.push({ name: `${w.name} framedecoder/it-length-prefixed`, workload: w.name, runtime: rt, role: "decoder", numerator: "framedecoder", denominator: "it-length-prefixed", ratio: v, ...(is64 ? { target: 3, met: v !== null && v >= 3 } : {}) });
        ratios.push({ name: `${w.name} framedecoder/naive`, workload: w.name, runtime: rt, role: "decoder", numerator: "framedecoder", denominator: "naive", ratio: r(ours, find(w, rt, "decoder", "naive")?.median) });
        if (is64 && ours !== undefined) {
          ratios.push({ name: `${w.name} framedecoder frames/s / 10M`, workload: w.name, runtime: rt, role: "decoder", numerator: "framedecoder", denominator: "10M frames/s", ratio: ours / 1e7, target: 1, met: ours >= 1e7 });
        }
      }
      continue;
    }
    for (const rt of ["node", "bun", "deno"]) {
      for (const role of ["server", "client"]) {
        const a = find(w, rt, role, "adapter");
        const b = find(w, rt, role, "raw");
        if (!a || !b) continue;
        const target = TARGETS[w.name];
        const v = r(a.median, b.median);
        ratios.push({ name: `${w.name} adapter/raw`, workload: w.name, runtime: rt, role, numerator: "adapter", denominator: "raw", ratio: v, ...(target ? { target, met: v !== null && v >= target } : {}) });
        if (role === "server") {
          const py = find(w, "python", "server", "python-threads");
          if (py) ratios.push({ name: `${w.name} adapter/python-threads`, workload: w.name, runtime: rt, role, numerator: "adapter", denominator: "python-threads", ratio: r(a.median, py.median) });
        }
      }
      if (w.name === "concurrency-1000") {
        const a = find(w, rt, "server", "adapter");
        if (a) ratios.push({ name: "concurrency-1000 errors (adapter server)", workload: w.name, runtime: rt, role: "server", numerator: "errors", denominator: "", ratio: a.errors ?? null, target: 0, met: (a.errors ?? 1) === 0 });
      }
    }
    if (w.name === "bulk") {
      const ip = find(w, "iperf3", "server", "iperf3");
      const adapters = w.results.filter((x) => x.impl === "adapter");
      if (ip && adapters.length) {
        const best = adapters.reduce((a, b) => (b.median > a.median ? b : a));
        const v = best.median / ip.median;
        ratios.push({ name: "bulk best adapter/iperf3", workload: "bulk", runtime: best.runtime, role: best.role, numerator: "adapter", denominator: "iperf3", ratio: v, target: 0.8, met: v >= 0.8 });
        for (const x of adapters) {
          if (x === best) continue;
          ratios.push({ name: "bulk adapter/iperf3", workload: "bulk", runtime: x.runtime, role: x.role, numerator: "adapter", denominator: "iperf3", ratio: x.median / ip.median });
        }
      }
    }
  }
  return ratios;
}
