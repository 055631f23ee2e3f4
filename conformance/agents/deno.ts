import { denoRuntime } from "@netparity/runtime-deno";
import { runAgent } from "../src/in-runtime/agent.js";

void runAgent(denoRuntime);
