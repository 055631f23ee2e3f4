/**
 * The agent: runs one role of one scenario inside whatever runtime loaded it. The runtime
 * arrives as an adapter value, so this file (and every scenario) stays runtime-neutral.
 */
import { isNetError, type Runtime } from "@netparity/protocol";
import { exitWithParent } from "./common/parent.js";
import { withTimeout } from "./common/timing.js";
import { SCENARIOS } from "./scenarios/index.js";
import { registerUserScenarios } from "./scenarios/user.js";
import { runContract } from "./contract/adapter-contract.js";
import { runProbes, WINTERTC_PROBES } from "./probes/catalogue.js";
import { floodUntilError } from "./reliability/flood.js";
import { runSocketsSpec, type SpecHostHooks } from "./sockets-spec/spec.js";
import { localPeers } from "./sockets-spec/servers.js";
import { createSockets, type AnySocketAddress, type SocketOptions } from "@netparity/sockets/core";
import { runtimeForApi } from "./scenarios/api-runtime.js";
import { apiSupports, DEFAULT_API, type ApiName } from "./common/apis.js";
import type { CertPems, Probe, ProbeCerts, ProbeContext } from "./probes/types.js";
import type { RoleOptions, RoleTls } from "./scenarios/types.js";
import type { AgentCertFiles, AgentEvent, AgentProbeCertFiles, AgentSpec, AgentTlsFiles } from "./agent-protocol.js";
import { namingAddress } from "./common/transports.js";

/** The PEM text behind the paths of an agent spec. */
async function readTls(rt: Runtime, files: AgentTlsFiles): Promise<RoleTls> {
  const read = (path: string | undefined): Promise<string | undefined> =>
    path ? rt.fs.readText(path) : Promise.resolve(undefined);
  const [cert, key, ca] = await Promise.all([read(files.cert), read(files.key), read(files.ca)]);
  return {
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(files.servername ? { servername: files.servername } : {}),
    ...(files.alpn?.length ? { alpn: files.alpn } : {}),
  };
}

/** The PEM text of the probes' certificate sets. */
async function readProbeCerts(rt: Runtime, files: AgentProbeCertFiles): Promise<ProbeCerts> {
  const read = (f: AgentCertFiles): Promise<CertPems> => readCertFiles(rt, f);
  const [main, expired, other, rsa] = await Promise.all([
    read(files.main),
    read(files.expired),
    read(files.other),
    files.rsa ? read(files.rsa) : Promise.resolve(undefined),
  ]);
  return { main, expired, other, ...(rsa ? { rsa } : {}) };
}

/** What an agent entry file can tell the agent about its host beyond the Runtime (see agents/*.ts). */
export interface AgentHooks extends SpecHostHooks {
  /**
   * The adapters of further APIs this agent carries: `node`, the Node adapter, in an agent whose
   * runtime provides node:net/node:tls/node:dgram. A role asked for an API the agent does not
   * carry fails with ENOTSUP.
   */
  apis?: Partial<Record<ApiName, Runtime>>;
  /**
   * The probe families of further APIs this agent carries: `node`, the `nodeapi.*` probes
   * (written against node:*, so they live outside this tree: conformance/src/node-api).
   */
  probes?: Partial<Record<ApiName, readonly Probe[]>>;
}

/** The probe families of the facades, in every agent: `wintertc.*` over @netparity/sockets. */
const FACADE_PROBES: Partial<Record<ApiName, readonly Probe[]>> = { wintertc: WINTERTC_PROBES };

/**
 * The `connect()` the `wintertc.*` probes run against here: @netparity/sockets over `rt`,
 * trusting the probes' main CA, with peers made by `rt`'s own listen.
 */
function facadeSockets(rt: Runtime, certs: ProbeCerts | undefined): ProbeContext["sockets"] {
  const { connect, sockets } = createSockets(rt);
  const under = certs ? sockets({ tls: { ca: certs.main.ca } }).connect : connect;
  return {
    implementation: "@netparity/sockets",
    // The probes hand connect() addresses as strings and options of the draft.
    connect: (address, options) => under(address as AnySocketAddress, options as SocketOptions),
    peers: localPeers(rt, certs?.main),
  };
}

/** The PEM text of a certificate set's files. */
export async function readCertFiles(rt: Runtime, f: AgentCertFiles): Promise<CertPems> {
  const [ca, cert, key] = await Promise.all([rt.fs.readText(f.ca), rt.fs.readText(f.cert), rt.fs.readText(f.key)]);
  return { ca, cert, key };
}

/**
 * `userScenarios`: the default exports of `--scenario-module` files (defineScenario results),
 * bundled into this agent by the parent; they join the built-in scenarios.
 */
export async function runAgent(
  rt: Runtime,
  hooks: AgentHooks = {},
  userScenarios: readonly unknown[] = [],
): Promise<never> {
  const emit = (e: AgentEvent): void => rt.host.stdoutLine(JSON.stringify(e));
  const log = (m: string): void => rt.host.stderrLine(`[${rt.runtime}] ${m}`);
  exitWithParent(rt);
  try {
    registerUserScenarios(SCENARIOS, userScenarios);
  } catch (e) {
    emit({ event: "error", runtime: rt.runtime, version: rt.version, code: "USAGE", message: (e as Error).message });
    return rt.host.exit(2);
  }
  let spec: AgentSpec;
  try {
    spec = JSON.parse(rt.host.args[0] ?? "") as AgentSpec;
  } catch {
    emit({
      event: "error",
      runtime: rt.runtime,
      version: rt.version,
      code: "USAGE",
      message: "agent expects one JSON argument",
    });
    return rt.host.exit(2);
  }
  if (spec.role === "features") {
    const on = runtimeForApi(rt, hooks.apis, spec.api ?? DEFAULT_API, "features");
    if (typeof on === "string") {
      emit({ event: "error", runtime: rt.runtime, version: rt.version, code: "ENOTSUP", message: on });
      return rt.host.exit(1);
    }
    emit({ event: "features", runtime: rt.runtime, version: rt.version, features: { ...on.features } });
    return rt.host.exit(0);
  }
  if (spec.role === "contract") {
    const certs = spec.certs
      ? { main: await readCertFiles(rt, spec.certs.main), other: await readCertFiles(rt, spec.certs.other) }
      : undefined;
    const results = await runContract(rt, spec.only || undefined, certs);
    emit({ event: "contract", runtime: rt.runtime, version: rt.version, features: { ...rt.features }, results });
    return rt.host.exit(0);
  }
  if (spec.role === "sockets-spec") {
    const { connect, sockets } = createSockets(rt);
    const pems = spec.certs ? await readCertFiles(rt, spec.certs) : undefined;
    const implementation = "@netparity/sockets";
    const results = await runSocketsSpec(
      rt,
      {
        name: implementation,
        // The suite also hands connect() malformed addresses and options, on purpose.
        connect: (address, options) => connect(address as AnySocketAddress, options as SocketOptions),
        trusting: (ca) => (address, options) =>
          sockets({ tls: { ca } }).connect(address as AnySocketAddress, options as SocketOptions),
      },
      pems,
      hooks.watchUnhandledRejections ? { unhandledRejections: hooks.watchUnhandledRejections() } : {},
      spec.only,
    );
    emit({ event: "sockets-spec", runtime: rt.runtime, version: rt.version, implementation, results });
    return rt.host.exit(0);
  }
  if (spec.role === "probes") {
    let certs: ProbeCerts | undefined;
    try {
      if (spec.certs) certs = await readProbeCerts(rt, spec.certs);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      emit({
        event: "error",
        runtime: rt.runtime,
        version: rt.version,
        code: isNetError(e) ? e.code : "ERROR",
        message,
      });
      return rt.host.exit(1);
    }
    const api = spec.api ?? DEFAULT_API;
    const family = api === DEFAULT_API ? undefined : (FACADE_PROBES[api] ?? hooks.probes?.[api]);
    if (api !== DEFAULT_API && !family) {
      const message = `this agent carries no probes for the ${api} API`;
      emit({ event: "error", runtime: rt.runtime, version: rt.version, code: "ENOTSUP", message });
      return rt.host.exit(1);
    }
    // A family's probes run on that API's adapter where the agent carries one (its features decide `needs`).
    const on = family ? (hooks.apis?.[api] ?? rt) : rt;
    const facade = FACADE_PROBES[api] ? { sockets: facadeSockets(rt, certs) } : {};
    // Progress on stderr (one line per probe); the one result event on stdout.
    const results = await runProbes(
      on,
      spec.probes,
      (r) => log(`probe ${r.id}: ${r.outcome} (${r.ms} ms)`),
      {
        ...(certs ? { certs } : {}),
        ...(spec.multicast ? { multicast: spec.multicast } : {}),
        ...(spec.parentPeer ? { parentPeer: spec.parentPeer } : {}),
        ...facade,
      },
      family,
    );
    emit({ event: "probes", runtime: rt.runtime, version: rt.version, features: { ...rt.features }, results });
    return rt.host.exit(0);
  }
  if (spec.role === "reliability") {
    // The in-runtime half of a reliability case (the parent drives the rest); `scenario` names it.
    const t0 = rt.host.now();
    const result = await floodUntilError(rt, spec.host, spec.port, spec.timeoutMs ?? 10_000);
    emit({
      event: "result",
      scenario: spec.scenario,
      runtime: rt.runtime,
      version: rt.version,
      transport: "tcp",
      ...result,
      durationMs: Math.round(rt.host.now() - t0),
    });
    return rt.host.exit(result.ok ? 0 : 1);
  }
  const scenario = SCENARIOS[spec.scenario];
  if (!scenario) {
    emit({
      event: "error",
      runtime: rt.runtime,
      version: rt.version,
      code: "USAGE",
      message: `unknown scenario "${spec.scenario}"`,
    });
    return rt.host.exit(2);
  }
  const options: RoleOptions = {
    transport: spec.transport,
    host: spec.host,
    port: spec.port,
    extra: spec.extra ?? {},
    ...(spec.path ? { path: spec.path } : {}),
    ...(spec.role === "server" && spec.mutation !== undefined ? { mutation: spec.mutation } : {}),
  };
  const api = spec.api ?? DEFAULT_API;
  const on = apiSupports(api, spec.role, spec.transport)
    ? runtimeForApi(rt, hooks.apis, api, spec.role)
    : `the ${api} API has no ${spec.role}s over ${spec.transport}`;
  if (typeof on === "string") {
    emit({ event: "error", runtime: rt.runtime, version: rt.version, code: "ENOTSUP", message: on });
    return rt.host.exit(1);
  }
  // Events name the runtime that runs this agent (its own adapter), whichever API the role is on.
  try {
    if (spec.tls) options.tls = await readTls(rt, spec.tls);
    if (spec.role === "server") {
      const server = await scenario.serve(on, options, log);
      const a = server.address;
      emit({
        event: "listening",
        scenario: scenario.name,
        runtime: rt.runtime,
        version: rt.version,
        transport: spec.transport,
        ...(a.transport === "unix" ? { path: a.path } : { host: a.hostname, port: a.port }),
        pid: rt.host.pid(),
      });
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (): void => {
          if (stopping) return;
          stopping = true;
          void server.stop().finally(resolve);
        };
        rt.host.onSignal("SIGINT", stop);
        rt.host.onSignal("SIGTERM", stop);
      });
      emit({ event: "stopped", runtime: rt.runtime });
      return rt.host.exit(0);
    }
    const t0 = rt.host.now();
    // --api wintertc: the same client, its connections made by @netparity/sockets; --api node: on node:*.
    const result = await withTimeout(
      scenario.client(on, options, log),
      spec.timeoutMs ?? 120_000,
      `${scenario.name} client`,
    );
    emit({
      event: "result",
      scenario: scenario.name,
      runtime: rt.runtime,
      version: rt.version,
      transport: spec.transport,
      ...result,
      durationMs: Math.round(rt.host.now() - t0),
    });
    return rt.host.exit(result.ok ? 0 : 1);
  } catch (e) {
    const code = isNetError(e) ? e.code : "ERROR";
    let message = e instanceof Error ? e.message : String(e);
    if (spec.role === "client") {
      emit({
        event: "result",
        scenario: scenario.name,
        runtime: rt.runtime,
        version: rt.version,
        transport: spec.transport,
        ok: false,
        // A broken connection (ECONNRESET, UNEXPECTED_EOF, ETIMEDOUT...) is a failed check that names the code.
        checks: [{ name: `${scenario.name} client ran to completion`, ok: false, detail: `${code}: ${message}` }],
        metrics: {},
        error: { code, message },
        durationMs: 0,
      });
    } else {
      // A server that cannot start says where: not every runtime names the address (Bun, Deno).
      if (options.transport !== "unix") message = namingAddress(message, options.transport, options.host, options.port);
      else if (options.path && !message.includes(options.path)) message = `unix ${options.path}: ${message}`;
      emit({ event: "error", runtime: rt.runtime, version: rt.version, code, message });
    }
    return rt.host.exit(1);
  }
}
