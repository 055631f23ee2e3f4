import { denoRuntime } from "@netparity/runtime-deno";
import { runBenchAgent } from "../src/in-runtime/bench/agent.js";

void runBenchAgent(denoRuntime);
