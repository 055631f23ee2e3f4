/**
 * The programs `netparity bench` runs, and how one is started: pinned to a CPU with taskset
 * where available, with RLIMIT_NOFILE raised to the hard limit (1000 clients need more than
 * the usual 1024 descriptors), and always killed in `finally` by the caller.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import { DIST, PACKAGE_ROOT, denoRunFlags, runtimeBinary } from "../runner/runtimes.js";
import type { BenchEvent, BenchSpec } from "../../in-runtime/bench/protocol.js";
import { spawnHarness, type Harness } from "../process/harness.js";

/** "wintertc": the adapter's bench agent with its client connecting through @netparity/sockets. */
export type Impl = "adapter" | "raw" | "python-threads" | "wintertc";

export interface Program {
  /** "node", "bun", "deno" or "python". */
  runtime: string;
  impl: Impl;
  /** The command line for one spec. */
  command(spec: BenchSpec): { cmd: string; args: string[] };
}

const RAW = join(PACKAGE_ROOT, "bench", "raw");

// The same deno flags for the adapter agent and the raw program, so both get the same permissions.
const DENO_FLAGS = denoRunFlags({ write: false });

export function program(
  runtime: RuntimeName,
  impl: "adapter" | "raw" | "wintertc",
  binaries: Partial<Record<RuntimeName, string>>,
): Program {
  const bin = runtimeBinary(runtime, binaries);
  const file = impl === "raw" ? join(RAW, `${runtime}.mjs`) : join(DIST, `bench-${runtime}.js`);
  return {
    runtime,
    impl,
    command: (spec) => ({
      cmd: bin,
      args: [
        ...(runtime === "deno" ? DENO_FLAGS : []),
        file,
        JSON.stringify(impl === "wintertc" ? { ...spec, api: "wintertc" } : spec),
      ],
    }),
  };
}

export function pythonProgram(): Program {
  return {
    runtime: "python",
    impl: "python-threads",
    command: (spec) => ({ cmd: "python3", args: [join(RAW, "python_server.py"), JSON.stringify(spec)] }),
  };
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

const CLK_TCK = Number(hasCommand("getconf", ["CLK_TCK"]) ?? 100) || 100;

/** User + system CPU seconds of a process (all its threads), from /proc; null if unreadable. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields 14 and 15 of proc(5), counted from the state field (3) onwards.
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
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
