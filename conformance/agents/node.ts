import { nodeRuntime } from "@netparity/runtime-node";
import { runAgent } from "../src/agent/main.js";

void runAgent(nodeRuntime);
