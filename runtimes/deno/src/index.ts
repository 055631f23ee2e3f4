/// <reference path="./node-crypto.d.ts" />
import "./guard.js";
import type { Features, Hasher, Runtime } from "@netparity/protocol";
// Deno has no native incremental hash of its own: crypto.subtle.digest is one-shot (it would
// need the whole file in memory) and @std/crypto's streaming digest is WebAssembly. Deno's
// node:crypto createHash is backed by Rust ops, incremental, and measured ~1.5 GB/s on 64 KiB
// chunks against ~0.2 GB/s for a one-shot subtle.digest, so it is the fastest native choice.
import { createHash } from "node:crypto";
import { bindDatagram, unstableNet } from "./datagram.js";
import { fs } from "./fs.js";
import { host } from "./host.js";
import { startTls } from "./starttls.js";
import { connect, listen } from "./stream.js";

/** https://docs.deno.com/api/deno/~/Deno.listen */
export const denoRuntime = {
  runtime: "deno",
  version: Deno.version.deno,
  features: {
    tcp: true,
    udp: unstableNet,
    unix: Deno.build.os !== "windows",
    get ipv6(): boolean {
      return ipv6Loopback();
    },
    halfClose: true,
    // Documented as Linux-only and silently ignored elsewhere.
    reusePort: unstableNet && Deno.build.os === "linux",
    // Every Deno UDP socket has SO_BROADCAST set (denoland/deno#12860).
    broadcast: unstableNet,
    // DatagramConn.joinMulticastV4, as unstable as the rest of Deno's UDP.
    multicast: unstableNet,
    sourceSpecificMulticast: false,
    // Native for TCP since Deno 2.3 (denoland/deno#27113); emulated for Unix sockets and TLS.
    connectSignal: true,
    // Deno.listenTls / Deno.connectTls. closeWrite() on a TlsConn sends close_notify then FIN
    // and keeps reading (checked on Deno 2.9.6 against Python's ssl), so halfClose holds for
    // TLS too. Not offered: verify:false and requestCert (ENOTSUP, see tls.ts).
    tls: true,
    // Deno.startTls; no server-side upgrade exists (see starttls.ts).
    startTlsClient: true,
    startTlsServer: false,
    // One read buffer per connection (TCP, Unix and TLS), reused by the next read: see
    // connection.ts.
    reusesReadBuffer: true,
  } satisfies Features,

  listen,
  connect,

  startTls,

  bindDatagram,

  sha256(): Hasher {
    const hash = createHash("sha256");
    return {
      update(bytes: Uint8Array): void {
        hash.update(bytes);
      },
      digestHex(): string {
        return hash.digest("hex");
      },
    };
  },

  fs,
  host,
} as const satisfies Runtime;

let ipv6Probe: boolean | undefined;
/** Whether ::1 can be bound here (containers often run without IPv6); probed once, on demand. */
function ipv6Loopback(): boolean {
  if (ipv6Probe === undefined) {
    try {
      Deno.listen({ transport: "tcp", hostname: "::1", port: 0 }).close();
      ipv6Probe = true;
    } catch {
      ipv6Probe = false;
    }
  }
  return ipv6Probe;
}

export default denoRuntime;
