/**
 * Agent processes for the reliability cases: servers started through `bash -c 'ulimit -n
 * 4096; exec …'` (1000 clients need more descriptors than some shells give), clients and
 * the in-runtime half of a case. Every process is killed by `stop()`, which callers run in
 * `finally`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../../in-runtime/agent-protocol.js";
import { agentCommand } from "../runner/runtimes.js";

export const FD_LIMIT = 4096;
const STDERR_CAP = 64 * 1024;

export interface Agent {
  readonly runtime: RuntimeName;
  readonly child: ChildProcess;
  /** The next JSON line on stdout; null when the process ended first; rejects after `timeoutMs`. */
  next(timeoutMs: number): Promise<AgentEvent | null>;
  stderr(): string;
  /** Resolves once `line` appeared on stderr (true) or `timeoutMs` passed (false). */
  waitStderr(text: string, timeoutMs: number): Promise<boolean>;
  readonly exited: Promise<number | string>;
  /** Sends `signal` (default SIGKILL) if still running and waits for the exit (bounded). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | string>;
}

export function startAgentProcess(runtime: RuntimeName, spec: AgentSpec, binaries: Partial<Record<RuntimeName, string>> = {}): Agent {
  const { cmd, args } = agentCommand(runtime, spec, binaries);
  const child = spawn("bash", ["-c", `ulimit -n ${FD_LIMIT} 2>/dev/null; exec "$@"`, "bash", cmd, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let err = "";
  const errWaiters: Array<() => void> = [];
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => {
    if (err.length < STDERR_CAP) err += s.slice(0, STDERR_CAP - err.length);
    for (const w of errWaiters.splice(0)) w();
  });
  const events: Array<AgentEvent | null> = [];
  const waiters: Array<(e: AgentEvent | null) => void> = [];
  const push = (e: AgentEvent | null): void => {
    const w = waiters.shift();
    if (w) w(e);
    else events.push(e);
  };
  createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      push(JSON.parse(line) as AgentEvent);
    } catch {
      err += `[stdout] ${line}\n`;
    }
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("error", (e) => {
      err += `spawn: ${e.message}\n`;
      resolve("spawn-error");
    });
    child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  void exited.then(() => {
    for (const w of waiters.splice(0)) w(null);
    events.push(null);
    for (const w of errWaiters.splice(0)) w();
  });
  return {
    runtime,
    child,
    stderr: () => err,
    exited,
    next(timeoutMs) {
      if (events.length) return Promise.resolve(events[0] === null ? null : events.shift()!);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`${runtime} agent gave no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = (e: AgentEvent | null): void => {
          clearTimeout(t);
          resolve(e);
        };
        waiters.push(w);
      });
    },
    async waitStderr(text, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (!err.includes(text)) {
        const left = deadline - Date.now();
        if (left <= 0 || child.exitCode !== null || child.signalCode !== null) return err.includes(text);
        await new Promise<void>((r) => {
          const t = setTimeout(r, left);
          errWaiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
      return true;
    },
    async stop(signal = "SIGKILL", timeoutMs = 5000) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const t = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      try {
        return await exited;
      } finally {
        clearTimeout(t);
      }
    },
  };
}

export interface ServerAgent extends Agent {
  host: string;
  port: number;
  path?: string;
  /** The runtime's own process id (from the listening line). */
  pid: number;
}

/** Starts a scenario server in `runtime` and waits for its listening line. */
export async function startServer(
  runtime: RuntimeName,
  scenario: string,
  transport: Transport,
  opts: { extra?: Record<string, string | number | boolean>; port?: number; path?: string; host?: string; binaries?: Partial<Record<RuntimeName, string>> } = {},
): Promise<ServerAgent> {
  const host = opts.host ?? (transport === "unix" ? "" : "127.0.0.1");
  const a = startAgentProcess(
    runtime,
    { role: "server", scenario, transport, host, port: opts.port ?? 0, ...(opts.path ? { path: opts.path } : {}), extra: opts.extra ?? {} },
    opts.binaries,
  );
  let e: AgentEvent | null;
  try {
    e = await a.next(20_000);
  } catch (err) {
    await a.stop();
    throw err;
  }
  if (!e || e.event !== "listening") {
    await a.stop();
    const why = e?.event === "error" ? `${e.code}: ${e.message}` : a.stderr().trim().split("\n").slice(-2).join(" | ");
    throw Object.assign(new Error(`${runtime} ${scenario} server did not start: ${why}`), { event: e });
  }
  return Object.assign(a, { host: e.host ?? host, port: e.port ?? 0, ...(e.path ? { path: e.path } : {}), pid: e.pid });
}

/** Runs a scenario client in `runtime` to its result line. */
export async function runClient(
  runtime: RuntimeName,
  scenario: string,
  transport: Transport,
  to: { host?: string; port?: number; path?: string },
  extra: Record<string, string | number | boolean>,
  timeoutMs: number,
  binaries: Partial<Record<RuntimeName, string>> = {},
): Promise<Extract<AgentEvent, { event: "result" }> | { event: "none"; why: string }> {
  const a = startAgentProcess(
    runtime,
    { role: "client", scenario, transport, host: to.host ?? "", port: to.port ?? 0, ...(to.path ? { path: to.path } : {}), extra, timeoutMs },
    binaries,
  );
  try {
    const e = await a.next(timeoutMs + 15_000).catch((err: Error) => err);
    if (e && !(e instanceof Error) && e.event === "result") return e;
    return { event: "none", why: e instanceof Error ? e.message : `no result: ${a.stderr().trim().split("\n").slice(-2).join(" | ")}` };
  } finally {
    await a.stop();
  }
}
