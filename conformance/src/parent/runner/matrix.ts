import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../../in-runtime/agent-protocol.js";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import type { Check } from "../../in-runtime/scenarios/types.js";
import { DEFAULT_API, type ApiName } from "../../in-runtime/common/apis.js";
import { isSecure, transportOf } from "../../in-runtime/common/transports.js";
import { writeCertificates, type CertificateFiles } from "../certs/generate.js";
import { runtimeOf } from "../common/runtime-descriptors.js";
import { apiSuffix, endApi, sideApis, type RuntimeTarget } from "../common/targets.js";
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
   * The client end's API (`--apis`): `wintertc` (@netparity/sockets), `node` (node:* through
   * the Node adapter); absent for the runtime's own API, so native cells keep their keys.
   */
  api?: ApiName;
  /** The server end's API, as `api` is the client's; absent for the runtime's own API. */
  serverApi?: ApiName;
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
  /**
   * What the agent reports for each further API the run asked for (`--apis node`): the
   * features of the adapter that API runs on, or why it cannot run here.
   */
  apis?: Partial<Record<ApiName, { features: Record<string, boolean>; error?: string }>>;
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
   * Which APIs the ends speak (default ["native"]): each end is every runtime in every API it
   * offers on that end (common/runtime-descriptors.ts); a side no asked API offers (servers
   * with only wintertc) takes the native API.
   */
  apis?: ApiName[];
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
  /** Which of the planned cells to run (default: every one); the tests' smoke selections use it. */
  select?: (cell: CellPlan) => boolean;
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
  /** The client end's API; absent means the runtime's own ("native"). */
  api?: ApiName;
  /** The server end's API; absent means the runtime's own ("native"). */
  serverApi?: ApiName;
}

/** A TLS cell's endpoint is its TCP endpoint: a proxy in between sees TLS records. */
export type CellEndpoint =
  | { transport: "tcp" | "udp"; host: string; port: number }
  | { transport: "unix"; path: string };

const READY_TIMEOUT_MS = 20_000;

/**
 * Asks one runtime (through its agent) for its features, and for those of each further API in
 * `apis`. Its identity (name, exact version) is the binary's the parent runs, never what the
 * code inside reports: Bun and Deno report a Node version in process.versions.node.
 */
export async function probeRuntime(
  target: TargetInput,
  defaults: Partial<Record<RuntimeName, string>> = {},
  apis: readonly ApiName[] = [],
): Promise<RuntimeInfo> {
  const name = typeof target === "string" ? target : target.name;
  const binaries = typeof target === "string" ? defaults : targetBinaries(target, defaults);
  const id = { name, spec: typeof target === "string" ? name : target.spec, binary: runtimeBinary(name, binaries) };
  const v = runtimeVersion(name, binaries);
  if (v.error) return { ...id, version: "unavailable", features: {}, error: v.error };
  const agent = startAgent(name, { role: "features" }, binaries);
  try {
    const e = await agent.next(READY_TIMEOUT_MS);
    if (e?.event === "features") {
      const info: RuntimeInfo = { ...id, version: v.version ?? e.version, features: { ...e.features } };
      const more = apis.filter((a) => a !== DEFAULT_API && a !== runtimeOf(name).ownApi);
      if (more.length)
        info.apis = Object.fromEntries(
          await Promise.all(more.map(async (a) => [a, await probeApi(name, a, binaries)] as const)),
        );
      return info;
    }
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

/** The features of one API's adapter inside a runtime, or why that API does not run there. */
async function probeApi(
  name: RuntimeName,
  api: ApiName,
  binaries: Partial<Record<RuntimeName, string>>,
): Promise<{ features: Record<string, boolean>; error?: string }> {
  const agent = startAgent(name, { role: "features", api }, binaries);
  try {
    const e = await agent.next(READY_TIMEOUT_MS);
    if (e?.event === "features") return { features: { ...e.features } };
    if (e?.event === "error") return { features: {}, error: `${e.code}: ${e.message}` };
    return { features: {}, error: `agent did not start: ${lastLine(agent.stderr())}` };
  } catch (err) {
    return { features: {}, error: (err as Error).message };
  } finally {
    await agent.stop();
  }
}

/** An end's features and error: its runtime's, or those its API's adapter reported. */
function endState(info: RuntimeInfo, api: ApiName | undefined): { features: Record<string, boolean>; error?: string } {
  // A runtime whose own API this is (workerd's wintertc) reported its features as the runtime's.
  if (info.error || !api || api === DEFAULT_API || runtimeOf(info.name).ownApi === api) return info;
  return info.apis?.[api] ?? { features: {}, error: `API ${api} was not probed` };
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

/**
 * The cells of a run: every scenario over every transport it has, on each host, between every
 * server end and every client end. An end is a runtime target in an API it offers on that side
 * over that transport (its descriptor and the API's say so).
 */
export function planCells(
  infos: readonly RuntimeInfo[],
  opts: Pick<MatrixOptions, "scenarios" | "transports" | "apis" | "hosts">,
): CellPlan[] {
  const apis = opts.apis ?? [DEFAULT_API];
  const plan: CellPlan[] = [];
  for (const scenario of opts.scenarios) {
    const sc = SCENARIOS[scenario];
    if (!sc) throw new Error(`unknown scenario "${scenario}"`);
    for (const transport of opts.transports) {
      if (!sc.transports.includes(transport)) continue;
      const hosts =
        transportOf(transport).addressing === "path"
          ? [transport]
          : sc.subnet
            ? [SUBNET_HOST]
            : (opts.hosts ?? ["127.0.0.1"]);
      // Each side's ends: every runtime in every asked API it offers on that side over this
      // transport (Node's `node` API is its native one: one end, not two).
      const ends = (side: "server" | "client", list: ApiName[]) =>
        list.flatMap((api) =>
          infos.flatMap((info) => {
            const a = endApi(info.name, api, side, transport);
            return a === undefined ? [] : [{ info, api: a }];
          }),
        );
      const servers = dedupe(ends("server", sideApis(apis, "server")));
      const clients = dedupe(ends("client", sideApis(apis, "client")));
      // Client APIs first (as --apis native,wintertc always ordered them), then hosts, then ends.
      for (const capi of [...new Set(clients.map((c) => c.api))])
        for (const host of hosts)
          for (const server of servers)
            for (const client of clients.filter((c) => c.api === capi))
              plan.push({
                scenario,
                transport,
                host,
                server: server.info,
                client: client.info,
                ...(client.api !== DEFAULT_API ? { api: client.api } : {}),
                ...(server.api !== DEFAULT_API ? { serverApi: server.api } : {}),
              });
    }
  }
  return plan;
}

export async function runMatrix(opts: MatrixOptions): Promise<{ runtimes: RuntimeInfo[]; cells: CellResult[] }> {
  const apis = opts.apis ?? [DEFAULT_API];
  const infos = await Promise.all(opts.runtimes.map((r) => probeRuntime(r, opts.binaries, apis)));
  const planned = planCells(infos, { ...opts, apis });
  // A selection (the tests' smoke pairings) keeps the planned cells it names, in plan order.
  const plan = opts.select ? planned.filter(opts.select) : planned;
  // Several versions of one runtime: progress lines name each end with its version.
  const counts = new Map<string, number>();
  for (const i of infos) counts.set(i.name, (counts.get(i.name) ?? 0) + 1);
  const end = (i: RuntimeInfo, api?: ApiName): string =>
    `${(counts.get(i.name) ?? 0) > 1 ? `${i.name}@${i.version}` : i.name}${apiSuffix(api)}`;
  const cells: CellResult[] = [];
  // One throwaway CA and server certificate per run, for every TLS cell; removed with the run.
  const certs = plan.some((p) => isSecure(p.transport)) ? await writeCertificates() : undefined;
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
        `${p.scenario}/${p.transport}${p.host.includes(":") ? "6" : ""} ${end(p.server, p.serverApi)}→${end(p.client, p.api)}`,
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

/** Ends once each (an API listed twice, or `node` and `native` on Node, give one end). */
function dedupe<T extends { info: RuntimeInfo; api: ApiName }>(ends: T[]): T[] {
  const seen = new Set<string>();
  return ends.filter((e) => {
    const k = `${e.info.name}@${e.info.version}@${e.info.spec ?? ""}+${e.api}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
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
    ...(p.api && p.api !== DEFAULT_API ? { api: p.api } : {}),
    ...(p.serverApi && p.serverApi !== DEFAULT_API ? { serverApi: p.serverApi } : {}),
    checks: [] as Check[],
    metrics: {},
  };
  const t0 = performance.now();
  for (const [role, info, api] of [
    ["server", p.server, p.serverApi],
    ["client", p.client, p.api],
  ] as const) {
    const rt = `${info.name}${apiSuffix(api)}`;
    const state = endState(info, api);
    if (state.error) return { ...base, status: "error", reason: `${role} ${rt}: ${state.error}`, durationMs: 0 };
    // A feature the runtime does not report (an adapter older than the feature) is one it lacks.
    const missing = [...needs(p.transport, p.host), ...(SCENARIOS[p.scenario]?.needs?.[role] ?? [])].filter(
      (f) => state.features[f] !== true,
    );
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
      ...(isSecure(p.transport) && certs ? { tls: { cert: certs.cert, key: certs.key } } : {}),
      ...(p.mutation !== undefined ? { mutation: p.mutation } : {}),
      ...(p.serverApi && p.serverApi !== DEFAULT_API ? { api: p.serverApi } : {}),
    };
    if (net) spec.host = "0.0.0.0";
    if (transportOf(p.transport).addressing === "path") {
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
        reason: `server ${p.server.name}${apiSuffix(p.serverApi)} did not start: ${why}`,
        durationMs: performance.now() - t0,
      };
    }
    const timeoutMs = opts.clientTimeoutMs ?? 120_000;
    let to = { host: net ? net.hosts[0]!.address : (ready.host ?? p.host), port: ready.port ?? 0, path: ready.path };
    if (opts.via && !net) {
      const proxy = await opts.via(
        ready.path !== undefined && transportOf(p.transport).addressing === "path"
          ? { transport: "unix", path: ready.path }
          : { transport: transportOf(p.transport).carrier as "tcp" | "udp", host: to.host, port: to.port },
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
        ...(isSecure(p.transport) && certs ? { tls: { ca: certs.ca, servername: "localhost" } } : {}),
        extra: net
          ? { ...opts.extra, subnet: net.cidr }
          : (opts.clientExtra?.({ host: to.host, port: to.port }) ?? opts.extra ?? {}),
        timeoutMs,
        ...(p.api && p.api !== DEFAULT_API ? { api: p.api } : {}),
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
      return {
        ...base,
        status: "error",
        reason: `client ${p.client.name}${apiSuffix(p.api)}: ${why}${where}`,
        durationMs,
      };
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
