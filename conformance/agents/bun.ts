import { bunRuntime } from "@netparity/runtime-bun";
import { runAgent } from "../src/in-runtime/agent.js";

void runAgent(bunRuntime);
