/** Spawning our agents with a chosen environment, and foreign Python peers, for the time/transfer/unix tests. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { AgentEvent } from "../src/in-runtime/agent-protocol.js";
import { agentCommand, PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";

export const PEERS = join(PACKAGE_ROOT, "test", "peers");
export const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");
export const hasPython = spawnSync("python3", ["--version"]).status === 0;

export interface Spawned {
  child: ChildProcess;
  /** The first JSON line on stdout (rejects if the process ends first or after 20 s). */
  first: Promise<Record<string, unknown>>;
  exit: Promise<number | string | null>;
  stderr(): string;
  kill(signal?: NodeJS.Signals): void;
}

export function spawnJson(cmd: string, args: string[], env: Record<string, string> = {}, firstTimeoutMs = 20_000): Spawned {
  // Its own process group, so kill() also reaches anything the process started.
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", ...env }, detached: true });
  let err = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (d: string) => (err += d.slice(0, 16_384)));
  const exit = new Promise<number | string | null>((r) => child.once("close", (code, sig) => r(code ?? sig)));
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", (l) => {
      try {
        resolve(JSON.parse(l) as Record<string, unknown>);
      } catch {
        reject(new Error(`not JSON: ${l}`));
      }
    });
    void exit.then((c) => reject(new Error(`exited ${c} before a line: ${err}`)));
    setTimeout(() => reject(new Error(`no line within ${firstTimeoutMs / 1000} s: ${err}`)), firstTimeoutMs).unref();
  });
  first.catch(() => {});
  return {
    child,
    first,
    exit,
    stderr: () => err,
    kill(signal = "SIGKILL") {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is already gone
      }
    },
  };
}

/** Starts one agent role with extra environment (e.g. TZ) — what the runner does, plus `env`. */
export function startRole(
  runtime: RuntimeName,
  role: "server" | "client",
  scenario: string,
  transport: Transport,
  opts: { port?: number; path?: string; extra?: Record<string, string | number | boolean>; env?: Record<string, string> } = {},
): Spawned {
  const { cmd, args } = agentCommand(runtime, {
    role,
    scenario,
    transport,
    host: transport === "unix" ? "" : "127.0.0.1",
    port: opts.port ?? 0,
    ...(opts.path ? { path: opts.path } : {}),
    extra: opts.extra ?? {},
    timeoutMs: 60_000,
  });
  return spawnJson(cmd, args, opts.env);
}

export async function listening(s: Spawned): Promise<Extract<AgentEvent, { event: "listening" }>> {
  const e = (await s.first) as AgentEvent;
  if (e.event !== "listening") throw new Error(`expected a listening line, got ${JSON.stringify(e)}; stderr: ${s.stderr()}`);
  return e;
}

/** Runs a Python peer to completion; `json` is its stdout parsed, or {} when it is not JSON. */
export function python(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  const r = spawnSync("python3", [join(PEERS, script), ...args], { encoding: "utf8", timeout: timeoutMs, env: { ...process.env, ...env } });
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    // not JSON: callers assert on code and show stdout
  }
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, json };
}

/** Runs `netparity` to completion, as a user would. */
export function cli(args: string[], timeoutMs = 60_000) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: timeoutMs });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
