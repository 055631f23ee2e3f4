import { bunRuntime } from "@netparity/runtime-bun";
import { runAgent } from "../src/agent/main.js";

void runAgent(bunRuntime);
