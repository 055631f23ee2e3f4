import {
  NetError,
  type Datagram,
  type DatagramOptions,
  type DatagramSocket,
  type NetAddress,
} from "@netparity/protocol";
import { denoNetError, isClosedResource } from "./errors.js";

/**
 * Deno gates Deno.listenDatagram and `reusePort` behind --unstable-net; without the flag the
 * function is absent, and passing `reusePort: true` to Deno.listen exits the process instead
 * of throwing, so both are only used when the flag is on.
 */
export const unstableNet = typeof (Deno as { listenDatagram?: unknown }).listenDatagram === "function";

/** Larger than any UDP payload (65,507 bytes over IPv4), so a datagram is never truncated. */
const RECEIVE_BUFFER_SIZE = 64 * 1024;

export function toNetAddress(addr: Deno.Addr): NetAddress {
  if (addr.transport !== "udp" && addr.transport !== "tcp") {
    throw new NetError("EAFNOSUPPORT", `expected an IP address, got ${addr.transport}`);
  }
  return { transport: "udp", hostname: addr.hostname, port: addr.port };
}

export class DenoDatagramSocket implements DatagramSocket {
  readonly address: NetAddress;
  #dc: Deno.DatagramConn;
  #isClosed = false;
  /**
   * Without a buffer, DatagramConn.receive() allocates a fresh 64 KiB array per datagram;
   * receiving into one reused buffer and copying out only the received bytes is cheaper.
   */
  #buf = new Uint8Array(RECEIVE_BUFFER_SIZE);
  #bufBusy = false;
  #memberships = new Map<string, Deno.MulticastV4Membership>();

  constructor(dc: Deno.DatagramConn) {
    this.#dc = dc;
    this.address = toNetAddress(dc.addr);
  }

  async send(data: Uint8Array, to: { hostname: string; port: number }): Promise<void> {
    if (this.#isClosed) throw new NetError("CLOSED", "datagram socket is closed", { operation: "send" });
    try {
      await this.#dc.send(data, { transport: "udp", hostname: to.hostname, port: to.port });
    } catch (e) {
      throw denoNetError(e, "send");
    }
  }

  async receive(): Promise<Datagram | null> {
    if (this.#isClosed) return null;
    // Concurrent receives must not share the buffer.
    const own = !this.#bufBusy;
    const buf = own ? this.#buf : new Uint8Array(RECEIVE_BUFFER_SIZE);
    if (own) this.#bufBusy = true;
    try {
      const [view, from] = await this.#dc.receive(buf);
      return { data: view.slice(), from: toNetAddress(from) };
    } catch (e) {
      // A pending receive is rejected with Interrupted when the socket is closed under it.
      if (this.#isClosed && isClosedResource(e)) return null;
      throw denoNetError(e, "receive");
    } finally {
      if (own) this.#bufBusy = false;
    }
  }

  setBroadcast(on: boolean): void {
    // Deno sets SO_BROADCAST on every UDP socket it binds (denoland/deno#12860) and offers
    // no way to clear it, so enabling is a no-op and only disabling is unsupported.
    if (on) return;
    throw new NetError(
      "ENOTSUP",
      "Deno.DatagramConn always has SO_BROADCAST set and cannot clear it (https://github.com/denoland/deno/pull/12860)",
      { operation: "setBroadcast" },
    );
  }

  /*
   * Multicast through DatagramConn.joinMulticastV4, unstable (--unstable-net) like all of
   * Deno's UDP (https://docs.deno.com/api/deno/~/Deno.DatagramConn.prototype.joinMulticastV4).
   * Deno has no socket-level TTL or loopback call: both are methods of a membership, so they
   * need a joined group; and it has no source-specific join (ENOTSUP).
   */
  async addMembership(group: string, interfaceAddress?: string): Promise<void> {
    const key = membershipKey(group, interfaceAddress);
    if (this.#memberships.has(key))
      throw new NetError("EADDRINUSE", `already a member of ${group}`, { operation: "addMembership" });
    try {
      this.#memberships.set(key, await this.#dc.joinMulticastV4(group, interfaceAddress ?? "0.0.0.0"));
    } catch (e) {
      throw denoNetError(e, "addMembership");
    }
  }

  async dropMembership(group: string, interfaceAddress?: string): Promise<void> {
    const key = membershipKey(group, interfaceAddress);
    const m = this.#memberships.get(key);
    if (!m) throw new NetError("EADDRNOTAVAIL", `not a member of ${group}`, { operation: "dropMembership" });
    this.#memberships.delete(key);
    try {
      await m.leave();
    } catch (e) {
      throw denoNetError(e, "dropMembership");
    }
  }

  addSourceMembership(): Promise<void> {
    return Promise.reject(
      new NetError("ENOTSUP", "Deno.DatagramConn has no source-specific multicast join", {
        operation: "addSourceMembership",
      }),
    );
  }

  setMulticastTTL(ttl: number): Promise<void> {
    return this.#viaMembership("setMulticastTTL", (m) => m.setTTL(ttl));
  }

  setMulticastLoopback(on: boolean): Promise<void> {
    return this.#viaMembership("setMulticastLoopback", (m) => m.setLoopback(on));
  }

  /** Both options are socket-wide in the kernel; any membership's handle sets them. */
  async #viaMembership(operation: string, f: (m: Deno.MulticastV4Membership) => Promise<void>): Promise<void> {
    const m = this.#memberships.values().next().value;
    if (!m)
      throw new NetError(
        "ENOTSUP",
        `Deno sets ${operation === "setMulticastTTL" ? "the multicast TTL" : "multicast loopback"} only through a group membership: join a group first`,
        { operation },
      );
    try {
      await f(m);
    } catch (e) {
      throw denoNetError(e, operation);
    }
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    try {
      this.#dc.close();
    } catch (e) {
      if (!isClosedResource(e)) throw denoNetError(e, "close");
    }
  }
}

function membershipKey(group: string, interfaceAddress: string | undefined): string {
  return `${group}|${interfaceAddress ?? ""}`;
}

export async function bindDatagram(options: DatagramOptions): Promise<DatagramSocket> {
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
}
