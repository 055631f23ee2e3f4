import type { RuntimeName } from "@netparity/protocol";
import { startAgent } from "../src/runner/agent-process.js";
import type { AgentEvent } from "../src/agent/spec.js";

export const RUNTIMES: RuntimeName[] = ["node", "bun", "deno"];

/** Runs the adapter contract inside `runtime` and returns its event. */
export async function runContractIn(runtime: RuntimeName): Promise<Extract<AgentEvent, { event: "contract" }>> {
  const agent = startAgent(runtime, { role: "contract", scenario: "", transport: "tcp", host: "", port: 0, extra: {} });
  try {
    const e = await agent.nextEvent(110_000);
    if (!e || e.event !== "contract") throw new Error(`${runtime} contract run gave ${JSON.stringify(e)}; stderr: ${agent.stderr()}`);
    return e;
  } finally {
    await agent.stop();
  }
}
