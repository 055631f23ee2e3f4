/**
 * The programs `netparity bench` runs, and how one is started: pinned to a CPU with taskset
 * where available, with RLIMIT_NOFILE raised to the hard limit (1000 clients need more than
 * the usual 1024 descriptors), and always killed in `finally` by the caller.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RuntimeName } from "@netparity/protocol";
import { DIST, PACKAGE_ROOT, runtimeBinary } from "../runner/runtimes.js";
import type { BenchEvent, BenchSpec } from "../../in-runtime/bench/protocol.js";

export type Impl = "adapter" | "raw" | "python-threads";

export interface Program {
  /** "node", "bun", "deno" or "python". */
  runtime: string;
  impl: Impl;
  /** The command line for one spec. */
  command(spec: BenchSpec): { cmd: string; args: string[] };
}

const RAW = join(PACKAGE_ROOT, "bench", "raw");

// Datagram sockets are behind --unstable-net; the bundles are self-contained, so no config
// or lock file is looked for. The same flags for the adapter agent and the raw program.
const DENO_FLAGS = ["run", "--quiet", "--unstable-net", "--no-config", "--no-lock", "--no-prompt", "--allow-net", "--allow-read", "--allow-env", "--allow-sys"];

export function program(runtime: RuntimeName, impl: "adapter" | "raw", binaries: Partial<Record<RuntimeName, string>>): Program {
  const bin = runtimeBinary(runtime, binaries);
  const file = impl === "adapter" ? join(DIST, `bench-${runtime}.js`) : join(RAW, `${runtime}.mjs`);
  return {
    runtime,
    impl,
    command: (spec) => ({ cmd: bin, args: [...(runtime === "deno" ? DENO_FLAGS : []), file, JSON.stringify(spec)] }),
  };
}

export function pythonProgram(): Program {
  return { runtime: "python", impl: "python-threads", command: (spec) => ({ cmd: "python3", args: [join(RAW, "python_server.py"), JSON.stringify(spec)] }) };
}

export function hasCommand(cmd: string, args: string[] = ["--version"]): string | null {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000, stdio: ["ignore", "pipe", "pipe"] });
  if (r.error || r.status !== 0) return null;
  return (r.stdout || r.stderr).trim();
}

/** Every child the bench started and has not seen exit; killed on Ctrl-C. */
export const LIVE = new Set<ChildProcess>();

export interface Placement {
  /** taskset -c <cpu> prefix, or none. */
  cpu: number | null;
}

export interface Proc {
  readonly child: ChildProcess;
  readonly pid: number;
  next(timeoutMs: number, what: string): Promise<BenchEvent>;
  stderr(): string;
  /** Everything printed on stdout (capped at 1 MiB), for programs that do not print JSON lines. */
  stdout(): string;
  readonly exited: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `cmd args` through `sh -c 'ulimit -n <hard>; exec taskset -c N "$@"'`: each exec
 * keeps the PID, so /proc/<pid> read by the parent is the measured program itself.
 */
export function startProc(cmd: string, args: string[], place: Placement, tasksetOk: boolean): Proc {
  const pin = tasksetOk && place.cpu !== null ? ["taskset", "-c", String(place.cpu)] : [];
  const child = spawn("sh", ["-c", 'ulimit -n "$(ulimit -Hn)" 2>/dev/null; exec "$@"', "sh", ...pin, cmd, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  LIVE.add(child);
  let err = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => {
    if (err.length < 8192) err += s;
  });
  const events: BenchEvent[] = [];
  const waiters: Array<(e: BenchEvent | null) => void> = [];
  let ended = false;
  let out = "";
  createInterface({ input: child.stdout! }).on("line", (line) => {
    if (out.length < 1024 * 1024) out += line + "\n";
    let e: BenchEvent;
    try {
      e = JSON.parse(line) as BenchEvent;
    } catch {
      return;
    }
    const w = waiters.shift();
    if (w) w(e);
    else events.push(e);
  });
  const exited = new Promise<void>((resolve) => {
    child.once("error", (e) => {
      err += `spawn ${cmd}: ${e.message}\n`;
      resolve();
    });
    child.once("close", () => resolve());
  });
  void exited.then(() => {
    ended = true;
    LIVE.delete(child);
    for (const w of waiters.splice(0)) w(null);
  });
  return {
    child,
    pid: child.pid ?? -1,
    stderr: () => err,
    stdout: () => out,
    exited,
    next(timeoutMs, what) {
      const e = events.shift();
      const got = (ev: BenchEvent | null): BenchEvent => {
        if (ev === null) throw new Error(`${cmd} exited before ${what}: ${err.trim().slice(-600)}`);
        if (ev.event === "error") throw new Error(`${cmd}: ${ev.message.slice(0, 600)}`);
        return ev;
      };
      if (e) return Promise.resolve(got(e));
      if (ended) return Promise.resolve().then(() => got(null));
      return new Promise<BenchEvent>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`${cmd}: no ${what} within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = (ev: BenchEvent | null): void => {
          clearTimeout(timer);
          try {
            resolve(got(ev));
          } catch (x) {
            reject(x);
          }
        };
        waiters.push(w);
      });
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 2000);
        await exited;
        clearTimeout(timer);
      } else await exited;
    },
  };
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
