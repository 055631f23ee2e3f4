import {
  FrameReader,
  NetError,
  isNetError,
  type Connection,
  type FileKind,
  type FrameOptions,
  type FramePiece,
  type Listener,
  type Runtime,
  type TlsServerOptions,
} from "@netparity/protocol";
import { isSecure } from "../common/transports.js";
import type { Logger, RoleOptions, RunningServer, ScenarioOption } from "./types.js";

/** A connection is closed after this long without progress (`--idle-timeout`, 0: never). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
/** Connections served at once (`--max-connections`); more are closed as soon as accepted. */
export const DEFAULT_MAX_CONNECTIONS = 1024;

/** The limits every stream server understands, declared once and listed by each scenario. */
export const SERVER_LIMIT_OPTIONS: readonly ScenarioOption[] = [
  {
    flag: "--idle-timeout <ms>",
    key: "idleTimeout",
    type: "int",
    roles: ["server"],
    description: `stream servers: close a connection that completes no frame (echo, http-get: sends nothing) or does not take a write for this long; 0: never (default ${DEFAULT_IDLE_TIMEOUT_MS})`,
  },
  {
    flag: "--max-connections <n>",
    key: "maxConnections",
    type: "int",
    roles: ["server"],
    description: `stream servers: connections served at once; more are closed at once with a log line (default ${DEFAULT_MAX_CONNECTIONS}; 0: the default)`,
  },
];

export interface ServerLimits {
  idleTimeoutMs: number;
  maxConnections: number;
}

export function serverLimits(options: RoleOptions): ServerLimits {
  const idle = options.extra.idleTimeout;
  const max = options.extra.maxConnections;
  return {
    idleTimeoutMs: typeof idle === "number" && idle >= 0 ? idle : DEFAULT_IDLE_TIMEOUT_MS,
    maxConnections: typeof max === "number" && max > 0 ? max : DEFAULT_MAX_CONNECTIONS,
  };
}

/** What a connection handler gets besides the connection. */
export interface ServeContext {
  /**
   * A frame reader under the idle deadline: from the moment the handler asks for a frame,
   * the whole frame must arrive within the idle timeout, so a client that trickles a header
   * or a body one byte at a time (slowloris) is cut off like an idle one. A cut-off read
   * rejects with ETIMEDOUT. `readPiece()` takes a frame in pieces without copying it
   * (`FrameReader.readPiece`); the deadline still runs per whole frame.
   */
  frames(options?: FrameOptions): { read(): Promise<Uint8Array | null>; readPiece(): Promise<FramePiece | null> };
  /**
   * STARTTLS as the server: upgrades the accepted connection itself (not the guarded view the
   * handler holds, which the runtime would not recognise) with `rt.startTls`, and returns the TLS
   * connection under the same idle deadline; it is closed with the handler's end or the server's
   * stop, as the plaintext one was.
   */
  startTls?(tls: TlsServerOptions): Promise<Connection>;
}

/**
 * Listens for the transport in `options` (tcp, unix or tls), handling a stale Unix socket file
 * left by a crashed server: if nobody answers on it, it is removed and the bind retried;
 * if a live server answers, EADDRINUSE stands. Only a socket is ever removed: a file, a
 * directory, a symbolic link (whatever it points to) or anything else at the path is refused
 * with EEXIST, untouched, before the runtime is asked to bind.
 */
export async function listenStream(rt: Runtime, options: RoleOptions): Promise<Listener> {
  if (options.transport === "unix") {
    const path = options.path;
    if (!path) throw new NetError("EINVAL", "--path is required for --transport unix");
    if (!rt.features.unix) throw new NetError("ENOTSUP", `${rt.runtime} ${rt.version} does not support Unix sockets`);
    await refuseNonSocket(rt, path);
    try {
      return await rt.listen({ transport: "unix", path });
    } catch (e) {
      if (!isNetError(e, "EADDRINUSE")) throw e;
      // Looked at again: something may have appeared at the path since the first look.
      const kind = await rt.fs.kind(path);
      if (kind === null) throw e;
      if (kind !== "socket") throw notASocket(path, kind, e);
      if (await isLive(rt, path))
        throw new NetError("EADDRINUSE", `unix socket ${path} is in use by a running server`, { cause: e });
      if ((await rt.fs.kind(path)) !== "socket") throw e;
      await rt.fs.remove(path);
      return await rt.listen({ transport: "unix", path });
    }
  }
  if (isSecure(options.transport)) {
    const { cert, key, alpn } = options.tls ?? {};
    if (!rt.features.tls) throw new NetError("ENOTSUP", `${rt.runtime} ${rt.version} does not support TLS`);
    if (!cert || !key) throw new NetError("EINVAL", "a certificate and a key are required for --transport tls");
    // The idle deadline starts once accept() yields a handshaken connection; before that the
    // listener's handshake deadline holds, and it is the same one (0: none, as for idle).
    const handshakeTimeoutMs = serverLimits(options).idleTimeoutMs;
    return rt.listen({
      transport: "tls",
      hostname: options.host,
      port: options.port,
      tls: { cert, key, handshakeTimeoutMs, ...(alpn?.length ? { alpn } : {}) },
    });
  }
  // reusePort is set by the bench's scaling workload (several server processes on one port).
  return rt.listen({
    transport: "tcp",
    hostname: options.host,
    port: options.port,
    ...(options.extra.reusePort === true ? { reusePort: true } : {}),
  });
}

/** Connects to the server in `options` over its stream transport (tcp, unix or tls). */
export function connectStream(rt: Runtime, options: RoleOptions): Promise<Connection> {
  if (options.transport === "unix") return rt.connect({ transport: "unix", path: options.path ?? "" });
  if (isSecure(options.transport)) {
    if (!rt.features.tls)
      return Promise.reject(new NetError("ENOTSUP", `${rt.runtime} ${rt.version} does not support TLS`));
    const { ca, servername, alpn } = options.tls ?? {};
    return rt.connect({
      transport: "tls",
      hostname: options.host,
      port: options.port,
      tls: {
        ...(ca !== undefined ? { ca } : {}),
        ...(servername ? { servername } : {}),
        ...(alpn?.length ? { alpn } : {}),
      },
    });
  }
  return rt.connect({ transport: "tcp", hostname: options.host, port: options.port });
}

const KIND_NAMES: Record<FileKind, string> = {
  file: "a regular file",
  directory: "a directory",
  symlink: "a symbolic link",
  socket: "a socket",
  fifo: "a named pipe",
  other: "a device or other special file",
};

function notASocket(path: string, kind: FileKind, cause?: unknown): NetError {
  return new NetError(
    "EEXIST",
    `${path} is ${KIND_NAMES[kind]}, not a socket: left untouched (remove it or choose another --path)`,
    cause === undefined ? undefined : { cause },
  );
}

/** Refuses a path that holds anything but a socket: a stale socket is the only thing replaced. */
async function refuseNonSocket(rt: Runtime, path: string): Promise<void> {
  const kind = await rt.fs.kind(path);
  if (kind !== null && kind !== "socket") throw notASocket(path, kind);
}

async function isLive(rt: Runtime, path: string): Promise<boolean> {
  try {
    const c = await rt.connect({ transport: "unix", path });
    c.close();
    return true;
  } catch {
    return false;
  }
}

/**
 * The idle deadline of one connection: one timer per connection (not one per read), checked
 * against the time of the last progress. Progress is a write being started and, for a
 * handler that reads raw chunks, a read being started; a framed handler (`frames()`) counts
 * only complete frames, which is what makes the deadline per frame.
 */
class IdleGuard {
  last = Date.now();
  framed = false;
  timedOut = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  constructor(
    readonly ms: number,
    readonly onTimeout: (idleMs: number) => void,
  ) {
    if (ms > 0) this.#timer = setTimeout(this.#check, ms);
  }
  readonly #check = (): void => {
    const idle = Date.now() - this.last;
    if (idle >= this.ms) {
      this.timedOut = true;
      this.#timer = undefined;
      this.onTimeout(idle);
    } else this.#timer = setTimeout(this.#check, this.ms - idle);
  };
  error(): NetError {
    return new NetError(
      "ETIMEDOUT",
      `closed after ${this.ms} ms without ${this.framed ? "a complete frame" : "progress"} (--idle-timeout)`,
    );
  }
  stop(): void {
    clearTimeout(this.#timer);
  }
}

function guarded(conn: Connection, g: IdleGuard): Connection {
  if (g.ms <= 0) return conn;
  return {
    read: () => {
      if (!g.framed) g.last = Date.now();
      return conn.read();
    },
    write: (bytes) => {
      g.last = Date.now();
      return conn.write(bytes);
    },
    closeWrite: () => conn.closeWrite(),
    close: () => conn.close(),
    closed: conn.closed,
    localAddress: conn.localAddress,
    remoteAddress: conn.remoteAddress,
    setNoDelay: (on) => conn.setNoDelay(on),
    ...(conn.setKeepAlive ? { setKeepAlive: (on: boolean, delay?: number) => conn.setKeepAlive!(on, delay) } : {}),
    ...(conn.tlsInfo ? { tlsInfo: () => conn.tlsInfo!() } : {}),
  };
}

function contextFor(conn: Connection, g: IdleGuard): ServeContext {
  return {
    frames(options) {
      g.framed = true;
      const reader = new FrameReader(conn, options);
      return {
        async read() {
          let frame: Uint8Array | null;
          try {
            frame = await reader.read();
          } catch (e) {
            throw g.timedOut ? g.error() : e;
          }
          if (g.timedOut) throw g.error();
          g.last = Date.now();
          return frame;
        },
        async readPiece() {
          let piece: FramePiece | null;
          try {
            piece = await reader.readPiece();
          } catch (e) {
            throw g.timedOut ? g.error() : e;
          }
          if (g.timedOut) throw g.error();
          // Progress is a completed frame (or the end), as for read().
          if (piece === null || piece.offset + piece.bytes.byteLength === piece.frameLength) g.last = Date.now();
          return piece;
        },
      };
    },
  };
}

/**
 * Accept loop shared by the stream servers: one handler per connection, every open
 * connection tracked so `stop()` closes them, and a handler's failure is logged without
 * taking the server down. Enforces the server limits (`serverLimits`): at most
 * `maxConnections` at once (one more is closed as soon as it is accepted, with a log line)
 * and the idle deadline (see `ServeContext.frames`).
 */
export function serveConnections(
  rt: Runtime,
  listener: Listener,
  options: RoleOptions,
  log: Logger,
  handle: (conn: Connection, ctx: ServeContext) => Promise<void>,
): RunningServer {
  const limits = serverLimits(options);
  const open = new Set<Connection>();
  let stopping = false;
  const loop = (async () => {
    for (;;) {
      const conn = await listener.accept();
      if (!conn) return;
      if (stopping) {
        conn.close();
        continue;
      }
      if (open.size >= limits.maxConnections) {
        log(
          `connection from ${describe(conn)} closed: ${open.size} connections open, the maximum (--max-connections ${limits.maxConnections})`,
        );
        conn.close();
        continue;
      }
      open.add(conn);
      // The connection the handler speaks on: the accepted one, or its TLS upgrade (startTls).
      let current = conn;
      const guard = new IdleGuard(limits.idleTimeoutMs, (idle) => {
        log(
          `connection from ${describe(conn)} closed: no ${guard.framed ? "complete frame" : "progress"} for ${idle} ms (--idle-timeout ${limits.idleTimeoutMs})`,
        );
        current.close();
      });
      const g = guarded(conn, guard);
      const startTls = async (tls: TlsServerOptions): Promise<Connection> => {
        const up = await rt.startTls(conn, { role: "server", tls });
        open.delete(conn);
        open.add(up);
        current = up;
        return guarded(up, guard);
      };
      void handle(g, { ...contextFor(g, guard), startTls })
        .catch((e: unknown) => {
          // After a time-out the handler only sees the close it caused; the line above said why.
          if (guard.timedOut) return;
          const code = isNetError(e) ? e.code : "ERROR";
          log(`connection from ${describe(conn)}: ${code}: ${(e as Error)?.message ?? String(e)}`);
        })
        .finally(() => {
          guard.stop();
          current.close();
          open.delete(current);
        });
    }
  })();
  return {
    address: listener.address,
    async stop() {
      stopping = true;
      await listener.close();
      for (const c of open) c.close();
      await loop;
      // Our socket file, unless something else has taken the path since.
      const path = options.transport === "unix" ? options.path : undefined;
      if (path && (await rt.fs.kind(path).catch(() => null)) === "socket") await rt.fs.remove(path).catch(() => {});
    },
  };
}

function describe(conn: Connection): string {
  const a = conn.remoteAddress;
  if (a.transport === "unix") return `unix:${a.path}`;
  return a.hostname.includes(":") ? `[${a.hostname}]:${a.port}` : `${a.hostname}:${a.port}`;
}
