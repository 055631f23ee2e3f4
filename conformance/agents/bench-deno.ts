import { denoRuntime } from "@netparity/runtime-deno";
import { nodeRuntime } from "@netparity/runtime-node";
import { runBenchAgent } from "../src/in-runtime/bench/agent.js";

// The `node` API: the Node adapter unchanged on Deno's node:net (`bench --apis node`: deno+node).
void runBenchAgent(denoRuntime, { apis: { node: nodeRuntime } });
