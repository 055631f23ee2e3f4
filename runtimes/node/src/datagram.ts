import { createSocket, type Socket as DgramSocket, type RemoteInfo } from "node:dgram";
import {
  Fifo,
  NetError,
  toNetError,
  type Datagram,
  type DatagramOptions,
  type DatagramSocket,
  type NetAddress,
} from "@netparity/protocol";

/** Datagrams kept for a slow reader; beyond this new ones are dropped, as a full kernel buffer would. */
const MAX_QUEUED = 4096;

export class NodeDatagramSocket implements DatagramSocket {
  readonly #socket: DgramSocket;
  readonly address: NetAddress;
  readonly #queue = new Fifo<Datagram>();
  #waiter: ((d: Datagram | null) => void) | null = null;
  #closed = false;
  /** Datagrams dropped because the reader fell behind. */
  dropped = 0;

  constructor(socket: DgramSocket) {
    this.#socket = socket;
    const a = socket.address();
    this.address = { transport: "udp", hostname: a.address, port: a.port };
    socket.on("message", (msg: Buffer, rinfo: RemoteInfo) => {
      const d: Datagram = { data: msg, from: { transport: "udp", hostname: rinfo.address, port: rinfo.port } };
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = null;
        w(d);
      } else if (this.#queue.length < MAX_QUEUED) {
        this.#queue.push(d);
      } else {
        this.dropped++;
      }
    });
    socket.on("close", () => {
      this.#closed = true;
      this.#waiter?.(null);
      this.#waiter = null;
    });
    // Errors on an unconnected UDP socket (e.g. ICMP port unreachable) are not fatal.
    socket.on("error", () => {});
  }

  send(data: Uint8Array, to: { hostname: string; port: number }): Promise<void> {
    if (this.#closed)
      return Promise.reject(new NetError("CLOSED", "send on a closed datagram socket", { operation: "send" }));
    return new Promise((resolve, reject) => {
      this.#socket.send(data, to.port, to.hostname, (err) => (err ? reject(toNetError(err, "send")) : resolve()));
    });
  }

  receive(): Promise<Datagram | null> {
    const d = this.#queue.shift();
    if (d !== undefined) return Promise.resolve(d);
    if (this.#closed) return Promise.resolve(null);
    if (this.#waiter) return Promise.reject(new NetError("PROTOCOL", "only one receive may be pending"));
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  setBroadcast(on: boolean): void {
    try {
      this.#socket.setBroadcast(on);
    } catch (e) {
      throw toNetError(e, "setBroadcast");
    }
  }

  // node:dgram has had IPv4 multicast since Node 0.x and source-specific joins since 13.1
  // (https://nodejs.org/api/dgram.html#socketaddmembershipmulticastaddress-multicastinterface).
  addMembership(group: string, interfaceAddress?: string): Promise<void> {
    return this.#sync("addMembership", () => this.#socket.addMembership(group, interfaceAddress));
  }

  dropMembership(group: string, interfaceAddress?: string): Promise<void> {
    return this.#sync("dropMembership", () => this.#socket.dropMembership(group, interfaceAddress));
  }

  addSourceMembership(source: string, group: string, interfaceAddress?: string): Promise<void> {
    return this.#sync("addSourceMembership", () =>
      this.#socket.addSourceSpecificMembership(source, group, interfaceAddress),
    );
  }

  setMulticastTTL(ttl: number): Promise<void> {
    return this.#sync("setMulticastTTL", () => this.#socket.setMulticastTTL(ttl));
  }

  setMulticastLoopback(on: boolean): Promise<void> {
    return this.#sync("setMulticastLoopback", () => this.#socket.setMulticastLoopback(on));
  }

  #sync(operation: string, f: () => unknown): Promise<void> {
    try {
      f();
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(toNetError(e, operation));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.#waiter?.(null);
    this.#waiter = null;
  }
}

export function bindDatagram(options: DatagramOptions): Promise<DatagramSocket> {
  return new Promise((resolve, reject) => {
    const type = options.hostname.includes(":") ? "udp6" : "udp4";
    const socket = createSocket({ type, ...(options.reusePort ? { reuseAddr: true } : {}) });
    const onError = (e: unknown): void => {
      socket.close();
      reject(toNetError(e, "bind"));
    };
    socket.once("error", onError);
    socket.bind(options.port, options.hostname, () => {
      socket.off("error", onError);
      resolve(new NodeDatagramSocket(socket));
    });
  });
}
