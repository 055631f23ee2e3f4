/**
 * `netparity serve bench --runtime R`: the servers a remote `netparity bench --target HOST:PORT`
 * measures its clients against, through netparity's adapter in runtime R. Three processes of
 * the adapter bench agent on consecutive ports: the bulk sink on PORT, the echo server on
 * PORT+1 and the transfer server on PORT+2 (TARGET_PORTS). One JSON line
 * `{"event":"listening","scenario":"bench",...,"port":PORT,"ports":{...}}` when all listen;
 * SIGINT/SIGTERM stop them (exit 0).
 */
import type { RuntimeName } from "@netparity/protocol";
import type { BenchSpec } from "../../in-runtime/bench/protocol.js";
import { runtimeVersion } from "../runner/runtimes.js";
import { expectEvent, program, type Proc } from "./programs.js";

/** The workloads a bench server offers, their server roles, and their port offsets from the base. */
export const TARGET_PORTS = {
  bulk: { offset: 0, role: "sink-server" },
  echo: { offset: 1, role: "echo-server" },
  transfer: { offset: 2, role: "transfer-server" },
} as const satisfies Record<string, { offset: number; role: BenchSpec["role"] }>;

export type TargetWorkload = keyof typeof TARGET_PORTS;

export interface ServeBenchOptions {
  runtime: RuntimeName;
  host: string;
  port: number;
  binaries: Partial<Record<RuntimeName, string>>;
}

/** Starts the three servers on base, base+1, base+2; with base 0 the first picks a port and the others follow it. */
async function startAll(o: ServeBenchOptions, base: number): Promise<{ procs: Proc[]; port: number }> {
  const prog = program(o.runtime, "adapter", o.binaries);
  const procs: Proc[] = [];
  let port = base;
  try {
    for (const { offset, role } of Object.values(TARGET_PORTS)) {
      const p = prog.start({ role, host: o.host, port: port === 0 ? 0 : port + offset }, null, false);
      procs.push(p);
      const e = await expectEvent(p, 30_000, "its listening line");
      if (e.event !== "listening") throw new Error(`${role}: ${JSON.stringify(e)}`);
      if (port === 0) port = e.port;
    }
    return { procs, port };
  } catch (e) {
    await Promise.all(procs.map((p) => p.stop()));
    throw e;
  }
}

export async function serveBench(o: ServeBenchOptions): Promise<number> {
  const v = runtimeVersion(o.runtime, o.binaries);
  if (!v.version) {
    process.stderr.write(`netparity serve bench: ${v.error ?? `${o.runtime} does not run`}\n`);
    return 1;
  }
  let started: { procs: Proc[]; port: number } | null = null;
  let lastError: unknown = null;
  // An ephemeral base port may have a busy neighbour: a few tries, then the error.
  for (let i = 0; i < (o.port === 0 ? 5 : 1) && !started; i++) {
    try {
      started = await startAll(o, o.port);
    } catch (e) {
      lastError = e;
    }
  }
  if (!started) {
    process.stderr.write(`netparity serve bench: ${(lastError as Error)?.message ?? lastError}\n`);
    return 1;
  }
  const { procs, port } = started;
  const ports = Object.fromEntries(Object.entries(TARGET_PORTS).map(([w, t]) => [w, port + t.offset]));
  process.stdout.write(
    `${JSON.stringify({ event: "listening", scenario: "bench", runtime: o.runtime, version: v.version, host: o.host, port, ports })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
    for (const p of procs) void p.exited.then(() => resolve());
  });
  await Promise.all(procs.map((p) => p.stop()));
  return 0;
}
