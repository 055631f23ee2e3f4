import { nodeRuntime } from "@netparity/runtime-node";
import { runAgent } from "../src/in-runtime/agent.js";
import { NODE_API_PROBES } from "../src/node-api/catalogue.js";

void runAgent(nodeRuntime, {
  // For the sockets spec suite only: a handler also keeps an unhandled rejection from ending Node.
  watchUnhandledRejections: () => {
    let n = 0;
    process.on("unhandledRejection", () => void n++);
    return () => n;
  },
  // The Node API probe family (`--api node`): on Node it is the native API.
  probes: { node: NODE_API_PROBES },
});
