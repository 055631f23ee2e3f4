import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { Fifo, NetError, toNetError, type Address, type Connection, type TlsInfo } from "@netparity/protocol";
import { tlsInfoOf } from "./tls.js";

/** Pause the socket once this many bytes were received but not yet read. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

type Waiter = { resolve: (v: Uint8Array | null) => void; reject: (e: unknown) => void };

export function nodeAddress(socket: Socket, which: "local" | "remote", unixPath?: string): Address {
  if (unixPath !== undefined) return { transport: "unix", path: unixPath };
  const hostname = which === "local" ? socket.localAddress : socket.remoteAddress;
  const port = which === "local" ? socket.localPort : socket.remotePort;
  return { transport: "tcp", hostname: hostname ?? "", port: port ?? 0 };
}

/**
 * A pull-based view of a net.Socket (or a tls.TLSSocket, whose end() sends close_notify then FIN). Chunks are queued as Node delivers them (no copies);
 * the socket is paused above HIGH_WATER unread bytes so a slow reader exerts real TCP
 * backpressure instead of growing this queue.
 */
export class NodeConnection implements Connection {
  readonly #socket: Socket;
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  readonly closed: Promise<void>;
  readonly #queue = new Fifo<Uint8Array>();
  #buffered = 0;
  #paused = false;
  #ended = false;
  #error: NetError | null = null;
  #waiter: Waiter | null = null;
  #destroyed = false;

  constructor(socket: Socket, unixPath?: string) {
    this.#socket = socket;
    this.localAddress = nodeAddress(socket, "local", unixPath);
    this.remoteAddress = nodeAddress(socket, "remote", unixPath);
    this.closed = new Promise((resolve) => socket.once("close", () => resolve()));
    socket.on("data", this.#onData);
    socket.on("end", this.#onEnd);
    socket.on("error", this.#onError);
    socket.on("close", this.#onEnd);
  }

  readonly #onData = (chunk: Buffer): void => {
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w.resolve(chunk);
      return;
    }
    this.#queue.push(chunk);
    this.#buffered += chunk.byteLength;
    if (!this.#paused && this.#buffered > HIGH_WATER) {
      this.#paused = true;
      this.#socket.pause();
    }
  };

  readonly #onEnd = (): void => {
    this.#ended = true;
    this.#wake();
  };

  readonly #onError = (e: unknown): void => {
    this.#error ??= toNetError(e, "socket");
    this.#wake();
  };

  /**
   * For startTls: hands the socket over, paused, with the bytes received but not read put back
   * in its readable buffer (a TLSSocket feeds those to its handshake first). This connection
   * reads nothing any more. Throws PROTOCOL while a read is pending.
   */
  release(): Socket {
    if (this.#waiter) throw new NetError("PROTOCOL", "startTls while a read is pending", { operation: "startTls" });
    if (this.#destroyed || this.#error || this.#socket.destroyed)
      throw this.#error ?? new NetError("CLOSED", "startTls on a closed connection", { operation: "startTls" });
    const socket = this.#socket;
    socket.pause();
    socket.off("data", this.#onData);
    socket.off("end", this.#onEnd);
    socket.off("error", this.#onError);
    socket.off("close", this.#onEnd);
    const unread = this.#queue.drain();
    for (let i = unread.length - 1; i >= 0; i--) socket.unshift(unread[i] as Buffer);
    this.#buffered = 0;
    this.#destroyed = true;
    return socket;
  }

  #wake(): void {
    const w = this.#waiter;
    if (!w) return;
    this.#waiter = null;
    if (this.#error) w.reject(this.#error);
    else w.resolve(null);
  }

  read(): Promise<Uint8Array | null> {
    if (this.#waiter) return Promise.reject(new NetError("PROTOCOL", "only one read may be pending"));
    const chunk = this.#queue.shift();
    if (chunk !== undefined) {
      this.#buffered -= chunk.byteLength;
      if (this.#paused && this.#buffered < LOW_WATER) {
        this.#paused = false;
        this.#socket.resume();
      }
      return Promise.resolve(chunk);
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended || this.#destroyed) return Promise.resolve(null);
    if (this.#paused) {
      this.#paused = false;
      this.#socket.resume();
    }
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.#socket;
    if (this.#error) return Promise.reject(this.#error);
    if (this.#destroyed || socket.destroyed || socket.writableEnded) {
      return Promise.reject(new NetError("CLOSED", "write on a closed connection", { operation: "write" }));
    }
    // Resolve at once while Node's buffer is below its high-water mark; otherwise wait for
    // 'drain' (backpressure) or the error/close that makes it impossible.
    if (socket.write(bytes)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        socket.off("drain", onDrain);
        socket.off("close", onClose);
        socket.off("error", onError);
      };
      const onDrain = (): void => {
        cleanup();
        resolve();
      };
      const onError = (e: unknown): void => {
        cleanup();
        reject(toNetError(e, "write"));
      };
      const onClose = (): void => {
        cleanup();
        reject(
          this.#error ?? new NetError("CLOSED", "connection closed before the write completed", { operation: "write" }),
        );
      };
      socket.on("drain", onDrain);
      socket.on("error", onError);
      socket.on("close", onClose);
    });
  }

  closeWrite(): Promise<void> {
    const socket = this.#socket;
    if (socket.writableFinished) return Promise.resolve();
    if (this.#destroyed || socket.destroyed) {
      return Promise.reject(
        this.#error ?? new NetError("CLOSED", "closeWrite on a closed connection", { operation: "closeWrite" }),
      );
    }
    return new Promise((resolve, reject) => {
      const onError = (e: unknown): void => {
        socket.off("finish", onFinish);
        reject(toNetError(e, "closeWrite"));
      };
      const onFinish = (): void => {
        socket.off("error", onError);
        resolve();
      };
      socket.once("finish", onFinish);
      socket.once("error", onError);
      socket.end();
    });
  }

  close(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#socket.destroy();
    this.#wake();
  }

  setNoDelay(on: boolean): void {
    if (this.localAddress.transport === "tcp") this.#socket.setNoDelay(on);
  }

  setKeepAlive(on: boolean, initialDelayMs?: number): void {
    if (this.localAddress.transport === "tcp") this.#socket.setKeepAlive(on, initialDelayMs ?? 0);
  }

  tlsInfo(): TlsInfo | null {
    return this.#socket instanceof TLSSocket ? tlsInfoOf(this.#socket) : null;
  }
}
