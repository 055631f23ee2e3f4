import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import type { RuntimeName } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../../in-runtime/agent-protocol.js";
import { agentCommand } from "./runtimes.js";

export interface AgentProcess {
  readonly runtime: RuntimeName;
  readonly child: ChildProcess;
  /** Stderr collected so far (capped), for error messages. */
  stderr(): string;
  /** The next JSON event on stdout, or null when the process ended first. */
  nextEvent(timeoutMs: number): Promise<AgentEvent | null>;
  /** Resolves with the exit code (or the signal name) once the process ended. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`. Idempotent; resolves once the process is gone. */
  stop(graceMs?: number): Promise<number | string>;
}

const STDERR_CAP = 16 * 1024;

export function startAgent(runtime: RuntimeName, spec: AgentSpec, overrides: Partial<Record<RuntimeName, string>> = {}): AgentProcess {
  const { cmd, args } = agentCommand(runtime, spec, overrides);
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
  let err = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (s: string) => {
    if (err.length < STDERR_CAP) err += s.slice(0, STDERR_CAP - err.length);
  });
  const events: AgentEvent[] = [];
  const waiters: Array<(e: AgentEvent | null) => void> = [];
  let ended = false;
  const rl = createInterface({ input: child.stdout! });
  rl.on("line", (line) => {
    let e: AgentEvent;
    try {
      e = JSON.parse(line) as AgentEvent;
    } catch {
      err += `[stdout] ${line}\n`;
      return;
    }
    const w = waiters.shift();
    if (w) w(e);
    else events.push(e);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once("error", (e) => {
      err += `spawn ${cmd}: ${e.message}\n`;
      resolve("spawn-error");
    });
    child.once("close", (code, signal) => resolve(code ?? signal ?? "unknown"));
  });
  void exited.then(() => {
    ended = true;
    for (const w of waiters.splice(0)) w(null);
  });
  let stopping: Promise<number | string> | null = null;
  return {
    runtime,
    child,
    stderr: () => err,
    exited,
    nextEvent(timeoutMs) {
      const e = events.shift();
      if (e) return Promise.resolve(e);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          reject(new Error(`${runtime} agent gave no answer within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = (ev: AgentEvent | null): void => {
          clearTimeout(timer);
          resolve(ev);
        };
        waiters.push(w);
      });
    },
    stop(graceMs = 3000) {
      if (stopping) return stopping;
      stopping = (async () => {
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
          child.kill("SIGTERM");
          const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
          try {
            return await exited;
          } finally {
            clearTimeout(timer);
          }
        }
        return exited;
      })();
      return stopping;
    },
  };
}
