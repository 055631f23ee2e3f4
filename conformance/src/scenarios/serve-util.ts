import { NetError, isNetError, type Connection, type Listener, type Runtime } from "@netparity/protocol";
import type { Logger, RoleOptions, RunningServer } from "./types.js";

/**
 * Listens for the transport in `options` (tcp or unix), handling a stale Unix socket file
 * left by a crashed server: if nobody answers on it, it is removed and the bind retried;
 * if a live server answers, EADDRINUSE stands.
 */
export async function listenStream(rt: Runtime, options: RoleOptions): Promise<Listener> {
  if (options.transport === "unix") {
    const path = options.path;
    if (!path) throw new NetError("EINVAL", "--path is required for --transport unix");
    if (!rt.features.unix) throw new NetError("ENOTSUP", `${rt.runtime} ${rt.version} does not support Unix sockets`);
    try {
      return await rt.listen({ transport: "unix", path });
    } catch (e) {
      if (!isNetError(e, "EADDRINUSE") || !(await rt.fs.exists(path))) throw e;
      if (await isLive(rt, path)) throw new NetError("EADDRINUSE", `unix socket ${path} is in use by a running server`, { cause: e });
      await rt.fs.remove(path);
      return await rt.listen({ transport: "unix", path });
    }
  }
  return rt.listen({ transport: "tcp", hostname: options.host, port: options.port });
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
 * Accept loop shared by the stream servers: one handler per connection, every open
 * connection tracked so `stop()` closes them, and a handler's failure is logged without
 * taking the server down.
 */
export function serveConnections(
  rt: Runtime,
  listener: Listener,
  options: RoleOptions,
  log: Logger,
  handle: (conn: Connection) => Promise<void>,
): RunningServer {
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
      open.add(conn);
      void handle(conn)
        .catch((e: unknown) => {
          const code = isNetError(e) ? e.code : "ERROR";
          log(`connection from ${describe(conn)}: ${code}: ${(e as Error)?.message ?? String(e)}`);
        })
        .finally(() => {
          conn.close();
          open.delete(conn);
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
      if (options.transport === "unix" && options.path) await rt.fs.remove(options.path).catch(() => {});
    },
  };
}

function describe(conn: Connection): string {
  const a = conn.remoteAddress;
  return a.transport === "unix" ? `unix:${a.path}` : `${a.hostname}:${a.port}`;
}
