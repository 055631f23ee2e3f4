/**
 * What the reliability cases share: their checks (the scenarios' Checks plus metrics and the
 * "still serves a normal client" check), where a server agent listens, a process's peak RSS,
 * and running scenario clients of the runtime through the fault proxy.
 */
import { readFileSync } from "node:fs";
import { Checks, type Check } from "../../in-runtime/scenarios/types.js";
import { parseFaults, startFaultProxy } from "../faults/index.js";
import { runClient, type ServerAgent } from "./agents.js";
import { healthy, type StreamTarget } from "./raw.js";
import type { CaseContext, CaseOutcome } from "./types.js";

/** A case's checks and metrics. Cases use `record`: their details are evidence on a pass too. */
export class CaseChecks extends Checks {
  readonly metrics: Record<string, number> = {};
  /** A normal exchange right after a bad client. */
  async stillServes(scenario: string, target: StreamTarget, after: string): Promise<void> {
    const problem = await healthy(scenario, target);
    this.record(`${scenario} serves a normal client after ${after}`, problem === null, problem ?? "");
  }
  done(): CaseOutcome {
    return { checks: this.list, metrics: this.metrics };
  }
}

export const at = (s: ServerAgent): StreamTarget => (s.path ? { path: s.path } : { host: s.host, port: s.port });

/** Peak resident set (VmHWM) of a process in bytes, where /proc tells. */
export function peakRss(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

export async function throughProxy(
  ctx: CaseContext,
  c: CaseChecks,
  faults: string,
  runs: Array<{ scenario: string; transport: "tcp" | "udp"; extra: Record<string, string | number | boolean> }>,
  timeoutMs: number,
  judge: (scenario: string, r: Awaited<ReturnType<typeof runClient>>, ms: number) => void,
): Promise<void> {
  const spec = parseFaults(faults);
  for (const run of runs) {
    const s = await ctx.server(run.scenario, run.transport);
    const proxy = await startFaultProxy({ transport: run.transport, host: s.host, port: s.port }, spec);
    try {
      const t = proxy.target as { host: string; port: number };
      const t0 = Date.now();
      const r = await runClient(
        ctx.runtime,
        run.scenario,
        run.transport,
        { host: t.host, port: t.port },
        run.extra,
        timeoutMs,
        ctx.binaries,
      );
      judge(run.scenario, r, Date.now() - t0);
      for (const [k, v] of Object.entries(proxy.stats())) c.metrics[`${run.scenario}.proxy.${k}`] = v;
      if (r.event === "result") for (const [k, v] of Object.entries(r.metrics)) c.metrics[`${run.scenario}.${k}`] = v;
    } finally {
      await proxy.close();
    }
  }
}

export function failedDetail(r: Awaited<ReturnType<typeof runClient>>): string {
  if (r.event !== "result") return r.why;
  const bad = (r.checks as Check[]).filter((x) => !x.ok);
  return r.ok
    ? "passed"
    : bad.map((x) => `${x.name}: ${x.detail ?? ""}`).join("; ") ||
        (r.error ? `${r.error.code}: ${r.error.message}` : "failed");
}
