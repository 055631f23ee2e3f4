/** `@netparity/sockets` on Deno (export condition "deno"), over Deno.connect and Deno.connectTls. */
import { denoRuntime } from "@netparity/runtime-deno";
import { createSockets } from "./core.js";

export { SocketError } from "./core.js";
export type * from "./core.js";

// Deno's adapter reads into one buffer per connection, reused by the next read (see
// runtimes/deno/src/connection.ts): the readable enqueues copies.
export const { connect, sockets } = createSockets(denoRuntime, { borrowedReads: true });
