import { denoRuntime } from "@netparity/runtime-deno";
import { nodeRuntime } from "@netparity/runtime-node";
import { runAgent } from "../src/in-runtime/agent.js";
import { NODE_API_PROBES } from "../src/node-api/catalogue.js";

void runAgent(denoRuntime, {
  watchUnhandledRejections: () => {
    let n = 0;
    globalThis.addEventListener("unhandledrejection", (e) => {
      e.preventDefault();
      n++;
    });
    return () => n;
  },
  // The `node` API: the Node adapter unchanged on Deno's node:net/node:tls/node:dgram.
  apis: { node: nodeRuntime },
  // The `nodeapi.*` probes, written against node:* and run here unchanged.
  probes: { node: NODE_API_PROBES },
});
