import { NetError, type Address, type Connection, type TlsInfo } from "@netparity/protocol";
import { denoNetError, isClosedResource } from "./errors.js";

/**
 * One read buffer per connection, reused for every read: the contract hands the bytes to
 * the caller only until the next read(), so no per-chunk allocation is needed. 64 KiB is
 * what Deno's own `conn.readable` uses per pull.
 */
const READ_BUFFER_SIZE = 64 * 1024;
/**
 * A read that fills the whole buffer means a stream is arriving faster than it is read: the
 * connection then switches, once, to this larger buffer, so a bulk stream costs a quarter of
 * the read ops (each has a fixed cost), and a 64 KiB data frame + its 4-byte header, which
 * never fits a 64 KiB read, mostly lies inside one read. Measured with the transfer server
 * (pieces API, 5 interleaved rounds): 0.94 -> 1.03 GB/s, raw Deno with 64 KiB reads 1.02.
 * Connections with small messages (echo, many clients) never fill 64 KiB and keep it.
 */
const BULK_READ_BUFFER_SIZE = 256 * 1024;

export function toAddress(addr: Deno.Addr): Address {
  if (addr.transport === "unix" || addr.transport === "unixpacket") {
    // A client socket that never bound a path reports `path: null` in Deno.
    return { transport: "unix", path: addr.path ?? "" };
  }
  if (addr.transport === "tcp" || addr.transport === "udp") {
    return { transport: addr.transport, hostname: addr.hostname, port: addr.port };
  }
  // The TlsConn of Deno.startTls carries addresses without `transport` (Deno 2.9.6:
  // connectTls sets it, startTls does not, in ext/net/02_tls.js); they are TCP addresses.
  if ((addr as { transport?: unknown }).transport === undefined && "hostname" in addr) {
    const { hostname, port } = addr as Deno.NetAddr;
    return { transport: "tcp", hostname, port };
  }
  throw new NetError("EAFNOSUPPORT", `unsupported address transport ${addr.transport}`);
}

export class DenoConnection implements Connection {
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  readonly closed: Promise<void>;

  #conn: Deno.Conn;
  #tls: TlsInfo | null;
  #buf = new Uint8Array(READ_BUFFER_SIZE);
  #resolveClosed!: () => void;
  #isClosed = false;
  #error: NetError | undefined;
  #readEnded = false;
  #writeEnded = false;
  #finSent = false;
  /** The last queued write (or FIN); null when nothing is in flight. */
  #writeTail: Promise<void> | null = null;
  #reading = false;

  /** `tls`: what the handshake of a Deno.TlsConn agreed (the caller awaited it). */
  constructor(conn: Deno.Conn, tls: TlsInfo | null = null) {
    this.#conn = conn;
    this.#tls = tls;
    this.localAddress = toAddress(conn.localAddr);
    this.remoteAddress = toAddress(conn.remoteAddr);
    this.closed = new Promise((resolve) => (this.#resolveClosed = resolve));
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#error) throw this.#error;
    if (this.#readEnded) return null;
    let n: number | null;
    this.#reading = true;
    try {
      n = await this.#conn.read(this.#buf);
    } catch (e) {
      if (this.#error) throw this.#error;
      // Deno rejects a pending read with Interrupted when the conn is closed under it.
      if (this.#isClosed && isClosedResource(e)) return null;
      throw this.#fail(denoNetError(e, "read"));
    } finally {
      this.#reading = false;
    }
    if (n === null) {
      this.#readEnded = true;
      this.#finishIfDone();
      return null;
    }
    const chunk = this.#buf.subarray(0, n);
    // The returned view keeps the old buffer; the next read goes into the new one.
    if (n === this.#buf.byteLength && n < BULK_READ_BUFFER_SIZE) this.#buf = new Uint8Array(BULK_READ_BUFFER_SIZE);
    return chunk;
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.#writeEnded) {
      const message = this.#isClosed ? "connection is closed" : "write after closeWrite()";
      return Promise.reject(this.#error ?? new NetError("CLOSED", message, { operation: "write" }));
    }
    return this.#enqueue(() => this.#writeAll(bytes));
  }

  closeWrite(): Promise<void> {
    if (this.#writeEnded || this.#isClosed) return this.#writeTail ?? Promise.resolve();
    this.#writeEnded = true;
    return this.#enqueue(async () => {
      if (this.#isClosed) return;
      try {
        await this.#conn.closeWrite();
      } catch (e) {
        if (this.#isClosed && isClosedResource(e)) return;
        throw this.#fail(denoNetError(e, "closeWrite"));
      }
      this.#finSent = true;
      this.#finishIfDone();
    });
  }

  close(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#readEnded = true;
    this.#writeEnded = true;
    try {
      this.#conn.close();
    } catch (e) {
      // Deno throws BadResource on a second close; the conn is gone either way.
      if (!isClosedResource(e)) throw denoNetError(e, "close");
    }
    this.#resolveClosed();
  }

  tlsInfo(): TlsInfo | null {
    return this.#tls;
  }

  /**
   * For startTls: hands the Deno.TcpConn over and ends this connection without closing it.
   * Reads go straight to the kernel, so nothing is buffered here: unread bytes stay in the
   * socket, for Deno.startTls to take as TLS. A pending read would make Deno.startTls fail
   * (it needs the resource to itself), so that, like a write in flight, is PROTOCOL.
   */
  release(): Deno.TcpConn {
    if (this.#isClosed || this.#error)
      throw this.#error ?? new NetError("CLOSED", "startTls on a closed connection", { operation: "startTls" });
    if (this.#tls !== null || !("setNoDelay" in this.#conn) || this.localAddress.transport !== "tcp")
      throw new NetError("EINVAL", "startTls takes a plaintext TCP connection", { operation: "startTls" });
    if (this.#reading || this.#writeTail !== null || this.#writeEnded)
      throw new NetError("PROTOCOL", "startTls while a read or write is pending, or after closeWrite", {
        operation: "startTls",
      });
    this.#isClosed = true;
    this.#readEnded = true;
    this.#writeEnded = true;
    this.#resolveClosed();
    return this.#conn as Deno.TcpConn;
  }

  /** A no-op on TLS: Deno.TlsConn has no setNoDelay (nor setKeepAlive). */
  setNoDelay(on: boolean): void {
    if (this.#isClosed || !("setNoDelay" in this.#conn)) return;
    try {
      (this.#conn as Deno.TcpConn).setNoDelay(on);
    } catch (e) {
      if (!isClosedResource(e)) throw denoNetError(e, "setNoDelay");
    }
  }

  /**
   * Deno.TcpConn.setKeepAlive takes no idle time, so `initialDelayMs` is not applied
   * (https://docs.deno.com/api/deno/~/Deno.TcpConn).
   */
  setKeepAlive(on: boolean, _initialDelayMs?: number): void {
    if (this.#isClosed || !("setKeepAlive" in this.#conn)) return;
    try {
      (this.#conn as Deno.TcpConn).setKeepAlive(on);
    } catch (e) {
      if (!isClosedResource(e)) throw denoNetError(e, "setKeepAlive");
    }
  }

  /**
   * Writes run one after another so concurrent callers never interleave bytes. The chain is
   * only built while something is in flight: an idle connection writes directly.
   */
  #enqueue(task: () => Promise<void>): Promise<void> {
    const prev = this.#writeTail;
    const run = prev === null ? task() : prev.then(task, task);
    const tail = run.then(
      () => {
        if (this.#writeTail === tail) this.#writeTail = null;
      },
      () => {
        if (this.#writeTail === tail) this.#writeTail = null;
      },
    );
    this.#writeTail = tail;
    return run;
  }

  async #writeAll(bytes: Uint8Array): Promise<void> {
    if (this.#error) throw this.#error;
    if (this.#isClosed) throw new NetError("CLOSED", "connection is closed", { operation: "write" });
    let off = 0;
    const total = bytes.byteLength;
    while (off < total) {
      try {
        // Deno.Conn.write may accept only part of the buffer (documented on Deno.Writer).
        off += await this.#conn.write(off === 0 ? bytes : bytes.subarray(off));
      } catch (e) {
        if (this.#error) throw this.#error;
        if (this.#isClosed && isClosedResource(e)) {
          throw new NetError("CLOSED", "connection closed during write", { cause: e, operation: "write" });
        }
        throw this.#fail(denoNetError(e, "write"));
      }
    }
  }

  /** A failed read or write ends the connection (as Node and Bun do): remember why, release it. */
  #fail(error: NetError): NetError {
    if (!this.#error) {
      this.#error = error;
      this.close();
    }
    return this.#error;
  }

  /** Both directions finished cleanly: nothing more can happen, so release the resource. */
  #finishIfDone(): void {
    if (this.#readEnded && this.#finSent) this.close();
  }
}
