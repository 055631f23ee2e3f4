/**
 * Agent processes for the reliability cases: servers started with `ulimit -n 4096` (1000
 * clients need more descriptors than some shells give), clients and
 * the in-runtime half of a case. Every process is killed by `stop()`, which callers run in
 * `finally`.
 */
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { AgentEvent, AgentSpec, AgentTlsFiles } from "../../in-runtime/agent-protocol.js";
import { startAgent, type AgentProcess } from "../runner/agent-process.js";

export const FD_LIMIT = 4096;

export type Agent = AgentProcess;

/** An agent with FD_LIMIT descriptors; `stop()` is SIGKILL (5 s bound) unless a case asks for SIGTERM. */
export function startAgentProcess(
  runtime: RuntimeName,
  spec: AgentSpec,
  binaries: Partial<Record<RuntimeName, string>> = {},
): Agent {
  return startAgent(runtime, spec, binaries, {
    wrap: { fdLimit: FD_LIMIT },
    stop: { signal: "SIGKILL", graceMs: 5000 },
  });
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
  opts: {
    extra?: Record<string, string | number | boolean>;
    port?: number;
    path?: string;
    host?: string;
    /** Certificate and key files, with transport "tls". */
    tls?: AgentTlsFiles;
    binaries?: Partial<Record<RuntimeName, string>>;
  } = {},
): Promise<ServerAgent> {
  const host = opts.host ?? (transport === "unix" ? "" : "127.0.0.1");
  const a = startAgentProcess(
    runtime,
    {
      role: "server",
      scenario,
      transport,
      host,
      port: opts.port ?? 0,
      ...(opts.path ? { path: opts.path } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      extra: opts.extra ?? {},
    },
    opts.binaries,
  );
  let e: AgentEvent | null;
  try {
    e = await a.next(20_000);
  } catch (err) {
    await a.stop();
    throw err;
  }
  if (e?.event !== "listening") {
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
    {
      role: "client",
      scenario,
      transport,
      host: to.host ?? "",
      port: to.port ?? 0,
      ...(to.path ? { path: to.path } : {}),
      extra,
      timeoutMs,
    },
    binaries,
  );
  try {
    const e = await a.next(timeoutMs + 15_000).catch((err: Error) => err);
    if (e && !(e instanceof Error) && e.event === "result") return e;
    return {
      event: "none",
      why: e instanceof Error ? e.message : `no result: ${a.stderr().trim().split("\n").slice(-2).join(" | ")}`,
    };
  } finally {
    await a.stop();
  }
}
