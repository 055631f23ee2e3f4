import { bunRuntime } from "@netparity/runtime-bun";
import { runBenchAgent } from "../src/bench/agent.js";

void runBenchAgent(bunRuntime);
