/**
 * netparity Runtime adapter for the Node socket API, over node:net, node:tls and node:dgram: Node's
 * own API, and the `node` API of any runtime that provides those modules.
 * https://nodejs.org/api/net.html  https://nodejs.org/api/tls.html  https://nodejs.org/api/dgram.html
 */
import { createHash } from "node:crypto";
import type { Features, Runtime } from "@netparity/protocol";
import { bindDatagram } from "./datagram.js";
import { fs } from "./fs.js";
import { host } from "./host.js";
import { startTls } from "./starttls.js";
import { connect, listen } from "./stream.js";

// The adapter of the Node socket API, wherever it is provided: Node, and Bun's and Deno's
// node:* modules (the `node` API of a target). It asks for what it uses, never which runtime
// it is in, and works around no runtime's node:* behaviour: those differences are measured.
// The imports above already failed where node:net/node:tls/node:dgram do not exist.
if (typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== "string") {
  throw new Error(
    "@netparity/runtime-node needs a runtime with the Node API (process, node:net, node:tls, node:dgram)",
  );
}

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);

const features: Features = {
  tcp: true,
  udp: true,
  unix: process.platform !== "win32",
  ipv6: true,
  halfClose: true,
  reusePort: major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12),
  broadcast: true,
  multicast: true,
  sourceSpecificMulticast: true,
  connectSignal: true,
  tls: true,
  startTlsClient: true,
  startTlsServer: true,
  // Each read is the Buffer node:net emitted for it; nothing is reused.
  reusesReadBuffer: false,
};

export const nodeRuntime = {
  runtime: "node",
  version: process.versions.node,
  features,
  listen,
  connect,
  bindDatagram,
  startTls,
  sha256: () => {
    const h = createHash("sha256");
    return {
      update: (bytes: Uint8Array) => void h.update(bytes),
      digestHex: () => h.digest("hex"),
    };
  },
  fs,
  host,
} as const satisfies Runtime;

export default nodeRuntime;
