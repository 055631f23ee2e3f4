import { denoRuntime } from "@netparity/runtime-deno";
import { runBenchAgent } from "../src/bench/agent.js";

void runBenchAgent(denoRuntime);
