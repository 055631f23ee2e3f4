/**
 * The workerd agent: a Worker module. The parent starts workerd with a generated config
 * (src/parent/workerd/config.ts) and POSTs one WorkerdRequest per process; the Worker runs
 * that role and answers with the JSON array of the events another runtime's agent would have
 * printed. Client roles, the spec suite and the `wintertc.*` probes run here, their peers in
 * another process: workerd has no listen. A bench client (workerd/bench.ts) streams its
 * events instead.
 */
import { connect } from "cloudflare:sockets";
import { isNetError } from "@netparity/protocol";
import type { AgentEvent, WorkerdRequest } from "../src/in-runtime/agent-protocol.js";
import { withTimeout } from "../src/in-runtime/common/timing.js";
import { runProbes, WINTERTC_PROBES } from "../src/in-runtime/probes/catalogue.js";
import { SCENARIOS } from "../src/in-runtime/scenarios/index.js";
import type { RoleOptions } from "../src/in-runtime/scenarios/types.js";
import { remotePeers } from "../src/in-runtime/sockets-spec/remote-peers.js";
import { runSocketsSpec, type ConnectLike } from "../src/in-runtime/sockets-spec/spec.js";
import type { WorkerdBenchRequest } from "../src/in-runtime/bench/protocol.js";
import { benchResponse } from "./workerd/bench.js";
import { workerdRuntime } from "./workerd/runtime.js";

async function run(req: WorkerdRequest, logs: string[]): Promise<AgentEvent[]> {
  const { spec, version } = req;
  const rt = workerdRuntime(version, req.trustedCa, (l) => void logs.push(l));
  const error = (code: string, message: string): AgentEvent[] => [
    { event: "error", runtime: rt.runtime, version, code, message },
  ];
  if (spec.role === "features") return [{ event: "features", runtime: rt.runtime, version, features: rt.features }];
  if (spec.role === "sockets-spec") {
    // A Worker has no listen: the suite's peers run in another process (remote-peers.ts).
    if (!spec.peers) return error("ENOTSUP", "the sockets spec suite in workerd needs its peers served (spec.peers)");
    // workerd's own connect() is the implementation under test, as it is: no bracketing of
    // IPv6 literals (runtime.ts does that for the scenarios only). Trust comes from the config.
    const under = connect as unknown as ConnectLike;
    const implementation = "cloudflare:sockets";
    // Workers dispatch "unhandledrejection" on the global scope.
    let unhandled = 0;
    const count = () => void unhandled++;
    addEventListener("unhandledrejection", count);
    try {
      const results = await runSocketsSpec(
        rt,
        { name: implementation, connect: under, trusting: () => under },
        req.trustedCa !== undefined ? { ca: req.trustedCa, cert: "", key: "" } : undefined,
        { unhandledRejections: () => unhandled },
        spec.only,
        remotePeers(spec.peers, under),
      );
      return [{ event: "sockets-spec", runtime: rt.runtime, version, implementation, results }];
    } finally {
      removeEventListener("unhandledrejection", count);
    }
  }
  if (spec.role === "probes") {
    // connect() is workerd's own API: its probe family is `wintertc.*`, whatever "native" asked.
    if (spec.api !== undefined && spec.api !== "native" && spec.api !== "wintertc")
      return error("ENOTSUP", `workerd has no ${spec.api} API`);
    if (!spec.peers) return error("ENOTSUP", "the wintertc probes in workerd need their peers served (spec.peers)");
    // workerd's connect() as it is (no bracketing), as in the spec suite; trust comes from the config.
    const under = connect as unknown as ConnectLike;
    const results = await runProbes(
      rt,
      spec.probes,
      (r) => void logs.push(`probe ${r.id}: ${r.outcome} (${r.ms} ms)`),
      { sockets: { implementation: "cloudflare:sockets", connect: under, peers: remotePeers(spec.peers, under) } },
      WINTERTC_PROBES,
    );
    return [{ event: "probes", runtime: rt.runtime, version, features: { ...rt.features }, results }];
  }
  if (spec.role !== "client") return error("ENOTSUP", `workerd runs client roles only, not "${spec.role}"`);
  const scenario = SCENARIOS[spec.scenario];
  if (!scenario) return error("USAGE", `unknown scenario "${spec.scenario}"`);
  const options: RoleOptions = {
    transport: spec.transport,
    host: spec.host,
    port: spec.port,
    extra: spec.extra ?? {},
    ...(spec.path ? { path: spec.path } : {}),
    // The CA's text instead of its path: the config trusts it (see WorkerdRequest).
    ...(spec.tls
      ? {
          tls: {
            ...(req.trustedCa !== undefined ? { ca: req.trustedCa } : {}),
            ...(spec.tls.servername ? { servername: spec.tls.servername } : {}),
            ...(spec.tls.alpn?.length ? { alpn: spec.tls.alpn } : {}),
          },
        }
      : {}),
  };
  const t0 = rt.host.now();
  const base = {
    event: "result",
    scenario: scenario.name,
    runtime: rt.runtime,
    version,
    transport: spec.transport,
  } as const;
  try {
    const result = await withTimeout(
      scenario.client(rt, options, (m) => void logs.push(m)),
      spec.timeoutMs ?? 120_000,
      `${scenario.name} client`,
    );
    return [{ ...base, ...result, durationMs: Math.round(rt.host.now() - t0) }];
  } catch (e) {
    const code = isNetError(e) ? e.code : "ERROR";
    const message = e instanceof Error ? e.message : String(e);
    return [
      {
        ...base,
        ok: false,
        checks: [{ name: `${scenario.name} client ran to completion`, ok: false, detail: `${code}: ${message}` }],
        metrics: {},
        error: { code, message },
        durationMs: 0,
      },
    ];
  }
}

export default {
  async fetch(request: Request, _env: unknown, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<Response> {
    const logs: string[] = [];
    let events: AgentEvent[];
    try {
      const body = (await request.json()) as WorkerdRequest | WorkerdBenchRequest;
      // A bench client streams its events (bench.ts); every other role answers them at once.
      if ("bench" in body) return benchResponse(body, (p) => ctx.waitUntil(p));
      events = await run(body, logs);
    } catch (e) {
      events = [{ event: "error", runtime: "workerd", version: "", code: "ERROR", message: String(e) }];
    }
    return Response.json({ events, logs });
  },
};
