import { bunRuntime } from "@netparity/runtime-bun";
import { nodeRuntime } from "@netparity/runtime-node";
import { runBenchAgent } from "../src/in-runtime/bench/agent.js";

// The `node` API: the Node adapter unchanged on Bun's node:net (`bench --apis node`: bun+node).
void runBenchAgent(bunRuntime, { apis: { node: nodeRuntime } });
