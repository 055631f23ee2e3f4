// The two host modules the workerd agent imports, typed as far as it uses them (workerd's own
// typings, @cloudflare/workers-types, declare the same DOM globals as lib.dom and are not needed).
declare module "cloudflare:sockets" {
  import type { AnySocketAddress, Socket, SocketOptions } from "@netparity/sockets/core";
  export function connect(address: AnySocketAddress, options?: SocketOptions): Socket;
}

declare module "node:crypto" {
  interface Hash {
    update(data: Uint8Array): Hash;
    digest(encoding: "hex"): string;
  }
  export function createHash(algorithm: "sha256"): Hash;
}
