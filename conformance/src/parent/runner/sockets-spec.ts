/**
 * Runs the WinterTC Sockets spec suite (src/in-runtime/sockets-spec/) inside a runtime against
 * @netparity/sockets (the agent's "sockets-spec" role), or on Node against the polyfill
 * @arrowood.dev/socket (dist/sockets-polyfill-node.js), and returns the agent's one event.
 * A runtime that serves nothing (workerd: its own `connect()` is what the suite checks) gets
 * its peers from a Node process (dist/sockets-spec-peers-node.js) whose control port goes into
 * the spec.
 */
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import type { AgentCertFiles, AgentEvent, AgentSpec } from "../../in-runtime/agent-protocol.js";
import { offersEnd } from "../common/runtime-descriptors.js";
import { spawnHarness, type Harness } from "../process/harness.js";
import { startAgent } from "./agent-process.js";
import { DIST, runtimeBinary } from "./runtimes.js";

export type SocketsSpecEvent = Extract<AgentEvent, { event: "sockets-spec" }>;

/** What the suite runs against: @netparity/sockets in a runtime, or the polyfill on Node. */
export type SocketsSpecTarget = RuntimeName | "polyfill";
export const SOCKETS_SPEC_TARGETS: readonly SocketsSpecTarget[] = ["node", "bun", "deno", "polyfill"];

export async function runSocketsSpecIn(
  target: SocketsSpecTarget,
  certs: AgentCertFiles | undefined,
  options: {
    only?: string;
    binaries?: Partial<Record<RuntimeName, string>>;
    timeoutMs?: number;
    /** The polyfill's step bound (AgentSpec stepMs); for the unit test's comparison row. */
    stepMs?: number;
  } = {},
): Promise<SocketsSpecEvent> {
  const base: AgentSpec = {
    role: "sockets-spec",
    ...(certs ? { certs } : {}),
    ...(options.only ? { only: options.only } : {}),
    ...(options.stepMs ? { stepMs: options.stepMs } : {}),
  };
  const remote = target !== "polyfill" && !offersEnd(target, "server");
  const peers = remote ? await startPeers(base, options.binaries) : undefined;
  const spec: AgentSpec = peers ? { ...base, peers: { hostname: "127.0.0.1", port: peers.port } } : base;
  const agent =
    target === "polyfill"
      ? spawnHarness<AgentEvent>(
          runtimeBinary("node", options.binaries),
          [join(DIST, "sockets-polyfill-node.js"), JSON.stringify(spec)],
          {
            name: "@arrowood.dev/socket agent",
            // The polyfill has no binding object: its TLS checks trust the suite's CA this way.
            ...(certs ? { env: { NODE_EXTRA_CA_CERTS: certs.ca } } : {}),
          },
        )
      : startAgent(target, spec, options.binaries);
  try {
    const e = await agent.next(options.timeoutMs ?? 240_000);
    if (e?.event !== "sockets-spec")
      throw new Error(`${target}: the sockets spec suite gave ${JSON.stringify(e)}; stderr: ${agent.stderr()}`);
    return e;
  } finally {
    await agent.stop();
    await peers?.harness.stop();
  }
}

/**
 * The suite's peers served from Node, for a runtime without a listen: its control port. The
 * `wintertc.*` probes in workerd use the same peers (`spec` then carries the probes' main set).
 */
export async function startPeers(
  spec: AgentSpec,
  binaries: Partial<Record<RuntimeName, string>> | undefined,
): Promise<{ port: number; harness: Harness<{ event?: string; port?: number }> }> {
  const harness = spawnHarness<{ event?: string; port?: number }>(
    runtimeBinary("node", binaries),
    [join(DIST, "sockets-spec-peers-node.js"), JSON.stringify(spec)],
    { name: "sockets spec peers", stop: { signal: "SIGTERM", graceMs: 3000 } },
  );
  try {
    const e = await harness.next(20_000, "peers event");
    if (e?.event !== "peers" || typeof e.port !== "number")
      throw new Error(`the spec suite's peers gave ${JSON.stringify(e)}; stderr: ${harness.stderr()}`);
    return { port: e.port, harness };
  } catch (err) {
    await harness.stop();
    throw err;
  }
}
