/**
 * The programs `netparity bench` runs, and how one is started: pinned to a CPU with taskset
 * where available, with RLIMIT_NOFILE raised to the hard limit (1000 clients need more than
 * the usual 1024 descriptors), and always killed in `finally` by the caller.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import { DIST, PACKAGE_ROOT, runtimeBinary, runtimeVersion } from "../runner/runtimes.js";
import type { BenchEvent, BenchSpec } from "../../in-runtime/bench/protocol.js";
import { DEFAULT_API, isApiName, type ApiName } from "../../in-runtime/common/apis.js";
import { runtimeDescriptors, runtimeOf } from "../common/runtime-descriptors.js";
import { formatEnd } from "../common/targets.js";
import { spawnHarness, type Harness } from "../process/harness.js";
import { startWorkerdBench } from "../workerd/bench.js";

/**
 * "adapter" (the bench agent), "raw" (bench/raw/), "python-threads", or a facade API's name:
 * the adapter's bench agent with its client on that facade (the facade workloads).
 */
export type Impl = string;

export interface Program {
  /** What the report names it: "node", "bun+node" (an end on another API), "python". */
  runtime: string;
  /** The runtime it runs on ("bun" for "bun+node"); "python" for the Python server. */
  base: string;
  impl: Impl;
  /** Starts it for one spec, pinned to `cpu` when `pin`. */
  start(spec: BenchSpec, cpu: number | null, pin: boolean): Proc;
}

const RAW = join(PACKAGE_ROOT, "bench", "raw");

/**
 * The runtime whose raw program is `api`'s raw program: the runtime itself for its native API,
 * else the runtime whose native API `api` is (node:net's raw program is Node's, run unchanged
 * on Bun and Deno); none for a facade.
 */
function rawOf(runtime: RuntimeName, api: ApiName): RuntimeName | undefined {
  if (api === DEFAULT_API) return runtime;
  return runtimeDescriptors().find((d) => d.nativeIs === api)?.name;
}

/** Whether `runtime` can be a fixed peer: a raw program on its own API, on both ends (workerd cannot). */
export function isFixedPeerCandidate(runtime: RuntimeName): boolean {
  return (["server", "client"] as const).every((end) => runtimeOf(runtime).apis[DEFAULT_API]?.includes(end));
}

/** Whether `api` has a raw program to compare its adapter with. */
export function hasRaw(api: ApiName): boolean {
  return runtimeDescriptors().some((d) => rawOf(d.name, api) !== undefined);
}

/** A process given its argv, as every program but workerd's is. */
function argvProgram(
  runtime: string,
  base: string,
  impl: Impl,
  command: (spec: BenchSpec) => { cmd: string; args: string[] },
): Program {
  return {
    runtime,
    base,
    impl,
    start: (spec, cpu, pin) => {
      const c = command(spec);
      return startProc(c.cmd, c.args, { cpu }, pin);
    },
  };
}

/**
 * `runtime`'s `impl` program for an end on `api` (an end API as endApi gives it: `native`
 * where the asked API is the runtime's own). A workerd end is its Worker, driven over HTTP.
 */
export function program(
  runtime: RuntimeName,
  impl: Impl,
  binaries: Partial<Record<RuntimeName, string>>,
  api: ApiName = DEFAULT_API,
): Program {
  const d = runtimeOf(runtime);
  // As in `run`'s keys: `bun+node`, and workerd's own API named (`workerd+wintertc`).
  const label = formatEnd({ name: runtime, api });
  const bin = runtimeBinary(runtime, binaries);
  // The API the agent's client or server speaks: the end's, or the facade the impl names.
  const specApi = isApiName(impl) ? impl : api === d.ownApi ? DEFAULT_API : api;
  const withApi = (spec: BenchSpec): BenchSpec => (specApi === DEFAULT_API ? spec : { ...spec, api: specApi });
  if (d.driver === "workerd") {
    if (impl !== "adapter") throw new Error(`${runtime} has no ${impl} bench program`);
    return {
      runtime: label,
      base: runtime,
      impl,
      start: (spec, cpu, pin) =>
        startWorkerdBench({
          spec: withApi(spec),
          binary: bin,
          version: runtimeVersion(runtime, binaries).version ?? "",
          bundle: join(DIST, d.benchAgent?.bundle ?? d.agent.bundle),
          cpu: pin ? cpu : null,
        }),
    };
  }
  const raw = impl === "raw" ? rawOf(runtime, api) : undefined;
  if (impl === "raw" && !raw) throw new Error(`the ${api} API has no raw program`);
  const file = raw ? join(RAW, `${raw}.mjs`) : join(DIST, d.benchAgent?.bundle ?? `bench-${runtime}.js`);
  return argvProgram(label, runtime, impl, (spec) => ({
    cmd: bin,
    args: [...d.runArgs({ write: false }), file, JSON.stringify(raw ? spec : withApi(spec))],
  }));
}

export function pythonProgram(): Program {
  return argvProgram("python", "python", "python-threads", (spec) => ({
    cmd: "python3",
    args: [join(RAW, "python_server.py"), JSON.stringify(spec)],
  }));
}

export function hasCommand(cmd: string, args: string[] = ["--version"]): string | null {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim();
}

export interface Placement {
  /** taskset -c <cpu> prefix, or none. */
  cpu: number | null;
}

export type Proc = Harness<BenchEvent>;

/**
 * Starts a bench program pinned to `place.cpu` (when taskset works here) with RLIMIT_NOFILE
 * at the hard limit; the PID is the measured program's own. `stop()` is SIGTERM, then
 * SIGKILL after 2 s.
 */
export function startProc(cmd: string, args: string[], place: Placement, tasksetOk: boolean): Proc {
  return spawnHarness<BenchEvent>(cmd, args, {
    wrap: { fdLimit: "hard", cpu: tasksetOk ? place.cpu : null },
    stop: { signal: "SIGTERM", graceMs: 2000 },
  });
}

/** The next event of a bench program, which has to come: the program's end or its error event throws. */
export async function expectEvent(p: Proc, timeoutMs: number, what: string): Promise<BenchEvent> {
  const e = await p.next(timeoutMs, what);
  if (e === null) throw new Error(`${p.name} exited before ${what}: ${p.stderr().trim().slice(-600)}`);
  if (e.event === "error") throw new Error(`${p.name}: ${e.message.slice(0, 600)}`);
  return e;
}

let clkTck: number | undefined;

/** The kernel's clock ticks per second, asked once when first needed (not at every CLI start). */
function ticksPerSecond(): number {
  clkTck ??= Number(hasCommand("getconf", ["CLK_TCK"]) ?? 100) || 100;
  return clkTck;
}

/**
 * A process's counters from one read of /proc/<pid>/stat (all its threads): user + system CPU
 * seconds (fields 14 and 15 of proc(5)) and minor page faults (field 10: pages mapped in
 * without I/O, e.g. memory taken from the kernel and touched for the first time). Null where
 * /proc is not there (not Linux) or the process is gone.
 */
export function procCounters(pid: number): { cpuSeconds: number; minorFaults: number } | null {
  if (!(pid > 0)) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Counted from the state field (3) onwards: the command name before it may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const cpu = (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
    const minflt = Number(fields[7]);
    return Number.isFinite(cpu) && Number.isFinite(minflt) ? { cpuSeconds: cpu, minorFaults: minflt } : null;
  } catch {
    return null;
  }
}

/** Peak resident set size (VmHWM) in bytes; null if unreadable. */
export function peakRss(pid: number): number | null {
  try {
    const m = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Current resident set size (VmRSS) in bytes; null if unreadable. */
export function currentRss(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Open sockets of a process (its /proc/<pid>/fd entries that are sockets); null if unreadable. */
export function socketCount(pid: number): number | null {
  try {
    let n = 0;
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith("socket:")) n++;
      } catch {
        // closed meanwhile
      }
    }
    return n;
  } catch {
    return null;
  }
}
