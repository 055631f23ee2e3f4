import { nodeRuntime } from "@netparity/runtime-node";
import { runAgent } from "../src/in-runtime/agent.js";

void runAgent(nodeRuntime, {
  // For the sockets spec suite only: a handler also keeps an unhandled rejection from ending Node.
  watchUnhandledRejections: () => {
    let n = 0;
    process.on("unhandledRejection", () => void n++);
    return () => n;
  },
});
