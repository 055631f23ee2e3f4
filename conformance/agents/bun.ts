import { bunRuntime } from "@netparity/runtime-bun";
import { runAgent } from "../src/in-runtime/agent.js";

void runAgent(bunRuntime, {
  watchUnhandledRejections: () => {
    let n = 0;
    process.on("unhandledRejection", () => void n++);
    return () => n;
  },
});
