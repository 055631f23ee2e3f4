import { nodeRuntime } from "@netparity/runtime-node";
import { runBenchAgent } from "../src/bench/agent.js";

void runBenchAgent(nodeRuntime);
