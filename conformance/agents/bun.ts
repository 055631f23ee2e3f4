import { bunRuntime } from "@netparity/runtime-bun";
import { nodeRuntime } from "@netparity/runtime-node";
import { runAgent } from "../src/in-runtime/agent.js";
import { NODE_API_PROBES } from "../src/node-api/catalogue.js";

void runAgent(bunRuntime, {
  watchUnhandledRejections: () => {
    let n = 0;
    process.on("unhandledRejection", () => void n++);
    return () => n;
  },
  // The `node` API: the Node adapter unchanged on Bun's node:net/node:tls/node:dgram.
  apis: { node: nodeRuntime },
  // The `nodeapi.*` probes, written against node:* and run here unchanged.
  probes: { node: NODE_API_PROBES },
});
