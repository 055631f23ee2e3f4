/// <reference path="./node-crypto.d.ts" />
import "./guard.js";
import {
  abortError,
  closeQuietly,
  NetError,
  raceAbort,
  type ConnectOptions,
  type Connection,
  type DatagramOptions,
  type DatagramSocket,
  type Features,
  type Hasher,
  type ListenOptions,
  type Listener,
  type Runtime,
} from "@netparity/protocol";
// Deno has no native incremental hash of its own: crypto.subtle.digest is one-shot (it would
// need the whole file in memory) and @std/crypto's streaming digest is WebAssembly. Deno's
// node:crypto createHash is backed by Rust ops, incremental, and measured ~1.5 GB/s on 64 KiB
// chunks against ~0.2 GB/s for a one-shot subtle.digest, so it is the fastest native choice.
import { createHash } from "node:crypto";
import { DenoConnection, toAddress } from "./connection.js";
import { DenoDatagramSocket } from "./datagram.js";
import { denoNetError, isClosedResource } from "./errors.js";
import { fs, host } from "./host.js";
import { startTls } from "./starttls.js";
import { connectTls, listenTls } from "./tls.js";

/**
 * Deno gates Deno.listenDatagram and `reusePort` behind --unstable-net; without the flag the
 * function is absent, and passing `reusePort: true` to Deno.listen exits the process instead
 * of throwing, so both are only used when the flag is on.
 */
const unstableNet = typeof (Deno as { listenDatagram?: unknown }).listenDatagram === "function";

class DenoListener implements Listener {
  readonly address;
  #listener: Deno.Listener;
  #isClosed = false;
  #pending: Promise<unknown> | null = null;
  #unixPath: string | undefined;

  constructor(listener: Deno.Listener, unixPath?: string) {
    this.#listener = listener;
    this.address = toAddress(listener.addr);
    this.#unixPath = unixPath;
  }

  async accept(): Promise<Connection | null> {
    if (this.#isClosed) return null;
    const pending = this.#listener.accept();
    this.#pending = pending;
    try {
      return new DenoConnection(await pending);
    } catch (e) {
      // Deno rejects accept with BadResource ("Listener has been closed") or Interrupted.
      if (this.#isClosed || isClosedResource(e)) return null;
      throw denoNetError(e, "accept");
    } finally {
      if (this.#pending === pending) this.#pending = null;
    }
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const pending = this.#pending;
    try {
      this.#listener.close();
    } catch (e) {
      if (!isClosedResource(e)) throw denoNetError(e, "close");
    }
    // The socket may stay bound until a pending accept has been rejected (see Listener.close
    // in https://docs.deno.com/api/deno/~/Deno.Listener), so wait for it before resolving.
    if (pending) await pending.catch(() => undefined);
    if (this.#unixPath !== undefined) {
      // Deno leaves the socket file behind (Node unlinks it), which would make the next
      // listen on the same path fail with EADDRINUSE.
      await Deno.remove(this.#unixPath).catch(() => undefined);
    }
  }
}

async function connectUnix(path: string, signal: AbortSignal | undefined): Promise<Deno.Conn> {
  // Deno.connect takes \`signal\` for TCP only; for Unix the attempt is raced and a connection
  // that arrives after the abort is closed.
  return await raceAbort(Deno.connect({ transport: "unix", path }), signal, closeQuietly);
}

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

  async listen(options: ListenOptions): Promise<Listener> {
    try {
      if (options.transport === "tls") return listenTls(options, unstableNet);
      if (options.transport === "unix") {
        return new DenoListener(Deno.listen({ transport: "unix", path: options.path }), options.path);
      }
      const listener = Deno.listen({
        transport: "tcp",
        // No hostname: left out, so Deno picks its own default.
        ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
        port: options.port,
        ...(options.reusePort && unstableNet ? { reusePort: true } : {}),
      });
      return new DenoListener(listener);
    } catch (e) {
      throw denoNetError(e, "listen");
    }
  },

  async connect(options: ConnectOptions): Promise<Connection> {
    const { signal } = options;
    if (options.transport === "tls") return connectTls(options);
    if (signal?.aborted) throw abortError(signal);
    let conn: Deno.Conn;
    try {
      conn =
        options.transport === "unix"
          ? await connectUnix(options.path, signal)
          : await Deno.connect({
              transport: "tcp",
              hostname: options.hostname,
              port: options.port,
              ...(signal ? { signal } : {}),
            });
    } catch (e) {
      if (signal?.aborted) throw abortError(signal);
      throw denoNetError(e, "connect");
    }
    const connection = new DenoConnection(conn);
    if (signal) {
      // Deno's `signal` only covers the attempt; the contract also aborts an open connection.
      const onAbort = () => connection.close();
      signal.addEventListener("abort", onAbort, { once: true });
      void connection.closed.then(() => signal.removeEventListener("abort", onAbort));
    }
    return connection;
  },

  startTls,

  async bindDatagram(options: DatagramOptions): Promise<DatagramSocket> {
    if (!unstableNet) {
      throw new NetError("ENOTSUP", "Deno.listenDatagram needs the --unstable-net flag", { operation: "bind" });
    }
    try {
      return new DenoDatagramSocket(
        Deno.listenDatagram({
          transport: "udp",
          hostname: options.hostname,
          port: options.port,
          // The closest Deno offers to SO_REUSEPORT: it sets SO_REUSEADDR, with which Linux
          // hands unicast datagrams to the newest socket instead of balancing them.
          ...(options.reusePort ? { reuseAddress: true } : {}),
        }),
      );
    } catch (e) {
      throw denoNetError(e, "bind");
    }
  },

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
