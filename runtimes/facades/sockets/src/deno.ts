/** `@netparity/sockets` on Deno (export condition "deno"), over Deno.connect and Deno.connectTls. */
import { denoRuntime } from "@netparity/runtime-deno";
import { createSockets } from "./core.js";

export { SocketError } from "./core.js";
export type * from "./core.js";

export const { connect, sockets } = createSockets(denoRuntime);
