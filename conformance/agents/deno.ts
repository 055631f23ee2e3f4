import { denoRuntime } from "@netparity/runtime-deno";
import { runAgent } from "../src/in-runtime/agent.js";

void runAgent(denoRuntime, {
  watchUnhandledRejections: () => {
    let n = 0;
    globalThis.addEventListener("unhandledrejection", (e) => {
      e.preventDefault();
      n++;
    });
    return () => n;
  },
});
