/** `@netparity/sockets` on Bun (export condition "bun"), over Bun.connect. */
import { bunRuntime } from "@netparity/runtime-bun";
import { createSockets } from "./core.js";

export { SocketError } from "./core.js";
export type * from "./core.js";

export const { connect, sockets } = createSockets(bunRuntime);
