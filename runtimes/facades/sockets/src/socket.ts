/**
 * The Socket of the WinterTC Sockets API draft (index.bs of WinterTC55/proposal-sockets-api),
 * over a netparity `Connection`. Section names in comments are the draft's anchors.
 */
import type { Connection, Runtime, TlsClientOptions } from "@netparity/protocol";
import { formatAddress } from "./address.js";
import { SocketError, toSocketError } from "./errors.js";
import type { Socket as SocketApi, SocketChunk, SocketInfo } from "./types.js";

/** Only `connect` makes sockets ("socket-class": no constructor is specified). */
const INTERNAL: unique symbol = Symbol("netparity socket");

export interface SocketInit {
  rt: Runtime;
  /** Opens the connection (a connect, or the TLS upgrade of startTls); aborted by close(). */
  open(signal: AbortSignal): Promise<Connection>;
  secureTransport: "off" | "on" | "starttls";
  /** What this socket is now: a TLS socket cannot be upgraded again. */
  tls: boolean;
  allowHalfOpen: boolean;
  hostname: string;
  /** The client TLS settings a startTls upgrade uses (binding CA, sni, alpn). */
  tlsOptions: TlsClientOptions;
  /**
   * The adapter hands out read buffers it reuses on the next read (`features.reusesReadBuffer`): the readable then
   * enqueues copies, since a reader may keep every chunk.
   */
  borrowedReads: boolean;
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

function toBytes(chunk: SocketChunk): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk;
  if (typeof chunk === "string") return encoder.encode(chunk);
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk);
  if (ArrayBuffer.isView(chunk)) return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new SocketError("the writable takes a BufferSource or a string");
}

export class Socket implements SocketApi {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<SocketChunk>;
  readonly opened: Promise<SocketInfo>;
  readonly closed: Promise<void>;

  readonly #init: SocketInit;
  readonly #connecting: Promise<Connection>;
  readonly #abort = new AbortController();
  #conn: Connection | null = null;
  /** pending: connecting; open; done: closed, failed or upgraded (the streams are settled). */
  #state: "pending" | "open" | "done" = "pending";
  #upgraded = false;
  #readPending = false;
  /** The write being handed to the connection, so an upgrade or a FIN waits for it. */
  #writing: Promise<void> = Promise.resolve();
  #rc!: ReadableStreamDefaultController<Uint8Array>;
  #wc!: WritableStreamDefaultController;
  #resolveOpened!: (info: SocketInfo) => void;
  #rejectOpened!: (e: unknown) => void;
  #resolveClosed!: () => void;
  #rejectClosed!: (e: unknown) => void;

  /** @internal Made by `connect` and `startTls` only. */
  constructor(token: typeof INTERNAL, init: SocketInit) {
    if (token !== INTERNAL) throw new TypeError("Socket has no constructor: use connect()");
    this.#init = init;
    // "connect-section" steps 2-3: both promises are new and marked as handled.
    this.opened = new Promise<SocketInfo>((resolve, reject) => {
      this.#resolveOpened = resolve;
      this.#rejectOpened = reject;
    });
    this.opened.catch(() => {});
    this.closed = new Promise<void>((resolve, reject) => {
      this.#resolveClosed = resolve;
      this.#rejectClosed = reject;
    });
    this.closed.catch(() => {});
    // "readable-attribute": a default (not byte) stream, as the draft's note says. A high
    // water mark of 0 reads the connection only while a reader waits: nothing is read ahead,
    // so a startTls() after the plaintext answer finds no read pending on the connection.
    this.readable = new ReadableStream<Uint8Array>(
      {
        start: (c) => {
          this.#rc = c;
        },
        pull: () => this.#pull(),
        // "closed-attribute": cancelling the readable does not close the socket.
        cancel: () => {},
      },
      { highWaterMark: 0 },
    );
    this.writable = new WritableStream<SocketChunk>({
      start: (c) => {
        this.#wc = c;
      },
      write: (chunk) => this.#write(chunk),
      // "closed-attribute": closing the writable half-closes (FIN) and does not close the socket.
      close: () => this.#closeWrite(),
      abort: () => this.#closeWrite().catch(() => {}),
    });
    // "connect-section" step 5: the connection is established asynchronously.
    this.#connecting = init.open(this.#abort.signal);
    this.#connecting.then(
      (conn) => this.#onOpen(conn),
      (e) => this.#fail(toSocketError(e, "connection failed")),
    );
    const signal = init.signal;
    if (signal) {
      if (signal.aborted) void this.close(signal.reason);
      else signal.addEventListener("abort", () => void this.close(signal.reason), { once: true });
    }
  }

  /** "upgraded-attribute". */
  get upgraded(): boolean {
    return this.#upgraded;
  }

  #onOpen(conn: Connection): void {
    if (this.#state !== "pending") {
      // close() won the race with the connect (an adapter that ignored the abort).
      if (!this.#upgraded) conn.close();
      return;
    }
    this.#conn = conn;
    this.#state = "open";
    // "connect-section" step 6, "socketinfo-dictionary".
    this.#resolveOpened({
      remoteAddress: formatAddress(conn.remoteAddress),
      localAddress: formatAddress(conn.localAddress),
      alpn: conn.tlsInfo?.()?.alpn ?? null,
    });
  }

  /**
   * "connect-section" step 7: the connection could not be established. "reject the socket's
   * closed and opened promises", in that order, as workerd does (the `wintertc.opened-closed-order`
   * probe): a handler of `closed` runs before one of `opened`.
   */
  #fail(error: SocketError): void {
    if (this.#state === "done") return;
    this.#state = "done";
    this.#rejectClosed(error);
    this.#rejectOpened(error);
    this.#settleStreams(error, error);
  }

  /** Ends both streams once: `readReason` undefined closes the readable, else errors it. */
  #settleStreams(readReason: unknown, writeReason: unknown): void {
    try {
      if (readReason === undefined) this.#rc.close();
      else this.#rc.error(readReason);
    } catch {
      // already closed by a FIN
    }
    try {
      this.#wc.error(writeReason);
    } catch {
      // already errored
    }
  }

  /** The open connection, after waiting for a pending one; null once the socket is done. */
  async #ready(): Promise<Connection | null> {
    if (this.#conn) return this.#state === "open" ? this.#conn : null;
    try {
      await this.#connecting;
    } catch {
      return null;
    }
    return this.#state === "open" ? this.#conn : null;
  }

  async #pull(): Promise<void> {
    const conn = await this.#ready();
    if (!conn) return;
    let chunk: Uint8Array | null;
    this.#readPending = true;
    try {
      chunk = await conn.read();
    } catch (e) {
      this.#readPending = false;
      if (this.#state !== "open") return;
      // A reset while reading: the connection is gone. "closed-attribute" resolves `closed`
      // on a FIN or RST (rejection is for a connection that could not be established).
      const error = toSocketError(e, "read failed");
      this.#state = "done";
      conn.close();
      this.#settleStreams(error, error);
      this.#resolveClosed();
      return;
    } finally {
      this.#readPending = false;
    }
    if (this.#state !== "open") return;
    if (chunk !== null) {
      this.#rc.enqueue(this.#init.borrowedReads ? chunk.slice() : chunk);
      return;
    }
    this.#rc.close();
    // "socketoptions-dictionary" allowHalfOpen false: a FIN closes the writable and the socket.
    if (!this.#init.allowHalfOpen) {
      this.#state = "done";
      await this.#writing.catch(() => {});
      conn.close();
      try {
        this.#wc.error(new SocketError("the peer closed the connection (allowHalfOpen is false)"));
      } catch {
        // already errored
      }
      this.#resolveClosed();
    }
  }

  async #write(chunk: SocketChunk): Promise<void> {
    const bytes = toBytes(chunk);
    const conn = await this.#ready();
    if (!conn) throw new SocketError("the socket is closed");
    const p = conn.write(bytes);
    this.#writing = p;
    try {
      await p;
    } catch (e) {
      throw toSocketError(e, "write failed");
    }
  }

  async #closeWrite(): Promise<void> {
    const conn = await this.#ready();
    if (!conn) return;
    try {
      await conn.closeWrite();
    } catch (e) {
      throw toSocketError(e, "half-close failed");
    }
  }

  /** "close-method". Returns the `closed` promise itself. */
  close(reason?: unknown): Promise<void> {
    if (this.#state === "done") return this.closed;
    const wasPending = this.#state === "pending";
    this.#state = "done";
    if (wasPending) {
      // "If the opened promise is still pending, it will be rejected with the reason."
      this.#rejectOpened(reason !== undefined ? reason : new SocketError("the socket was closed before it opened"));
      this.#abort.abort(reason);
    }
    this.#conn?.close();
    // The readable is cancelled (errored with the reason when there is one), the writable aborted.
    this.#settleStreams(reason, reason !== undefined ? reason : new SocketError("the socket is closed"));
    this.#resolveClosed();
    return this.closed;
  }

  /** "starttls-method". */
  startTls(): Socket {
    if (this.#init.tls) throw new SocketError("startTls() called on a TLS socket");
    if (this.#init.secureTransport !== "starttls")
      throw new SocketError(
        `startTls() needs secureTransport "starttls" (this socket has "${this.#init.secureTransport}")`,
      );
    if (this.#upgraded) throw new SocketError("startTls() was already called on this socket");
    if (this.#state === "done") throw new SocketError("startTls() on a closed socket");
    this.#upgraded = true;
    const connecting = this.#connecting;
    const writing = (): Promise<void> => this.#writing.catch(() => {});
    const readPending = (): boolean => this.#readPending;
    // "the original socket is closed, though the original connection is kept alive".
    this.#state = "done";
    this.#settleStreams(undefined, new SocketError("the socket was upgraded by startTls(): use the new socket"));
    this.#resolveClosed();
    const { rt, hostname, tlsOptions } = this.#init;
    return new Socket(INTERNAL, {
      ...this.#init,
      tls: true,
      open: async () => {
        const conn = await connecting;
        await writing();
        if (readPending()) {
          conn.close();
          throw new SocketError("startTls() while a read was pending on the plaintext socket");
        }
        return rt.startTls(conn, { role: "client", tls: tlsOptions, hostname });
      },
    });
  }
}

export function newSocket(init: SocketInit): Socket {
  return new Socket(INTERNAL, init);
}
