import { denoRuntime } from "@netparity/runtime-deno";
import { runAgent } from "../src/agent/main.js";

void runAgent(denoRuntime);
