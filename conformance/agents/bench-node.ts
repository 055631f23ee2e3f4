import { nodeRuntime } from "@netparity/runtime-node";
import { runBenchAgent } from "../src/in-runtime/bench/agent.js";

void runBenchAgent(nodeRuntime);
