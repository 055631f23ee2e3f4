/**
 * `client --api wintertc`: the scenarios' clients over @netparity/sockets instead of the
 * adapter. The runtime handed to a client is the adapter with `connect` replaced: a TCP or TLS
 * connection is a WinterTC Socket (connect(), opened, readable, writable), seen again as a
 * `Connection` so that every stream scenario runs unchanged. Everything else (listeners,
 * datagrams, hashing, the host) is the adapter's: the draft has only TCP clients.
 */
import {
  NetError,
  NET_ERROR_CODES,
  type Address,
  type ConnectOptions,
  type Connection,
  type NetErrorCode,
  type Runtime,
  type TlsInfo,
} from "@netparity/protocol";
import {
  createSockets,
  type AnySocketAddress,
  type Socket,
  type SocketInfo,
  type SocketOptions,
} from "@netparity/sockets/core";
import { transportOf } from "../common/transports.js";

/** A SocketError (or anything a stream rejected with) as a NetError with the facade's code. */
function toNetError(e: unknown, operation: string): NetError {
  if (e instanceof NetError) return e;
  const code = (e as { code?: unknown })?.code;
  const known = typeof code === "string" && (NET_ERROR_CODES as readonly string[]).includes(code);
  const message = e instanceof Error ? e.message : String(e);
  return new NetError(known ? (code as NetErrorCode) : "UNKNOWN", message, { cause: e, operation });
}

/** "127.0.0.1:80" or "[::1]:80" (SocketInfo's form) as an Address. */
function toAddress(hostPort: string | null): Address {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(hostPort ?? "");
  return { transport: "tcp", hostname: m?.[1] ?? "", port: Number(m?.[2] ?? 0) };
}

class SocketConnection implements Connection {
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  readonly closed: Promise<void>;
  readonly #socket: Socket;
  // Structural: Bun's and the DOM's reader and writer types differ in members not used here.
  readonly #reader: { read(): Promise<{ done: boolean; value?: Uint8Array | undefined }> };
  readonly #writer: { write(chunk: Uint8Array): Promise<void>; close(): Promise<void> };
  readonly #tls: TlsInfo | null;
  #resolveClosed!: () => void;
  #readEnded = false;
  #writeEnded = false;

  constructor(socket: Socket, info: SocketInfo, tls: boolean) {
    this.#socket = socket;
    this.#reader = socket.readable.getReader();
    this.#writer = socket.writable.getWriter();
    this.localAddress = toAddress(info.localAddress);
    this.remoteAddress = toAddress(info.remoteAddress);
    this.#tls = tls ? { protocol: null, cipher: null, alpn: info.alpn, peerSubject: null, peerSan: null } : null;
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
    // The Socket's own `closed` settles on close(), and (allowHalfOpen true here) not on a FIN:
    // a Connection is closed once both directions ended, so that is tracked here.
    socket.closed.then(this.#resolveClosed, this.#resolveClosed);
  }

  #maybeClosed(): void {
    if (this.#readEnded && this.#writeEnded) this.#resolveClosed();
  }

  async read(): Promise<Uint8Array | null> {
    try {
      const { value, done } = await this.#reader.read();
      if (done || value === undefined) {
        this.#readEnded = true;
        this.#maybeClosed();
        return null;
      }
      return value;
    } catch (e) {
      throw toNetError(e, "read");
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    try {
      await this.#writer.write(bytes);
    } catch (e) {
      throw toNetError(e, "write");
    }
  }

  async closeWrite(): Promise<void> {
    try {
      await this.#writer.close();
    } catch (e) {
      throw toNetError(e, "closeWrite");
    }
    this.#writeEnded = true;
    this.#maybeClosed();
  }

  close(): void {
    void this.#socket.close();
  }

  setNoDelay(): void {
    // The draft has no socket options; the runtime's default stays.
  }

  tlsInfo(): TlsInfo | null {
    return this.#tls;
  }

  /**
   * The draft's `startTls()` on a Socket opened with `secureTransport: "starttls"`: the reader
   * and writer are released first (workerd keeps the new socket's streams locked while the old
   * ones are held), and the new Socket is a Connection once its `opened` resolved.
   */
  async upgrade(): Promise<Connection> {
    (this.#reader as { releaseLock?: () => void }).releaseLock?.();
    (this.#writer as { releaseLock?: () => void }).releaseLock?.();
    let tls: Socket;
    let info: SocketInfo;
    try {
      tls = this.#socket.startTls();
      info = await tls.opened;
    } catch (e) {
      this.close();
      throw toNetError(e, "startTls");
    }
    return new SocketConnection(tls, info, true);
  }
}

/**
 * `rt` whose `connect` goes through @netparity/sockets for transports tcp and tls. A TLS client
 * setting the draft cannot express (no verification, a client certificate) is ENOTSUP; so is a
 * Unix socket, which the draft does not have.
 * @example const client = winterTcRuntime(rt); await scenario.client(client, options, log);
 */
export function winterTcRuntime(rt: Runtime): Runtime {
  const { connect, sockets } = createSockets(rt);
  return overDraftConnect(rt, (ca) => (ca !== undefined ? sockets({ tls: { ca } }).connect : connect));
}

/** The draft's `connect()` as a value: @netparity/sockets' and `cloudflare:sockets`' have this shape. */
export type DraftConnect = (address: AnySocketAddress, options?: SocketOptions) => Socket;

/**
 * `rt` whose `connect` (and `startTls` as a client, over a TCP connection made with `startTls`
 * settings) goes through a draft `connect()`: `connectFor(ca)` is the one that trusts
 * `ca` (PEM; undefined: the implementation's default trust). An implementation that cannot trust
 * a CA per call (workerd trusts CAs in its config) throws ENOTSUP from `connectFor`.
 * @example const client = overDraftConnect(rt, () => connect); // connect from cloudflare:sockets
 */
export function overDraftConnect(rt: Runtime, connectFor: (ca: string | undefined) => DraftConnect): Runtime {
  const facadeConnect = async (options: ConnectOptions): Promise<Connection> => {
    // Narrowed by shape: an address with a path (unix), TLS settings (tls).
    if (!("hostname" in options))
      throw new NetError("ENOTSUP", "the WinterTC Sockets API has no Unix sockets", { operation: "connect" });
    const address = { hostname: options.hostname, port: options.port };
    const signal = options.signal ? { signal: options.signal } : {};
    let socket: Socket;
    if ("tls" in options) {
      const t = options.tls;
      if (t.verify === false || t.cert !== undefined)
        throw new NetError(
          "ENOTSUP",
          "the WinterTC Sockets API cannot skip verification or send a client certificate",
          {
            operation: "connect",
          },
        );
      socket = connectFor(t.ca)(address, {
        secureTransport: "on",
        allowHalfOpen: true,
        ...(t.servername ? { sni: t.servername } : {}),
        ...(t.alpn?.length ? { alpn: [...t.alpn] } : {}),
        ...signal,
      });
    } else if (options.startTls) {
      // The draft fixes TLS at connect: "starttls", its sni and the binding's CA, used by startTls().
      const t = options.startTls;
      if (t.verify === false || t.cert !== undefined)
        throw new NetError(
          "ENOTSUP",
          "the WinterTC Sockets API cannot skip verification or send a client certificate",
          { operation: "connect" },
        );
      socket = connectFor(t.ca)(address, {
        secureTransport: "starttls",
        allowHalfOpen: true,
        ...(t.servername ? { sni: t.servername } : {}),
        ...(t.alpn?.length ? { alpn: [...t.alpn] } : {}),
        ...signal,
      });
    } else {
      socket = connectFor(undefined)(address, { allowHalfOpen: true, ...signal });
    }
    let info: SocketInfo;
    try {
      info = await socket.opened;
    } catch (e) {
      throw toNetError(e, "connect");
    }
    return new SocketConnection(socket, info, transportOf(options.transport).secure);
  };
  // STARTTLS as a client on a connection this facade made (connected with `startTls` settings);
  // any other connection or role is the runtime's own.
  const startTls: Runtime["startTls"] = (conn, options) =>
    conn instanceof SocketConnection && options.role === "client" ? conn.upgrade() : rt.startTls(conn, options);
  return { ...rt, connect: facadeConnect, startTls };
}
