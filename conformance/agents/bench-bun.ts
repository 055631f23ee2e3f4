import { bunRuntime } from "@netparity/runtime-bun";
import { runBenchAgent } from "../src/in-runtime/bench/agent.js";

void runBenchAgent(bunRuntime);
