// Listeners and clients (TCP, Unix and TLS) over node:net and node:tls:
// https://nodejs.org/api/net.html  https://nodejs.org/api/tls.html
import { existsSync } from "node:fs";
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { connect as tlsConnect, createServer as tlsCreateServer } from "node:tls";
import {
  abortError,
  NetError,
  toNetError,
  type Address,
  type ConnectOptions,
  type Connection,
  type Listener,
  type ListenOptions,
  type TlsConnectOptions,
  type TlsListenOptions,
} from "@netparity/protocol";
import { NodeConnection } from "./connection.js";
import { clientOptions, credentialsError, serverOptions, tlsNetError } from "./tls.js";

class NodeListener implements Listener {
  readonly address: Address;
  readonly #server: Server;
  readonly #unixPath: string | undefined;
  #queue: Connection[] = [];
  #waiter: ((c: Connection | null) => void) | null = null;
  #closed = false;

  constructor(server: Server, unixPath: string | undefined, secure: boolean) {
    this.#server = server;
    this.#unixPath = unixPath;
    const a = server.address();
    this.address =
      unixPath !== undefined || typeof a === "string" || a === null
        ? { transport: "unix", path: unixPath ?? String(a) }
        : { transport: "tcp", hostname: a.address, port: a.port };
    // A TLS server's "connection" is the raw TCP socket; only a completed handshake is a connection.
    // A failed one ("tlsClientError") is dropped by Node with its socket and never reaches accept().
    server.on(secure ? "secureConnection" : "connection", (socket: Socket) => {
      const conn = new NodeConnection(socket, this.#unixPath);
      if (this.#waiter) {
        const w = this.#waiter;
        this.#waiter = null;
        w(conn);
      } else this.#queue.push(conn);
    });
    server.on("close", () => this.#finish());
  }

  #finish(): void {
    this.#closed = true;
    this.#waiter?.(null);
    this.#waiter = null;
  }

  accept(): Promise<Connection | null> {
    const next = this.#queue.shift();
    if (next) return Promise.resolve(next);
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#finish();
    // server.close() stops listening at once; its callback waits for accepted connections,
    // which are not ours to wait for.
    this.#server.close();
    return Promise.resolve();
  }
}

/**
 * libuv turns a bind(2) ENOENT on a Unix socket path into EACCES "for compatibility with
 * Windows" (uv_pipe_bind in libuv's src/unix/pipe.c), so a path in a missing directory reads
 * as a permission problem. Bun and Deno say ENOENT; so does this adapter when the directory
 * is indeed missing (a real EACCES, e.g. a read-only directory, stays EACCES).
 */
function listenError(e: unknown, options: ListenOptions): NetError {
  const error = toNetError(e, "listen");
  if (options.transport === "unix" && error.code === "EACCES" && !existsSync(dirname(options.path)))
    return new NetError("ENOENT", `${error.message} (no directory ${dirname(options.path)})`, {
      cause: e,
      operation: "listen",
    });
  return error;
}

function createTlsServer(options: TlsListenOptions): Server {
  try {
    return tlsCreateServer(serverOptions(options.tls));
  } catch (e) {
    throw credentialsError(e, "listen");
  }
}

export function listen(options: ListenOptions): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server = options.transport === "tls" ? createTlsServer(options) : createServer({ allowHalfOpen: true });
    const onError = (e: unknown): void => reject(listenError(e, options));
    server.once("error", onError);
    // A handshake that failed or hit handshakeTimeout is reported as tlsClientError, and on a
    // timeout Node only reports: without a listener that destroys the socket, the connection
    // stays open (fastify/fastify#3251, nodejs/node-v0.x-archive#4383).
    if (options.transport === "tls") server.on("tlsClientError", (_e: Error, socket: Socket) => socket.destroy());
    server.once("listening", () => {
      server.off("error", onError);
      // Later server errors (EMFILE on accept...) must not crash the process.
      server.on("error", () => {});
      resolve(
        new NodeListener(server, options.transport === "unix" ? options.path : undefined, options.transport === "tls"),
      );
    });
    if (options.transport === "unix") server.listen({ path: options.path });
    else {
      // `reusePort` arrived in Node 22.12 / 23.1; older versions ignore the option.
      // No hostname: left out, so Node picks its own default (:: when IPv6 is there, else 0.0.0.0).
      server.listen({
        ...(options.hostname !== undefined ? { host: options.hostname } : {}),
        port: options.port,
        ...(options.reusePort ? { reusePort: true } : {}),
      });
    }
  });
}

export function connect(options: ConnectOptions): Promise<Connection> {
  // One check for every transport: an already aborted signal never starts an attempt.
  const aborted = options.signal?.aborted ? options.signal : undefined;
  if (aborted)
    return Promise.reject(
      new NetError("ABORTED", "connect aborted before it started", { cause: aborted.reason, operation: "connect" }),
    );
  if (options.transport === "tls") return connectTls(options);
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    const socket =
      options.transport === "unix"
        ? netConnect({ path: options.path, allowHalfOpen: true, ...(signal ? { signal } : {}) })
        : netConnect({
            host: options.hostname,
            port: options.port,
            allowHalfOpen: true,
            ...(signal ? { signal } : {}),
          });
    const onError = (e: unknown): void => {
      socket.off("connect", onConnect);
      socket.destroy();
      reject(toNetError(e, "connect"));
    };
    const onConnect = (): void => {
      socket.off("error", onError);
      resolve(new NodeConnection(socket, options.transport === "unix" ? options.path : undefined));
    };
    socket.once("error", onError);
    socket.once("connect", onConnect);
  });
}

/** Resolves on "secureConnect", which Node emits only after the certificate was verified. */
function connectTls(options: TlsConnectOptions): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    const socket = tlsConnect(clientOptions(options.hostname, options.port, options.tls));
    const settle = (): void => {
      socket.off("error", onError);
      socket.off("secureConnect", onSecure);
      signal?.removeEventListener("abort", onAbort);
    };
    const onError = (e: unknown): void => {
      settle();
      socket.destroy();
      reject(tlsNetError(e, "connect"));
    };
    const onAbort = (): void => {
      settle();
      socket.destroy();
      // Registered only with a signal.
      reject(abortError(signal as AbortSignal));
    };
    const onSecure = (): void => {
      settle();
      resolve(new NodeConnection(socket));
    };
    socket.once("error", onError);
    socket.once("secureConnect", onSecure);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
