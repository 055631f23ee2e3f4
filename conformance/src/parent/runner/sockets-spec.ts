/**
 * Runs the WinterTC Sockets spec suite (src/in-runtime/sockets-spec/) inside a runtime against
 * @netparity/sockets (the agent's "sockets-spec" role), or on Node against the polyfill
 * @arrowood.dev/socket (dist/sockets-polyfill-node.js), and returns the agent's one event.
 */
import { join } from "node:path";
import type { RuntimeName } from "@netparity/protocol";
import type { AgentCertFiles, AgentEvent, AgentSpec } from "../../in-runtime/agent-protocol.js";
import { spawnHarness } from "../process/harness.js";
import { startAgent } from "./agent-process.js";
import { DIST, runtimeBinary } from "./runtimes.js";

export type SocketsSpecEvent = Extract<AgentEvent, { event: "sockets-spec" }>;

/** What the suite runs against: @netparity/sockets in a runtime, or the polyfill on Node. */
export type SocketsSpecTarget = RuntimeName | "polyfill";
export const SOCKETS_SPEC_TARGETS: readonly SocketsSpecTarget[] = ["node", "bun", "deno", "polyfill"];

export async function runSocketsSpecIn(
  target: SocketsSpecTarget,
  certs: AgentCertFiles | undefined,
  options: { only?: string; binaries?: Partial<Record<RuntimeName, string>>; timeoutMs?: number } = {},
): Promise<SocketsSpecEvent> {
  const spec: AgentSpec = {
    role: "sockets-spec",
    ...(certs ? { certs } : {}),
    ...(options.only ? { only: options.only } : {}),
  };
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
  }
}
