/** Spawning our agents with a chosen environment, and foreign Python peers, for the time/transfer/unix tests. */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../src/in-runtime/agent-protocol.js";
import { spawnHarness, type Harness } from "../src/parent/process/harness.js";
import { startAgent } from "../src/parent/runner/agent-process.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";

export const PEERS = join(PACKAGE_ROOT, "test", "peers");
export const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");
export const hasPython = spawnSync("python3", ["--version"]).status === 0;

export interface Spawned<E extends object = Record<string, unknown>> extends Harness<E> {
  /** The first JSON line on stdout (rejects if the process ends first or after the timeout). */
  first: Promise<E>;
}

/** `h` with its first JSON line awaited in the background; `kill()` in `finally` ends it. */
function withFirst<E extends object>(h: Harness<E>, firstTimeoutMs: number): Spawned<E> {
  const first = h.next(firstTimeoutMs, "JSON line").then(async (e) => {
    if (e === null) throw new Error(`exited ${await h.exited} before a line: ${h.stderr()}`);
    return e;
  });
  first.catch(() => {});
  return Object.assign(h, { first });
}

/** Runs `cmd args` in its own process group, so kill() also reaches anything it started. */
export function spawnJson(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
  firstTimeoutMs = 20_000,
): Spawned {
  return withFirst(spawnHarness<Record<string, unknown>>(cmd, args, { env, detached: true }), firstTimeoutMs);
}

/** Starts one agent role with extra environment (e.g. TZ) — what the runner does, plus `env`. */
export function startRole(
  runtime: RuntimeName,
  role: "server" | "client",
  scenario: string,
  transport: Transport,
  opts: {
    port?: number;
    path?: string;
    extra?: Record<string, string | number | boolean>;
    env?: Record<string, string>;
  } = {},
): Spawned<AgentEvent> {
  const target = {
    scenario,
    transport,
    host: transport === "unix" ? "" : "127.0.0.1",
    port: opts.port ?? 0,
    ...(opts.path ? { path: opts.path } : {}),
    extra: opts.extra ?? {},
  };
  const spec: AgentSpec = role === "server" ? { role, ...target } : { role, ...target, timeoutMs: 60_000 };
  return withFirst(startAgent(runtime, spec, {}, { env: opts.env ?? {}, detached: true }), 20_000);
}

export async function listening(s: Spawned<AgentEvent>): Promise<Extract<AgentEvent, { event: "listening" }>> {
  const e = await s.first;
  if (e.event !== "listening")
    throw new Error(`expected a listening line, got ${JSON.stringify(e)}; stderr: ${s.stderr()}`);
  return e;
}

/** Runs a Python peer to completion; `json` is its stdout parsed, or {} when it is not JSON. */
export function python(script: string, args: string[], env: Record<string, string> = {}, timeoutMs = 60_000) {
  const r = spawnSync("python3", [join(PEERS, script), ...args], {
    encoding: "utf8",
    timeout: timeoutMs,
    env: { ...process.env, ...env },
  });
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
