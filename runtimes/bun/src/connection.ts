// A pull-based Connection over one of Bun's callback sockets (https://bun.sh/docs/api/tcp).
//
// Bun takes one handler set per listener or connect call, not per-socket listeners; the
// socket's `data` slot points at its BunConnection, so the handler functions are shared.
import type { PeerCertificate } from "node:tls";
import type { Socket, SocketHandler } from "bun";
import { Fifo, NetError, toNetError, type Address, type Connection, type TlsInfo } from "@netparity/protocol";

/** Unread bytes above which the socket stops reading from the kernel (backpressure). */
const READ_HIGH_WATER = 1024 * 1024;
/** Reading resumes once the caller has taken the backlog down to this. */
const READ_LOW_WATER = 256 * 1024;

export const DONE: Promise<void> = Promise.resolve();

export type BunSocket = Socket<BunConnection | undefined>;

interface PendingWrite {
  readonly bytes: Uint8Array;
  offset: number;
  readonly resolve: () => void;
  readonly reject: (e: NetError) => void;
}

interface Waiter<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (e: NetError) => void;
}

export class BunConnection implements Connection {
  #socket: BunSocket | undefined;
  #transport: "tcp" | "unix";
  #local: Address;
  #remote: Address;

  #chunks = new Fifo<Uint8Array>();
  #unread = 0;
  #paused = false;
  #reader: Waiter<Uint8Array | null> | undefined;
  /** Peer sent FIN, or the socket is gone: reads end once the backlog is returned. */
  #eof = false;
  #error: NetError | undefined;

  #writes = new Fifo<PendingWrite>();
  #writeClosed = false;
  #closeWrite: Promise<void> | undefined;
  /** closeWrite() waiting for the pending writes to flush before it sends FIN. */
  #shutdown: Waiter<void> | undefined;

  /** TLS: what the handshake agreed, read while the socket is open (Bun forgets it on close). */
  #tls: TlsInfo | null = null;
  /** TLS: the creator waiting for Bun's `handshake` event. */
  #handshake: Waiter<TlsVerdict> | undefined;
  #handshakeResult: Promise<TlsVerdict> | undefined;

  /** close() was called (or an abort): the socket is ours to end, its errors are not news. */
  #closedByUs = false;
  #isClosed = false;
  #resolveClosed!: () => void;
  readonly closed: Promise<void> = new Promise((resolve) => (this.#resolveClosed = resolve));

  constructor(local: Address, remote: Address) {
    this.#transport = local.transport === "unix" ? "unix" : "tcp";
    this.#local = local;
    this.#remote = remote;
  }

  get localAddress(): Address {
    return this.#local;
  }
  get remoteAddress(): Address {
    return this.#remote;
  }

  read(): Promise<Uint8Array | null> {
    if (this.#reader)
      return Promise.reject(new NetError("EINVAL", "only one read() may be pending", { operation: "read" }));
    const chunk = this.#chunks.shift();
    if (chunk) {
      this.#unread -= chunk.byteLength;
      if (this.#paused && this.#unread <= READ_LOW_WATER && !this.#isClosed) {
        this.#paused = false;
        this.#socket?.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#eof) return Promise.resolve(null);
    return new Promise((resolve, reject) => (this.#reader = { resolve, reject }));
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#isClosed || this.#closedByUs || this.#writeClosed || !this.#socket) {
      const closed = this.#isClosed || this.#closedByUs;
      return Promise.reject(
        new NetError(closed ? "CLOSED" : "EPIPE", closed ? "write after close" : "write after closeWrite", {
          operation: "write",
        }),
      );
    }
    if (this.#writes.length === 0) {
      // Bun's write is unbuffered: it returns how much the kernel took, and the rest is ours
      // to keep until `drain` (https://bun.sh/docs/api/tcp#buffering).
      const n = this.#socket.write(bytes);
      if (n === bytes.byteLength) return DONE;
      if (n < 0) return Promise.reject(this.#writeFailure());
      return new Promise((resolve, reject) => this.#writes.push({ bytes, offset: n, resolve, reject }));
    }
    return new Promise((resolve, reject) => this.#writes.push({ bytes, offset: 0, resolve, reject }));
  }

  closeWrite(): Promise<void> {
    this.#closeWrite ??= this.#startCloseWrite();
    return this.#closeWrite;
  }

  #startCloseWrite(): Promise<void> {
    this.#writeClosed = true;
    if (this.#isClosed || !this.#socket) return this.#error ? Promise.reject(this.#error) : DONE;
    if (this.#writes.length === 0) {
      // shutdown() with no argument is shutdown(fd, SHUT_WR); end() would close(2) the fd and
      // drop whatever the peer still sends (https://github.com/oven-sh/bun/pull/35932).
      this.#socket.shutdown();
      return DONE;
    }
    return new Promise((resolve, reject) => (this.#shutdown = { resolve, reject }));
  }

  close(): void {
    if (this.#closedByUs || this.#isClosed) return;
    this.#closedByUs = true;
    this.#teardown(undefined, new NetError("CLOSED", "connection closed", { operation: "write" }));
    // end() is write-flush-close(2): the fd is released at once and `close` fires synchronously.
    this.#socket?.end();
  }

  tlsInfo(): TlsInfo | null {
    return this.#tls;
  }

  /**
   * TLS: resolves with Bun's verdict once the handshake finished, for the creator to accept
   * or refuse; rejects (TLS_HANDSHAKE, or the abort) if the socket closes first. Bun fires
   * `open` before the handshake as soon as a `handshake` handler is set, and Bun.connect
   * resolves at `open`, so this is the only point at which the session is known to be up.
   * Call it before the socket opens: a verdict that arrives with no one waiting is lost.
   */
  handshake(): Promise<TlsVerdict> {
    this.#handshakeResult ??= new Promise<TlsVerdict>((resolve, reject) => {
      if (this.#isClosed) reject(this.#handshakeFailure(undefined));
      else this.#handshake = { resolve, reject };
    });
    return this.#handshakeResult;
  }

  /**
   * For startTls: detaches the socket, which this connection no longer reads or writes, and
   * ends this connection. Bun's upgradeTLS reads only what arrives afterwards, so bytes this
   * connection received but did not hand out would be lost: then, as with a read pending or a
   * write not yet flushed, it closes instead and throws PROTOCOL.
   */
  release(): BunSocket {
    const socket = this.#socket;
    if (this.#isClosed || this.#closedByUs || this.#error || !socket)
      throw this.#error ?? new NetError("CLOSED", "startTls on a closed connection", { operation: "startTls" });
    if (this.#transport !== "tcp" || this.#tls)
      throw new NetError("EINVAL", "startTls takes a plaintext TCP connection", { operation: "startTls" });
    if (this.#reader) throw new NetError("PROTOCOL", "startTls while a read is pending", { operation: "startTls" });
    const unread = this.#unread;
    if (unread > 0 || this.#writes.length > 0 || this.#writeClosed) {
      this.close();
      throw new NetError(
        "PROTOCOL",
        unread > 0
          ? `startTls with ${unread} received bytes not read: Bun's upgradeTLS cannot take them`
          : "startTls with a write pending or after closeWrite",
        { operation: "startTls" },
      );
    }
    socket.data = undefined;
    this.#socket = undefined;
    this.#closedByUs = true;
    this.#eof = true;
    this.#isClosed = true;
    this.#resolveClosed();
    return socket;
  }

  setNoDelay(on: boolean): void {
    if (this.#transport === "tcp") this.#socket?.setNoDelay(on);
  }

  setKeepAlive(on: boolean, initialDelayMs?: number): void {
    // Bun reports failure as `false` rather than throwing (https://bun.sh/docs/api/tcp).
    if (this.#transport === "tcp" && this.#socket?.setKeepAlive(on, initialDelayMs ?? 0) === false) {
      throw new NetError("EINVAL", "setKeepAlive was refused by the socket", { operation: "setKeepAlive" });
    }
  }

  /** Closes the connection with `error` as the reason pending and later reads reject with. */
  destroy(error: NetError): void {
    if (this.#isClosed) return;
    this.#error ??= error;
    this.#closedByUs = true;
    this.#teardown(error, error);
    if (this.#socket) {
      this.#socket.end();
    } else {
      // Not open yet: `close` will never fire for us, the socket is closed on arrival.
      this.#isClosed = true;
      this.#resolveClosed();
    }
  }

  #writeFailure(): NetError {
    return (
      this.#error ??
      new NetError(this.#isClosed ? "CLOSED" : "EPIPE", "the socket no longer accepts writes", { operation: "write" })
    );
  }

  /** Ends reads (with `readError`, or null) and fails pending writes; idempotent. */
  #teardown(readError: NetError | undefined, writeError: NetError): void {
    this.#eof = true;
    if (this.#closedByUs) {
      // "pending reads resolve to null": what was not read yet is dropped with the socket.
      this.#chunks.drain();
      this.#unread = 0;
    }
    const reader = this.#reader;
    if (reader && this.#chunks.length === 0) {
      this.#reader = undefined;
      if (readError) reader.reject(readError);
      else reader.resolve(null);
    }
    for (const w of this.#writes.drain()) w.reject(writeError);
    const shutdown = this.#shutdown;
    this.#shutdown = undefined;
    shutdown?.reject(writeError);
  }

  #attach(socket: BunSocket): void {
    this.#socket = socket;
    if (this.#closedByUs) {
      // Aborted while Bun was still connecting: the socket arrives after we gave up on it.
      socket.end();
      return;
    }
    // Unix sockets have no address in Bun (remoteAddress is undefined): the constructor's
    // paths stand. TCP addresses are only known once connected.
    if (this.#transport === "tcp") {
      this.#local = tcpAddress(socket.localAddress, socket.localPort);
      this.#remote = tcpAddress(socket.remoteAddress, socket.remotePort);
    }
  }

  #onData(chunk: Uint8Array): void {
    if (this.#closedByUs || chunk.byteLength === 0) return;
    // Each callback gets a fresh ArrayBuffer (checked on Bun 1.4: 200 chunks, 200 distinct
    // buffers, none changed after the callback returned), so chunks are queued without a copy.
    const reader = this.#reader;
    if (reader) {
      this.#reader = undefined;
      reader.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#unread += chunk.byteLength;
    if (!this.#paused && this.#unread > READ_HIGH_WATER) {
      this.#paused = true;
      this.#socket?.pause();
    }
  }

  #onDrain(): void {
    const socket = this.#socket;
    if (!socket || this.#isClosed) return;
    for (let w = this.#writes.peek(); w; w = this.#writes.peek()) {
      const n = socket.write(w.offset === 0 ? w.bytes : w.bytes.subarray(w.offset));
      if (n < 0) {
        const e = this.#writeFailure();
        for (const p of this.#writes.drain()) p.reject(e);
        this.#shutdown?.reject(e);
        this.#shutdown = undefined;
        return;
      }
      w.offset += n;
      if (w.offset < w.bytes.byteLength) return;
      this.#writes.shift();
      w.resolve();
    }
    const shutdown = this.#shutdown;
    if (shutdown) {
      this.#shutdown = undefined;
      socket.shutdown();
      shutdown.resolve();
    }
  }

  #onEnd(): void {
    // Bun can dispatch `end` more than once for one FIN when a write is still partial
    // (https://github.com/oven-sh/bun/pull/35939); the first one is the FIN.
    if (this.#eof) return;
    this.#eof = true;
    const reader = this.#reader;
    if (reader && this.#chunks.length === 0) {
      this.#reader = undefined;
      reader.resolve(null);
    }
  }

  #onHandshake(socket: BunSocket, success: boolean, error: Error | null): void {
    const waiter = this.#handshake;
    this.#handshake = undefined;
    if (success) this.#tls = readTlsInfo(socket);
    waiter?.resolve({
      success,
      error,
      peerCertificate: socket.getPeerX509Certificate() !== undefined,
      peer: success ? ((socket.getPeerCertificate() as PeerCertificate | null | undefined) ?? null) : null,
    });
  }

  #handshakeFailure(error: Error | undefined): NetError {
    return (
      this.#error ??
      new NetError("TLS_HANDSHAKE", error?.message ?? "the connection closed during the TLS handshake", {
        cause: error,
        operation: "handshake",
      })
    );
  }

  #onClose(error: Error | undefined): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const handshake = this.#handshake;
    this.#handshake = undefined;
    handshake?.reject(this.#handshakeFailure(error));
    // After our own shutdown() Bun reports the peer's FIN as `close` only, never `end`
    // (https://github.com/oven-sh/bun/pull/35947), so a clean close is an EOF too.
    if (error && !this.#closedByUs) this.#error ??= toNetError(error, "read", "ECONNRESET");
    this.#teardown(this.#error, this.#writeFailure());
    this.#resolveClosed();
  }

  #onError(error: Error): void {
    if (!this.#closedByUs) this.#error ??= toNetError(error, "read");
  }

  /** Handlers shared by every socket; `socket.data` is the connection they act on. */
  static readonly handlers = {
    binaryType: "uint8array",
    data(s: BunSocket, chunk: Uint8Array): void {
      const c = s.data;
      if (c) c.#onData(chunk);
    },
    drain(s: BunSocket): void {
      const c = s.data;
      if (c) c.#onDrain();
    },
    end(s: BunSocket): void {
      const c = s.data;
      if (c) c.#onEnd();
    },
    close(s: BunSocket, error?: Error): void {
      const c = s.data;
      if (c) c.#onClose(error);
    },
    error(s: BunSocket, error: Error): void {
      const c = s.data;
      if (c) c.#onError(error);
    },
  } satisfies SocketHandler<BunConnection | undefined>;

  /** The same, plus `handshake` for TLS sockets. */
  static readonly tlsHandlers = {
    ...BunConnection.handlers,
    handshake(s: BunSocket, success: boolean, error: Error | null): void {
      const c = s.data;
      if (c) c.#onHandshake(s, success, error);
    },
  } satisfies SocketHandler<BunConnection | undefined>;

  /** Binds `conn` to the socket Bun opened for it. */
  static attach(conn: BunConnection, s: BunSocket): void {
    conn.#attach(s);
  }
}

/** What Bun said about a finished TLS handshake. */
export interface TlsVerdict {
  /**
   * Whether the handshake completed. Before Bun 1.4 it is true even when verification failed
   * under rejectUnauthorized (oven-sh/bun#33846): clientVerdict() in tls.ts takes the
   * client's verdict from `error` and the certificate's names instead.
   */
  readonly success: boolean;
  /** Why the peer's certificate did not verify; null when it did (or nothing was verified). */
  readonly error: Error | null;
  /** The peer presented a certificate. */
  readonly peerCertificate: boolean;
  /** The peer's certificate (node:tls's shape), for the client's name check; null when the handshake failed. */
  readonly peer: PeerCertificate | null;
  /**
   * Set by clientVerdict() when Bun completed a handshake that verification refuses: the
   * upstream issue of the Bun bug, carried into the NetError so the refusal shows as the adapter's.
   */
  readonly runtimeAccepted?: string;
}

function readTlsInfo(socket: BunSocket): TlsInfo {
  const cipher = socket.getCipher();
  const peer = socket.getPeerCertificate() as Partial<PeerCertificate> | null | undefined;
  const cn = peer?.subject?.CN;
  return {
    protocol: socket.getTLSVersion() || null,
    cipher: cipher?.standardName || cipher?.name || null,
    // Bun says false when the handshake agreed on no protocol (null before the handshake).
    alpn: socket.alpnProtocol || null,
    peerSubject: (Array.isArray(cn) ? cn[0] : cn) ?? null,
    peerSan: peer?.subjectaltname ? peer.subjectaltname.split(", ") : null,
  };
}

export function tcpAddress(hostname: string, port: number): Address {
  return { transport: "tcp", hostname, port };
}
