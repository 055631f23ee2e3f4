/** `@netparity/sockets` on Node.js (export condition "node"), over node:net and node:tls. */
import { nodeRuntime } from "@netparity/runtime-node";
import { createSockets } from "./core.js";

export { SocketError } from "./core.js";
export type * from "./core.js";

export const { connect, sockets } = createSockets(nodeRuntime);
