import type { RuntimeName } from "@netparity/protocol";
import { PROBE_TIMEOUT_MS, PROBES } from "../../in-runtime/probes/catalogue.js";
import type { AgentProbeCertFiles } from "../../in-runtime/agent-protocol.js";
import type { ProbeResult } from "../../in-runtime/probes/types.js";
import { writeCertificateSets } from "../certs/generate.js";
import { createSubnet, netnsSupport } from "../process/netns.js";
import { startAgent } from "./agent-process.js";
import { startProbePeer, type ProbePeer } from "./probe-peer.js";
import { apiNames, DEFAULT_API, type ApiName } from "../../in-runtime/common/apis.js";
import type { Probe } from "../../in-runtime/probes/types.js";
import { NODE_API_PROBES } from "../../node-api/catalogue.js";
import { WINTERTC_PROBES } from "../../in-runtime/probes/catalogue.js";
import { offersEnd, runtimeOf } from "../common/runtime-descriptors.js";
import { startPeers } from "./sockets-spec.js";

/**
 * The probe family of an API: the catalogue over the Runtime interface (native), the `nodeapi.*`
 * probes (node), the `wintertc.*` probes of `connect()` (wintertc).
 */
export function probeFamily(api: ApiName = DEFAULT_API): readonly Probe[] {
  // An API registered without a family (a test's fake API) has no probes.
  return PROBE_FAMILIES[api]?.probes ?? [];
}

interface ProbeFamily {
  readonly probes: readonly Probe[];
  /**
   * The family's probes talk to peers (ProbeContext.sockets): on a runtime without a listen
   * (workerd) the parent serves them from a Node process, as for the sockets spec suite.
   */
  readonly remotePeers?: boolean;
}

/** Every API's probe family, one entry per API of the registry (apis.ts): a new API adds its own. */
const PROBE_FAMILIES: Partial<Record<ApiName, ProbeFamily>> & Record<typeof DEFAULT_API, ProbeFamily> = {
  native: { probes: PROBES },
  node: { probes: NODE_API_PROBES },
  wintertc: { probes: WINTERTC_PROBES, remotePeers: true },
};

/** Every probe of every API's family, in registry order (what `--probes` may name). */
export function allProbes(): Probe[] {
  return apiNames().flatMap((api) => [...probeFamily(api)]);
}

/**
 * The API a runtime's probes of `api` run on: its own API where "native" names it (workerd's
 * native is wintertc, its descriptor's `ownApi`), else `api`; undefined where the runtime does
 * not offer it.
 */
export function probeApiOf(runtime: RuntimeName, api: ApiName): ApiName | undefined {
  const d = runtimeOf(runtime);
  const on = api === "native" && d.ownApi ? d.ownApi : api;
  if (on === "native") return offersEnd(runtime, "server") ? on : undefined;
  return d.apis[on]?.length ? on : undefined;
}

type Opts = {
  binaries?: Partial<Record<RuntimeName, string>>;
  only?: string[];
  onProbe?: (line: string) => void;
  /** The API whose family runs (native when absent); its agent runs them on that API. */
  api?: ApiName;
};

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
 * always stopped. Probes marked `netns` (multicast) run in a second agent inside a network
 * namespace made for them and removed afterwards; without root they are reported
 * "unsupported" with the reason, by the parent.
 */
export async function runProbesIn(runtime: RuntimeName, opts: Opts = {}): Promise<RuntimeProbes> {
  const family = probeFamily(opts.api);
  const selected = opts.only?.length ? family.filter((p) => opts.only?.includes(p.id)) : family;
  const inNamespace = selected.filter((p) => p.netns);
  const plain = selected.filter((p) => !p.netns);
  if (inNamespace.length === 0)
    return runPlain(
      runtime,
      opts,
      selected.map((p) => p.id),
      selected.length,
    );
  const [a, b] = [
    plain.length
      ? await runPlain(
          runtime,
          opts,
          plain.map((p) => p.id),
          plain.length,
        )
      : undefined,
    await runInNamespace(runtime, opts, inNamespace),
  ];
  // Catalogue order, as a single agent would have reported them.
  const byId = new Map([...(a?.results ?? []), ...b.results].map((r) => [r.id, r]));
  const error = [a?.error, b.error].filter(Boolean).join("; ");
  return {
    runtime,
    version: a && a.version !== "unknown" ? a.version : b.version,
    results: selected.flatMap((p) => byId.get(p.id) ?? []),
    ...(error ? { error } : {}),
  };
}

/** The namespaced probes: one host of a private subnet, its veth address passed as ctx.multicast. */
async function runInNamespace(runtime: RuntimeName, opts: Opts, probes: readonly Probe[]): Promise<RuntimeProbes> {
  const support = netnsSupport();
  const unsupported = (reason: string): RuntimeProbes => ({
    runtime,
    version: "unknown",
    results: probes.map((p) => ({
      id: p.id,
      title: p.title,
      outcome: "unsupported",
      evidence: { reason },
      explanation: `Not run: this probe runs only inside a network namespace, and netparity ${reason}.`,
      ms: 0,
    })),
  });
  if (!support.ok) return unsupported(support.reason);
  let subnet: ReturnType<typeof createSubnet>;
  try {
    subnet = createSubnet(1);
  } catch (e) {
    return unsupported(`could not create a network namespace: ${(e as Error).message}`);
  }
  try {
    const host = subnet.hosts[0]!;
    return await runAgentProbes(
      runtime,
      probes.length * (PROBE_TIMEOUT_MS + 1000) + 20_000,
      opts.binaries,
      opts.onProbe,
      probes.map((p) => p.id),
      undefined,
      { netns: host.netns, multicast: { interfaceAddress: host.address } },
      opts.api,
    );
  } finally {
    subnet.remove();
  }
}

async function runPlain(runtime: RuntimeName, opts: Opts, ids: string[], count: number): Promise<RuntimeProbes> {
  const budget = count * (PROBE_TIMEOUT_MS + 1000) + 20_000;
  const onProbe = opts.onProbe;
  const family = probeFamily(opts.api);
  const selected = family.filter((p) => ids.includes(p.id));
  const only = opts.only?.length || selected.length !== family.length ? ids : undefined;
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
  // The parent as the peer of the probes that read their socket from outside the runtime or need a real RST.
  let peer: ProbePeer | undefined;
  try {
    // A runtime without a listen (workerd) gets the wintertc probes' peers from a Node process.
    const peers =
      PROBE_FAMILIES[opts.api ?? DEFAULT_API]?.remotePeers && !offersEnd(runtime, "server")
        ? await startPeers({ role: "sockets-spec", ...(certs ? { certs: certs.sets.main } : {}) }, opts.binaries)
        : undefined;
    if (selected.some((p) => p.parentPeer)) peer = await startProbePeer();
    try {
      return await runAgentProbes(
        runtime,
        budget,
        opts.binaries,
        onProbe,
        only,
        certs?.sets,
        undefined,
        opts.api,
        peers ? { hostname: "127.0.0.1", port: peers.port } : undefined,
        peer,
      );
    } finally {
      await peers?.harness.stop();
    }
  } catch (err) {
    return { runtime, version: "unknown", results: [], error: (err as Error).message };
  } finally {
    await peer?.close();
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
  namespace?: { netns: string; multicast: { interfaceAddress: string } },
  api?: ApiName,
  peers?: { hostname: string; port: number },
  peer?: ProbePeer,
): Promise<RuntimeProbes> {
  const agent = startAgent(
    runtime,
    {
      role: "probes",
      ...(api && api !== "native" ? { api } : {}),
      ...(only?.length ? { probes: only } : {}),
      ...(certs ? { certs } : {}),
      ...(namespace ? { multicast: namespace.multicast } : {}),
      ...(peers ? { peers } : {}),
      ...(peer ? { parentPeer: { host: peer.host, port: peer.port } } : {}),
    },
    binaries,
    {
      ...(namespace ? { wrap: { netns: namespace.netns } } : {}),
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
