// Datagrams over Bun.udpSocket: https://bun.sh/docs/api/udp
import type { udp } from "bun";
import {
  Fifo,
  NetError,
  toNetError,
  type Datagram,
  type DatagramOptions,
  type DatagramSocket,
  type NetAddress,
} from "@netparity/protocol";

/**
 * Bun cannot pause a UDP socket, so datagrams nobody receives pile up in JS. Past this many
 * queued bytes new ones are dropped, as the kernel would drop them from a full receive buffer.
 */
const RECEIVE_QUEUE_LIMIT = 16 * 1024 * 1024;

const DONE: Promise<void> = Promise.resolve();

type UdpSocket = udp.Socket<"uint8array">;

interface PendingSend {
  readonly data: Uint8Array;
  readonly port: number;
  readonly hostname: string;
  readonly resolve: () => void;
  readonly reject: (e: NetError) => void;
}

class BunDatagramSocket implements DatagramSocket {
  #socket!: UdpSocket;
  #address!: NetAddress;
  #queue = new Fifo<Datagram>();
  #queued = 0;
  #receiver: ((d: Datagram | null) => void) | undefined;
  #receiveError: NetError | undefined;
  #sends = new Fifo<PendingSend>();
  #closed = false;

  get address(): NetAddress {
    return this.#address;
  }

  async open(options: DatagramOptions): Promise<void> {
    const self = this;
    this.#socket = await Bun.udpSocket({
      hostname: options.hostname,
      port: options.port,
      binaryType: "uint8array",
      socket: {
        data(_s, data, port, hostname) {
          self.#onData(data, port, hostname);
        },
        drain() {
          self.#onDrain();
        },
        // bun-types says error(socket, error), but Bun 1.4 calls error(error) with the socket
        // as `this` (https://github.com/oven-sh/bun/pull/35215): take whichever is the Error.
        error(first: unknown, second?: unknown) {
          self.#onError(second instanceof Error ? second : first);
        },
      },
    });
    this.#address = { transport: "udp", hostname: this.#socket.address.address, port: this.#socket.port };
  }

  send(data: Uint8Array, to: { hostname: string; port: number }): Promise<void> {
    if (this.#closed) return Promise.reject(new NetError("CLOSED", "send on a closed socket", { operation: "send" }));
    if (this.#sends.length > 0) {
      return new Promise((resolve, reject) =>
        this.#sends.push({ data, port: to.port, hostname: to.hostname, resolve, reject }),
      );
    }
    try {
      if (this.#trySend(data, to.port, to.hostname)) return DONE;
    } catch (e) {
      return Promise.reject(toNetError(e, "send", "EINVAL"));
    }
    return new Promise((resolve, reject) =>
      this.#sends.push({ data, port: to.port, hostname: to.hostname, resolve, reject }),
    );
  }

  /** false: the kernel buffer is full, wait for `drain`. */
  #trySend(data: Uint8Array, port: number, hostname: string): boolean {
    try {
      return this.#socket.send(data, port, hostname);
    } catch (e) {
      // Bun turns on IP_RECVERR for every UDP socket, so an ICMP "port unreachable" left by an
      // earlier datagram to a dead port fails the next, unrelated send with ECONNREFUSED
      // (https://github.com/oven-sh/bun/pull/36249). The error is consumed by then: retry once.
      if ((e as { code?: unknown }).code !== "ECONNREFUSED") throw e;
      return this.#socket.send(data, port, hostname);
    }
  }

  #onDrain(): void {
    for (let p = this.#sends.peek(); p; p = this.#sends.peek()) {
      let sent: boolean;
      try {
        sent = this.#trySend(p.data, p.port, p.hostname);
      } catch (e) {
        this.#sends.shift();
        p.reject(toNetError(e, "send", "EINVAL"));
        continue;
      }
      if (!sent) return;
      this.#sends.shift();
      p.resolve();
    }
  }

  #onData(data: Uint8Array, port: number, hostname: string): void {
    if (this.#closed) return;
    // Like TCP chunks, each datagram arrives in its own ArrayBuffer: no copy needed.
    const datagram: Datagram = { data, from: { transport: "udp", hostname, port } };
    const receiver = this.#receiver;
    if (receiver) {
      this.#receiver = undefined;
      receiver(datagram);
      return;
    }
    if (this.#queued + data.byteLength > RECEIVE_QUEUE_LIMIT) return;
    this.#queue.push(datagram);
    this.#queued += data.byteLength;
  }

  #onError(error: unknown): void {
    // Without this handler Bun turns an ICMP error for an earlier send into an uncaught
    // exception that kills the process (https://github.com/oven-sh/bun/issues/29116,
    // https://github.com/oven-sh/bun/pull/35922). On an unconnected socket those errors say
    // nothing about this socket (Node never reports them), so they are dropped.
    const code = (error as { code?: unknown } | undefined)?.code;
    if (code === "ECONNREFUSED" || code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EMSGSIZE") return;
    this.#receiveError ??= toNetError(error, "receive");
    const receiver = this.#receiver;
    if (receiver) {
      // Wake the receiver so receive() can reject with the error.
      this.#receiver = undefined;
      receiver(null);
    }
  }

  receive(): Promise<Datagram | null> {
    const datagram = this.#queue.shift();
    if (datagram) {
      this.#queued -= datagram.data.byteLength;
      return Promise.resolve(datagram);
    }
    if (this.#closed) return Promise.resolve(null);
    if (this.#receiveError) {
      const e = this.#receiveError;
      this.#receiveError = undefined;
      return Promise.reject(e);
    }
    if (this.#receiver)
      return Promise.reject(new NetError("EINVAL", "only one receive() may be pending", { operation: "receive" }));
    return new Promise<Datagram | null>((resolve) => (this.#receiver = resolve)).then((d) => d ?? this.receive());
  }

  setBroadcast(on: boolean): void {
    try {
      this.#socket.setBroadcast(on);
    } catch (e) {
      throw toNetError(e, "setBroadcast", "ENOTSUP");
    }
  }

  // Multicast since Bun 1.2.3 (https://github.com/oven-sh/bun/pull/10381). Each call returns a
  // boolean and throws a system error on failure; false (never seen) is taken as a failure too.
  addMembership(group: string, interfaceAddress?: string): Promise<void> {
    return this.#option("addMembership", () => this.#socket.addMembership(group, interfaceAddress));
  }

  dropMembership(group: string, interfaceAddress?: string): Promise<void> {
    return this.#option("dropMembership", () => this.#socket.dropMembership(group, interfaceAddress));
  }

  addSourceMembership(source: string, group: string, interfaceAddress?: string): Promise<void> {
    return this.#option("addSourceMembership", () =>
      this.#socket.addSourceSpecificMembership(source, group, interfaceAddress),
    );
  }

  setMulticastTTL(ttl: number): Promise<void> {
    return this.#option("setMulticastTTL", () => this.#socket.setMulticastTTL(ttl) === ttl);
  }

  setMulticastLoopback(on: boolean): Promise<void> {
    return this.#option("setMulticastLoopback", () => this.#socket.setMulticastLoopback(on) === on);
  }

  #option(operation: string, f: () => boolean): Promise<void> {
    if (this.#closed) return Promise.reject(new NetError("CLOSED", `${operation} on a closed socket`, { operation }));
    let ok: boolean;
    try {
      ok = f();
    } catch (e) {
      return Promise.reject(toNetError(e, operation, "EINVAL"));
    }
    return ok ? DONE : Promise.reject(new NetError("EINVAL", `${operation} returned false`, { operation }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
    this.#queue.drain();
    this.#queued = 0;
    const receiver = this.#receiver;
    this.#receiver = undefined;
    receiver?.(null);
    const e = new NetError("CLOSED", "socket closed before the datagram was sent", { operation: "send" });
    for (const p of this.#sends.drain()) p.reject(e);
  }
}

export async function bindDatagram(options: DatagramOptions): Promise<DatagramSocket> {
  if (options.reusePort) {
    // Bun.udpSocket has no reusePort option (a second bind of the port fails EADDRINUSE).
    throw new NetError("ENOTSUP", "Bun.udpSocket cannot set SO_REUSEPORT", { operation: "bind" });
  }
  const socket = new BunDatagramSocket();
  try {
    await socket.open(options);
  } catch (e) {
    throw toNetError(e, "bind");
  }
  return socket;
}
