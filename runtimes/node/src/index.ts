/**
 * netparity Runtime adapter for Node.js, over node:net, node:tls and node:dgram.
 * https://nodejs.org/api/net.html  https://nodejs.org/api/tls.html  https://nodejs.org/api/dgram.html
 */
import { createHash } from "node:crypto";
import { createSocket } from "node:dgram";
import { lstat, mkdir, mkdtemp, open, readFile, rename, rm, rmdir, stat } from "node:fs/promises";
import { writeSync, type Stats } from "node:fs";
import { connect as netConnect, createServer, type Server, type Socket } from "node:net";
import { connect as tlsConnect, createServer as tlsCreateServer } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  NetError,
  toNetError,
  type Address,
  type ConnectOptions,
  type Connection,
  type DatagramOptions,
  type DatagramSocket,
  type Features,
  type FileKind,
  type FileSink,
  type FileSystem,
  type Host,
  type Listener,
  type ListenOptions,
  type Runtime,
  type TlsConnectOptions,
} from "@netparity/protocol";
import { NodeConnection } from "./connection.js";
import { NodeDatagramSocket } from "./datagram.js";
import { startTls } from "./starttls.js";
import { clientOptions, serverOptions, tlsNetError } from "./tls.js";

if (
  typeof (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node !== "string" ||
  "Bun" in globalThis ||
  "Deno" in globalThis
) {
  throw new Error("@netparity/runtime-node must be loaded in Node.js (this looks like Bun or Deno)");
}

const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);

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

function listen(options: ListenOptions): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const server =
      options.transport === "tls" ? tlsCreateServer(serverOptions(options.tls)) : createServer({ allowHalfOpen: true });
    const onError = (e: unknown): void => reject(toNetError(e, "listen"));
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

function connect(options: ConnectOptions): Promise<Connection> {
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
      reject(new NetError("ABORTED", "connect aborted", { cause: signal?.reason, operation: "connect" }));
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

function bindDatagram(options: DatagramOptions): Promise<DatagramSocket> {
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

function statKind(s: Stats): FileKind {
  if (s.isFile()) return "file";
  if (s.isDirectory()) return "directory";
  if (s.isSymbolicLink()) return "symlink";
  if (s.isSocket()) return "socket";
  if (s.isFIFO()) return "fifo";
  return "other";
}

const fs: FileSystem = {
  async create(path, opts): Promise<FileSink> {
    try {
      const handle = await open(path, opts?.exclusive ? "wx" : "w");
      return {
        async write(bytes) {
          let off = 0;
          while (off < bytes.byteLength) {
            const { bytesWritten } = await handle.write(bytes, off, bytes.byteLength - off);
            off += bytesWritten;
          }
        },
        close: () => handle.close(),
      };
    } catch (e) {
      throw toNetError(e, "open");
    }
  },
  rename: (from, to) => rename(from, to).catch((e) => Promise.reject(toNetError(e, "rename"))),
  remove: (path) =>
    rm(path, { force: true }).catch((e: { code?: string }) =>
      e.code === "EISDIR" || e.code === "ERR_FS_EISDIR" ? rmdir(path) : Promise.reject(toNetError(e, "remove")),
    ),
  exists: (path) =>
    stat(path).then(
      () => true,
      () => false,
    ),
  kind: (path) =>
    lstat(path).then(statKind, (e: { code?: string }) =>
      e.code === "ENOENT" ? null : Promise.reject(toNetError(e, "lstat")),
    ),
  mkdirp: async (path) => {
    await mkdir(path, { recursive: true });
  },
  tempDir: (prefix) => mkdtemp(join(tmpdir(), prefix)),
  readText: (path) => readFile(path, "utf8").catch((e) => Promise.reject(toNetError(e, "read"))),
};

const host: Host = {
  args: process.argv.slice(2),
  env: (name) => process.env[name],
  // writeSync keeps lines whole and ordered, and flushed before an exit().
  stdoutLine: (line) => writeAll(1, `${line}\n`),
  stderrLine: (line) => writeAll(2, `${line}\n`),
  onSignal: (signal, handler) => {
    process.on(signal, handler);
  },
  onStdinEnd: (handler) => {
    let ended = false;
    const end = (): void => {
      if (ended) return;
      ended = true;
      handler();
    };
    process.stdin.once("end", end);
    process.stdin.once("error", end);
    process.stdin.once("close", end);
    process.stdin.resume();
  },
  exit: (code) => process.exit(code),
  now: () => performance.now(),
  cpuUsage: () => process.cpuUsage(),
  rss: () => process.memoryUsage.rss(),
  pid: () => process.pid,
};

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let off = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as { code?: string }).code !== "EAGAIN") throw e;
    }
  }
}

const features: Features = {
  tcp: true,
  udp: true,
  unix: process.platform !== "win32",
  ipv6: true,
  halfClose: true,
  reusePort: major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12),
  broadcast: true,
  multicast: true,
  sourceSpecificMulticast: true,
  connectSignal: true,
  tls: true,
  startTlsClient: true,
  startTlsServer: true,
};

export const nodeRuntime = {
  runtime: "node",
  version: process.versions.node,
  features,
  listen,
  connect,
  bindDatagram,
  startTls,
  sha256: () => {
    const h = createHash("sha256");
    return {
      update: (bytes: Uint8Array) => void h.update(bytes),
      digestHex: () => h.digest("hex"),
    };
  },
  fs,
  host,
} as const satisfies Runtime;

export default nodeRuntime;
