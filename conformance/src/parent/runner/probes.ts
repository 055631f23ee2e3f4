import type { RuntimeName } from "@netparity/protocol";
import { PROBE_TIMEOUT_MS, PROBES } from "../../in-runtime/probes/catalogue.js";
import type { AgentProbeCertFiles } from "../../in-runtime/agent-protocol.js";
import type { ProbeResult } from "../../in-runtime/probes/types.js";
import { writeCertificateSets } from "../certs/generate.js";
import { startAgent } from "./agent-process.js";

export interface RuntimeProbes {
  runtime: RuntimeName;
  version: string;
  results: ProbeResult[];
  /** Set when the agent did not deliver results at all (runtime missing, crash, time-out). */
  error?: string;
}

/**
 * Runs the probe catalogue inside one runtime (one agent process) and returns its results.
 * The agent bounds every probe; the whole run is bounded here as well, and the process is
 * always stopped.
 */
export async function runProbesIn(
  runtime: RuntimeName,
  opts: { binaries?: Partial<Record<RuntimeName, string>>; only?: string[]; onProbe?: (line: string) => void } = {},
): Promise<RuntimeProbes> {
  const count = opts.only?.length ?? PROBES.length;
  const budget = count * (PROBE_TIMEOUT_MS + 1000) + 20_000;
  const onProbe = opts.onProbe;
  const selected = opts.only?.length ? PROBES.filter((p) => opts.only?.includes(p.id)) : PROBES;
  // One throwaway set per run, only when a TLS probe runs; the agent reads the files, the directory goes afterwards.
  let certs: Awaited<ReturnType<typeof probeCertificates>> | undefined;
  try {
    if (selected.some((p) => p.needs?.includes("tls"))) certs = await probeCertificates();
  } catch (err) {
    return {
      runtime,
      version: "unknown",
      results: [],
      error: `certificates for the TLS probes: ${(err as Error).message}`,
    };
  }
  try {
    return await runAgentProbes(runtime, budget, opts.binaries, onProbe, opts.only, certs?.sets);
  } finally {
    await certs?.remove();
  }
}

/** A good, an expired, a wrongly named and an RSA set, each with its own CA. */
function probeCertificates() {
  return writeCertificateSets(
    { main: {}, expired: { expired: true }, other: { names: ["other.example"] }, rsa: { keyType: "rsa" } },
    "netparity-probes-",
  );
}

async function runAgentProbes(
  runtime: RuntimeName,
  budget: number,
  binaries: Partial<Record<RuntimeName, string>> | undefined,
  onProbe: ((line: string) => void) | undefined,
  only: string[] | undefined,
  certs: AgentProbeCertFiles | undefined,
): Promise<RuntimeProbes> {
  const agent = startAgent(
    runtime,
    { role: "probes", ...(only?.length ? { probes: only } : {}), ...(certs ? { certs } : {}) },
    binaries,
    {
      ...(onProbe
        ? {
            onStderr: (s: string) => {
              for (const line of s.split("\n")) {
                const m = /^\[\w+\] probe (\S+):/.exec(line);
                if (m?.[1]) onProbe(m[1]);
              }
            },
          }
        : {}),
    },
  );
  try {
    const e = await agent.next(budget);
    if (e?.event === "probes") return { runtime, version: e.version, results: e.results };
    const why =
      e?.event === "error"
        ? `${e.code}: ${e.message}`
        : agent.stderr().trim().split("\n").slice(-3).join(" | ") || "no output";
    return {
      runtime,
      version: e && "version" in e ? e.version : "unknown",
      results: [],
      error: `probes did not run in ${runtime}: ${why}`,
    };
  } catch (err) {
    return { runtime, version: "unknown", results: [], error: (err as Error).message };
  } finally {
    await agent.stop();
  }
}
