import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../../in-runtime/agent-protocol.js";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import type { Check } from "../../in-runtime/scenarios/types.js";
import { WINTERTC_TRANSPORTS, type ClientApi } from "../../in-runtime/scenarios/wintertc.js";
import { writeCertificates, type CertificateFiles } from "../certs/generate.js";
import type { RuntimeTarget } from "../common/targets.js";
import { SUBNET_HOST, createSubnet, netnsSupport, type Subnet } from "../process/netns.js";
import { startAgent, type AgentProcess } from "./agent-process.js";
import { runtimeBinary, runtimeVersion } from "./runtimes.js";

export type CellStatus = "pass" | "fail" | "unsupported" | "error";

export interface CellResult {
  scenario: string;
  transport: Transport;
  host: string;
  server: RuntimeName;
  client: RuntimeName;
  /** Exact versions of the two ends (set by the matrix; a run may have several versions of a runtime). */
  serverVersion?: string;
  clientVersion?: string;
  /**
   * "wintertc": the client connected through @netparity/sockets (`--apis wintertc`); absent for
   * the adapter's own connect, so native cells keep their keys.
   */
  api?: "wintertc";
  status: CellStatus;
  /** Why it failed or is unsupported, in one line. */
  reason?: string;
  checks: Check[];
  metrics: Record<string, number>;
  durationMs: number;
}

/** One runtime target of the run (a runtime in one version) as its agent reported itself. */
export interface RuntimeInfo {
  name: RuntimeName;
  version: string;
  features: Record<string, boolean>;
  error?: string;
  /** The specifier as typed ("node", "node@22"); the bare name when not given. */
  spec?: string;
  /** The binary that runs this target's agents. */
  binary?: string;
}

/** A runtime given by name (its default binary) or a resolved target (a version from the cache). */
export type TargetInput = RuntimeName | RuntimeTarget;

/** The binaries to hand to agents of this target: the target's own binary for its runtime. */
export function targetBinaries(
  t: { name: RuntimeName; binary?: string },
  binaries: Partial<Record<RuntimeName, string>> = {},
): Partial<Record<RuntimeName, string>> {
  return t.binary ? { ...binaries, [t.name]: t.binary } : binaries;
}

export interface MatrixOptions {
  /** Runtime targets; the same runtime may appear in several versions. */
  runtimes: TargetInput[];
  scenarios: string[];
  transports: Transport[];
  /**
   * Which client APIs: "native" (the adapter, default) and/or "wintertc" (@netparity/sockets;
   * its cells exist for the stream transports of the draft, tcp and tls).
   */
  apis?: ClientApi[];
  /** Hosts for tcp/udp cells: 127.0.0.1 and, where asked, ::1. */
  hosts?: string[];
  binaries?: Partial<Record<RuntimeName, string>>;
  extra?: Record<string, string | number | boolean>;
  clientTimeoutMs?: number;
  onCell?: (cell: CellResult, index: number, total: number) => void;
  onStart?: (label: string, index: number, total: number) => void;
  /**
   * Puts something between every client and its server (the fault proxy of `--faults`):
   * given the server's address, returns the one the client is sent to instead.
   */
  via?: (server: CellEndpoint) => Promise<{ target: CellEndpoint; close(): Promise<void> }>;
  /** The client's scenario settings once its target is known (default: `extra`). */
  clientExtra?: (to: { host: string; port: number }) => Record<string, string | number | boolean>;
}

/** One cell to run: a scenario over a transport and host, between two runtime targets. */
export interface CellPlan {
  scenario: string;
  transport: Transport;
  host: string;
  /** The two ends, each a runtime in one version as its agent reported itself. */
  server: RuntimeInfo;
  client: RuntimeInfo;
  /** A deliberate mistake of the server (negative controls). */
  mutation?: string;
  /** How the client connects; absent means the runtime adapter ("native"). */
  api?: ClientApi;
}

/** A TLS cell's endpoint is its TCP endpoint: a proxy in between sees TLS records. */
export type CellEndpoint =
  | { transport: "tcp" | "udp"; host: string; port: number }
  | { transport: "unix"; path: string };

const READY_TIMEOUT_MS = 20_000;

/** Asks one runtime (through its agent) for its exact version and features. */
export async function probeRuntime(
  target: TargetInput,
  defaults: Partial<Record<RuntimeName, string>> = {},
): Promise<RuntimeInfo> {
  const name = typeof target === "string" ? target : target.name;
  const binaries = typeof target === "string" ? defaults : targetBinaries(target, defaults);
  const id = { name, spec: typeof target === "string" ? name : target.spec, binary: runtimeBinary(name, binaries) };
  const v = runtimeVersion(name, binaries);
  if (v.error) return { ...id, version: "unavailable", features: {}, error: v.error };
  const agent = startAgent(name, { role: "features" }, binaries);
  try {
    const e = await agent.next(READY_TIMEOUT_MS);
    if (e?.event === "features") return { ...id, version: e.version, features: { ...e.features } };
    return {
      ...id,
      version: v.version ?? "unknown",
      features: {},
      error: `agent did not start: ${lastLine(agent.stderr())}`,
    };
  } catch (err) {
    return { ...id, version: v.version ?? "unknown", features: {}, error: (err as Error).message };
  } finally {
    await agent.stop();
  }
}

function lastLine(s: string): string {
  const lines = s.trim().split("\n").filter(Boolean);
  return lines.slice(-3).join(" | ") || "no output";
}

function needs(transport: Transport, host: string): string[] {
  const f: string[] = [transport];
  if (host.includes(":")) f.push("ipv6");
  return f;
}

export async function runMatrix(opts: MatrixOptions): Promise<{ runtimes: RuntimeInfo[]; cells: CellResult[] }> {
  const infos = await Promise.all(opts.runtimes.map((r) => probeRuntime(r, opts.binaries)));
  const plan: CellPlan[] = [];
  const apis = opts.apis ?? ["native"];
  for (const scenario of opts.scenarios) {
    const sc = SCENARIOS[scenario];
    if (!sc) throw new Error(`unknown scenario "${scenario}"`);
    for (const transport of opts.transports) {
      if (!sc.transports.includes(transport)) continue;
      const hosts = transport === "unix" ? ["unix"] : sc.subnet ? [SUBNET_HOST] : (opts.hosts ?? ["127.0.0.1"]);
      for (const api of apis) {
        if (api === "wintertc" && !WINTERTC_TRANSPORTS.includes(transport)) continue;
        for (const host of hosts)
          for (const server of infos)
            for (const client of infos) plan.push({ scenario, transport, host, server, client, api });
      }
    }
  }
  // Several versions of one runtime: progress lines name each end with its version.
  const counts = new Map<string, number>();
  for (const i of infos) counts.set(i.name, (counts.get(i.name) ?? 0) + 1);
  const end = (i: RuntimeInfo): string => ((counts.get(i.name) ?? 0) > 1 ? `${i.name}@${i.version}` : i.name);
  const cells: CellResult[] = [];
  // One throwaway CA and server certificate per run, for every TLS cell; removed with the run.
  const certs = plan.some((p) => p.transport === "tls") ? await writeCertificates() : undefined;
  // One private subnet of network namespaces per run for the scenarios that sweep one (root only).
  let subnet: Subnet | string | undefined;
  try {
    if (plan.some((p) => p.host === SUBNET_HOST)) {
      const support = netnsSupport();
      try {
        subnet = support.ok ? createSubnet(2) : support.reason;
      } catch (e) {
        subnet = `could not create the network namespaces: ${(e as Error).message}`;
      }
    }
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      opts.onStart?.(
        `${p.scenario}/${p.transport}${p.host.includes(":") ? "6" : ""} ${end(p.server)}→${end(p.client)}${p.api === "wintertc" ? "+wintertc" : ""}`,
        i,
        plan.length,
      );
      const cell = await runCell(p, opts, certs, subnet);
      cells.push(cell);
      opts.onCell?.(cell, i, plan.length);
    }
  } finally {
    await certs?.remove();
    if (typeof subnet === "object") subnet.remove();
  }
  return { runtimes: infos, cells };
}

export async function runCell(
  p: CellPlan,
  opts: MatrixOptions,
  certs: CertificateFiles | undefined,
  subnet?: Subnet | string,
): Promise<CellResult> {
  const base = {
    scenario: p.scenario,
    transport: p.transport,
    host: p.host,
    server: p.server.name,
    client: p.client.name,
    serverVersion: p.server.version,
    clientVersion: p.client.version,
    ...(p.api === "wintertc" ? { api: p.api } : {}),
    checks: [] as Check[],
    metrics: {},
  };
  const t0 = performance.now();
  for (const [role, info] of [
    ["server", p.server],
    ["client", p.client],
  ] as const) {
    const rt = info.name;
    if (info.error) return { ...base, status: "error", reason: `${role} ${rt}: ${info.error}`, durationMs: 0 };
    // A feature the runtime does not report (an adapter older than the feature) is one it lacks.
    const missing = needs(p.transport, p.host).filter((f) => info.features[f] !== true);
    if (missing.length)
      return {
        ...base,
        status: "unsupported",
        reason: `${rt} ${info.version} lacks ${missing.join(", ")}`,
        durationMs: 0,
      };
  }
  // A subnet cell: the server on the subnet's first host, the client on its second, which
  // sweeps the whole /24 (never a real network: the addresses exist only in the namespaces).
  const onSubnet = p.host === SUBNET_HOST;
  if (onSubnet && typeof subnet !== "object")
    return {
      ...base,
      status: "unsupported",
      reason: `runs only between network namespaces: ${subnet ?? "no subnet"}`,
      durationMs: 0,
    };
  const net = onSubnet ? (subnet as Subnet) : undefined;
  let dir: string | undefined;
  let server: AgentProcess | undefined;
  let client: AgentProcess | undefined;
  let via: { close(): Promise<void> } | undefined;
  try {
    const spec: AgentSpec & { role: "server" } = {
      role: "server",
      scenario: p.scenario,
      transport: p.transport,
      host: p.host,
      port: 0,
      extra: opts.extra ?? {},
      ...(p.transport === "tls" && certs ? { tls: { cert: certs.cert, key: certs.key } } : {}),
      ...(p.mutation !== undefined ? { mutation: p.mutation } : {}),
    };
    if (net) spec.host = "0.0.0.0";
    if (p.transport === "unix") {
      dir = mkdtempSync(join(tmpdir(), "netparity-"));
      spec.path = join(dir, `${p.scenario}.sock`);
      spec.host = "";
    }
    server = startAgent(
      p.server.name,
      spec,
      targetBinaries(p.server, opts.binaries),
      net ? { wrap: { netns: net.hosts[0]!.netns } } : {},
    );
    const ready = await server.next(READY_TIMEOUT_MS).catch((e: Error) => e);
    if (!ready || ready instanceof Error || ready.event !== "listening") {
      const why =
        ready instanceof Error
          ? ready.message
          : ready?.event === "error"
            ? `${ready.code}: ${ready.message}`
            : `exited (${await server.exited}) without a ready line: ${lastLine(server.stderr())}`;
      return {
        ...base,
        status: "error",
        reason: `server ${p.server.name} did not start: ${why}`,
        durationMs: performance.now() - t0,
      };
    }
    const timeoutMs = opts.clientTimeoutMs ?? 120_000;
    let to = { host: net ? net.hosts[0]!.address : (ready.host ?? p.host), port: ready.port ?? 0, path: ready.path };
    if (opts.via && !net) {
      const proxy = await opts.via(
        p.transport === "unix"
          ? { transport: "unix", path: ready.path ?? "" }
          : { transport: p.transport === "tls" ? "tcp" : p.transport, host: to.host, port: to.port },
      );
      via = proxy;
      to =
        proxy.target.transport === "unix"
          ? { ...to, path: proxy.target.path }
          : { ...to, host: proxy.target.host, port: proxy.target.port };
    }
    client = startAgent(
      p.client.name,
      {
        role: "client",
        scenario: p.scenario,
        transport: p.transport,
        host: to.host,
        port: to.port,
        ...(to.path ? { path: to.path } : {}),
        ...(p.transport === "tls" && certs ? { tls: { ca: certs.ca, servername: "localhost" } } : {}),
        extra: net
          ? { ...opts.extra, subnet: net.cidr }
          : (opts.clientExtra?.({ host: to.host, port: to.port }) ?? opts.extra ?? {}),
        timeoutMs,
        ...(p.api === "wintertc" ? { api: p.api } : {}),
      },
      targetBinaries(p.client, opts.binaries),
      net ? { wrap: { netns: net.hosts[1]!.netns } } : {},
    );
    const result: AgentEvent | Error | null = await client.next(timeoutMs + 15_000).catch((e: Error) => e);
    const durationMs = performance.now() - t0;
    // An error names the cell's addresses: which end sent where (a proxy in between is named too).
    const at = (h: string | undefined, port: number | undefined, path: string | undefined): string =>
      path ? `unix:${path}` : `${h?.includes(":") ? `[${h}]` : h}:${port}`;
    const where = ` (client ${p.client.name} to ${at(to.host, to.port, to.path)}${via ? " via the fault proxy" : ""}; server ${p.server.name} on ${at(ready.host ?? p.host, ready.port, ready.path)})`;
    if (!result || result instanceof Error || result.event !== "result") {
      const why =
        result instanceof Error
          ? result.message
          : result?.event === "error"
            ? `${result.code}: ${result.message}`
            : `exited (${await client.exited}) without a result: ${lastLine(client.stderr())}`;
      return { ...base, status: "error", reason: `client ${p.client.name}: ${why}${where}`, durationMs };
    }
    const checks = result.checks;
    const failed = checks.filter((c) => !c.ok);
    const reason = result.error
      ? `${result.error.code}: ${result.error.message}${where}`
      : failed.length
        ? failed.map((c) => `${c.name}: ${c.detail ?? "failed"}`).join("; ")
        : undefined;
    return {
      ...base,
      status: result.ok ? "pass" : "fail",
      ...(reason ? { reason } : {}),
      checks,
      metrics: result.metrics,
      durationMs,
    };
  } finally {
    await Promise.all([client?.stop(), server?.stop(), via?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
