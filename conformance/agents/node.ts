import { nodeRuntime } from "@netparity/runtime-node";
import { runAgent } from "../src/in-runtime/agent.js";

void runAgent(nodeRuntime);
