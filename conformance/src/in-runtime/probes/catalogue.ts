/**
 * The probe catalogue and the loop that runs it inside one runtime (agent role "probes").
 * Probes run one at a time: several measure time or fill socket buffers, and must not
 * compete with each other for the CPU.
 */
import type { Runtime } from "@netparity/protocol";
import { addressingProbes } from "./addressing.js";
import { errorProbes } from "./errors.js";
import { multicastProbes } from "./multicast.js";
import { startTlsProbes } from "./starttls.js";
import { stickyProbe } from "./sticky.js";
import { tcpProbes } from "./tcp.js";
import { tlsProbes } from "./tls.js";
import type { Probe, ProbeContext, ProbeResult } from "./types.js";
import { udpProbes } from "./udp.js";
import { unixProbes } from "./unix.js";
import { errorEvidence } from "./util.js";
export { WINTERTC_PROBES } from "./wintertc.js";
import { runBounded } from "../common/check.js";

export const PROBES: readonly Probe[] = [
  ...addressingProbes,
  ...tcpProbes,
  stickyProbe,
  ...udpProbes,
  ...multicastProbes,
  ...unixProbes,
  ...errorProbes,
  ...tlsProbes,
  ...startTlsProbes,
];

/** Upper bound for one probe; a probe still running then is reported as "timeout". */
export const PROBE_TIMEOUT_MS = 5000;

export function probeIds(): string[] {
  return PROBES.map((p) => p.id);
}

/** The registered probe with this id (undefined for an id the catalogue does not have). */
export function probeById(id: string): Probe | undefined {
  return PROBES.find((p) => p.id === id);
}

/**
 * Runs the catalogue (or the probes named in `only`) and returns one result per probe.
 * `catalogue`: another API's probe family (the `nodeapi.*` probes an agent entry carries).
 */
export async function runProbes(
  rt: Runtime,
  only?: readonly string[],
  onResult?: (r: ProbeResult) => void,
  ctx: ProbeContext = {},
  catalogue: readonly Probe[] = PROBES,
): Promise<ProbeResult[]> {
  const selected = only?.length ? catalogue.filter((p) => only.includes(p.id)) : catalogue;
  const results: ProbeResult[] = [];
  for (const probe of selected) {
    const r = await runOne(rt, probe, ctx);
    results.push(r);
    onResult?.(r);
  }
  return results;
}

/**
 * Record first, decide after: the probe collects its evidence, bounded by PROBE_TIMEOUT_MS
 * (common/check.ts), and its registered classifier judges it.
 */
async function runOne(rt: Runtime, probe: Probe, ctx: ProbeContext): Promise<ProbeResult> {
  const base = { id: probe.id, title: probe.title };
  const missing = (probe.needs ?? []).filter((f) => !rt.features[f]);
  if (missing.length) {
    return {
      ...base,
      outcome: "unsupported",
      evidence: { missingFeatures: missing },
      explanation: `Not run: the adapter reports ${missing.map((f) => `features.${f}`).join(", ")} as false.`,
      ms: 0,
    };
  }
  const ran = await runBounded(
    () => rt.host.now(),
    () => probe.collect(rt, ctx),
    PROBE_TIMEOUT_MS,
  );
  switch (ran.state) {
    case "done":
      try {
        return { ...base, ...probe.classify(ran.value), evidence: ran.value as Record<string, unknown>, ms: ran.ms };
      } catch (e) {
        return failed(base, e, ran.ms);
      }
    case "timeout":
      return {
        ...base,
        outcome: "timeout",
        evidence: {},
        explanation: `The probe did not finish within ${PROBE_TIMEOUT_MS} ms.`,
        ms: ran.ms,
        error: { code: "TIMEOUT", message: `exceeded ${PROBE_TIMEOUT_MS} ms` },
      };
    case "skipped":
      return {
        ...base,
        outcome: "unsupported",
        evidence: { skipped: ran.reason },
        explanation: `Not run: ${ran.reason}.`,
        ms: ran.ms,
      };
    case "failed":
      return failed(base, ran.error, ran.ms);
  }
}

/** A probe that threw (or whose classifier threw): outcome "error", with the error as evidence. */
function failed(base: { id: string; title: string }, e: unknown, ms: number): ProbeResult {
  const ev = errorEvidence(e);
  const code = "code" in ev ? ev.code : e instanceof Error ? e.name : "ERROR";
  const message = e instanceof Error ? e.message : String(e);
  return {
    ...base,
    outcome: "error",
    evidence: ev,
    explanation: `The probe itself failed: ${message}`,
    ms,
    error: { code, message },
  };
}
