// Listeners and clients (TCP and Unix; TLS in tls.ts) over Deno.listen / Deno.connect:
// https://docs.deno.com/api/deno/~/Deno.listen  https://docs.deno.com/api/deno/~/Deno.connect
import {
  abortError,
  closeQuietly,
  raceAbort,
  type ConnectOptions,
  type Connection,
  type Listener,
  type ListenOptions,
} from "@netparity/protocol";
import { DenoConnection, toAddress } from "./connection.js";
import { unstableNet } from "./datagram.js";
import { denoNetError, isClosedResource } from "./errors.js";
import { connectTls, listenTls } from "./tls.js";

class DenoListener implements Listener {
  readonly address;
  #listener: Deno.Listener;
  #isClosed = false;
  #pending: Promise<unknown> | null = null;
  #unixPath: string | undefined;

  constructor(listener: Deno.Listener, unixPath?: string) {
    this.#listener = listener;
    this.address = toAddress(listener.addr);
    this.#unixPath = unixPath;
  }

  async accept(): Promise<Connection | null> {
    if (this.#isClosed) return null;
    const pending = this.#listener.accept();
    this.#pending = pending;
    try {
      return new DenoConnection(await pending);
    } catch (e) {
      // Deno rejects accept with BadResource ("Listener has been closed") or Interrupted.
      if (this.#isClosed || isClosedResource(e)) return null;
      throw denoNetError(e, "accept");
    } finally {
      if (this.#pending === pending) this.#pending = null;
    }
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    const pending = this.#pending;
    try {
      this.#listener.close();
    } catch (e) {
      if (!isClosedResource(e)) throw denoNetError(e, "close");
    }
    // The socket may stay bound until a pending accept has been rejected (see Listener.close
    // in https://docs.deno.com/api/deno/~/Deno.Listener), so wait for it before resolving.
    if (pending) await pending.catch(() => undefined);
    if (this.#unixPath !== undefined) {
      // Deno leaves the socket file behind (Node unlinks it), which would make the next
      // listen on the same path fail with EADDRINUSE.
      await Deno.remove(this.#unixPath).catch(() => undefined);
    }
  }
}

async function connectUnix(path: string, signal: AbortSignal | undefined): Promise<Deno.Conn> {
  // Deno.connect takes \`signal\` for TCP only; for Unix the attempt is raced and a connection
  // that arrives after the abort is closed.
  return await raceAbort(Deno.connect({ transport: "unix", path }), signal, closeQuietly);
}

export async function listen(options: ListenOptions): Promise<Listener> {
  try {
    if (options.transport === "tls") return listenTls(options, unstableNet);
    if (options.transport === "unix") {
      return new DenoListener(Deno.listen({ transport: "unix", path: options.path }), options.path);
    }
    const listener = Deno.listen({
      transport: "tcp",
      // No hostname: left out, so Deno picks its own default.
      ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
      port: options.port,
      ...(options.reusePort && unstableNet ? { reusePort: true } : {}),
    });
    return new DenoListener(listener);
  } catch (e) {
    throw denoNetError(e, "listen");
  }
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  const { signal } = options;
  if (options.transport === "tls") return connectTls(options);
  if (signal?.aborted) throw abortError(signal);
  let conn: Deno.Conn;
  try {
    conn =
      options.transport === "unix"
        ? await connectUnix(options.path, signal)
        : await Deno.connect({
            transport: "tcp",
            hostname: options.hostname,
            port: options.port,
            ...(signal ? { signal } : {}),
          });
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw denoNetError(e, "connect");
  }
  const connection = new DenoConnection(conn);
  if (signal) {
    // Deno's `signal` only covers the attempt; the contract also aborts an open connection.
    const onAbort = () => connection.close();
    signal.addEventListener("abort", onAbort, { once: true });
    void connection.closed.then(() => signal.removeEventListener("abort", onAbort));
  }
  return connection;
}
