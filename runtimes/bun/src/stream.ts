// Listeners and clients (TCP, TLS and Unix) over Bun.listen / Bun.connect: https://bun.sh/docs/api/tcp
import type { SocketHandler, TCPSocketListenOptions } from "bun";
import {
  abortError,
  Fifo,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  NetError,
  toNetError,
  type Address,
  type ConnectOptions,
  type Connection,
  type ListenOptions,
  type Listener,
  type TlsConnectOptions,
} from "@netparity/protocol";
import { BunConnection, DONE, tcpAddress, type BunSocket } from "./connection.js";
import { BUN_CONNECT_UNVERIFIED, clientTlsOptions, clientVerdict, serverTlsOptions, verdictError } from "./tls.js";

const TCP_UNKNOWN = tcpAddress("", 0);

const CLIENT_HANDLERS: SocketHandler<BunConnection | undefined> = {
  ...BunConnection.handlers,
  open(s) {
    if (s.data) BunConnection.attach(s.data, s);
  },
};

const TLS_CLIENT_HANDLERS: SocketHandler<BunConnection | undefined> = {
  ...BunConnection.tlsHandlers,
  open(s) {
    if (s.data) BunConnection.attach(s.data, s);
  },
};

class BunListener implements Listener {
  #address: Address = { transport: "unix", path: "" };
  #stop: (() => void) | undefined;
  #backlog = new Fifo<BunConnection>();
  #waiter: ((c: Connection | null) => void) | undefined;
  #closed = false;
  /** TLS: connections whose handshake is still running; not accepted yet, so ours to close. */
  #handshaking = new Set<BunConnection>();
  #tls = false;
  /** TLS with requestCert: a client certificate that does not verify drops the connection. */
  #verifyClients = false;
  /** TLS: a handshake not done this long after the accept is abandoned (0: never). */
  #handshakeTimeoutMs = 0;

  get address(): Address {
    return this.#address;
  }

  start(options: ListenOptions): void {
    const listener = this;
    const socket: SocketHandler<BunConnection | undefined> = {
      ...(options.transport === "tls" ? BunConnection.tlsHandlers : BunConnection.handlers),
      open(s) {
        listener.#onOpen(s);
      },
    };
    if (options.transport === "unix") {
      const server = Bun.listen<BunConnection | undefined>({ unix: options.path, allowHalfOpen: true, socket });
      this.#address = { transport: "unix", path: options.path };
      this.#stop = () => server.stop(false);
    } else {
      // bun-types requires a hostname; without one (TcpListenOptions.hostname absent) Bun.listen
      // is called as a Bun program would call it without one, to see Bun's own default.
      const config: TCPSocketListenOptions<BunConnection | undefined> & { reusePort?: boolean } = {
        hostname: options.hostname as string,
        port: options.port,
        // Without allowHalfOpen Bun closes the socket as soon as the peer's FIN arrives, so an
        // echo server could not answer after the client's closeWrite().
        allowHalfOpen: true,
        socket,
      };
      if (options.transport === "tls") {
        config.tls = serverTlsOptions(options.tls);
        this.#tls = true;
        this.#verifyClients = options.tls.requestCert === true;
        this.#handshakeTimeoutMs = options.tls.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
      }
      // bun-types declares reusePort on Bun.connect's options only, but it is Bun.listen that
      // honours it (https://github.com/oven-sh/bun/pull/41899).
      if (options.reusePort) config.reusePort = true;
      if (options.hostname === undefined) delete (config as { hostname?: string }).hostname;
      const server = Bun.listen<BunConnection | undefined>(config);
      this.#address = tcpAddress(server.hostname, server.port);
      this.#stop = () => server.stop(false);
    }
  }

  #onOpen(s: BunSocket): void {
    const unix = this.#address.transport === "unix";
    const conn = unix
      ? new BunConnection(this.#address, { transport: "unix", path: "" })
      : new BunConnection(TCP_UNKNOWN, TCP_UNKNOWN);
    s.data = conn;
    BunConnection.attach(conn, s);
    if (this.#closed) {
      conn.close();
      return;
    }
    if (this.#tls) this.#awaitHandshake(conn);
    else this.#deliver(conn);
  }

  #awaitHandshake(conn: BunConnection): void {
    // Bun fires `open` at the TCP accept; the connection is only handed out once its
    // handshake completed, and one whose handshake fails is dropped without a word.
    this.#handshaking.add(conn);
    // Bun has no handshake deadline of its own (a silent client stays open until it leaves),
    // and its socket timeout() counts whole seconds: a timer of ours closes the connection,
    // which settles handshake() with a rejection.
    const ms = this.#handshakeTimeoutMs;
    const timer = ms > 0 ? setTimeout(() => this.#handshaking.has(conn) && conn.close(), ms) : undefined;
    conn.handshake().then(
      (verdict) => {
        clearTimeout(timer);
        this.#handshaking.delete(conn);
        // `success` is false when the server itself aborted the handshake (e.g. an ALPN
        // mismatch: BoringSSL sends no_application_protocol but Bun still fires `handshake`).
        const refused = !verdict.success || (this.#verifyClients && verdict.peerCertificate && verdict.error !== null);
        if (this.#closed || refused) conn.close();
        else this.#deliver(conn);
      },
      () => {
        clearTimeout(timer);
        this.#handshaking.delete(conn);
      },
    );
  }

  #deliver(conn: BunConnection): void {
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter(conn);
    } else {
      this.#backlog.push(conn);
    }
  }

  accept(): Promise<Connection | null> {
    const conn = this.#backlog.shift();
    if (conn) return Promise.resolve(conn);
    if (this.#closed) return Promise.resolve(null);
    if (this.#waiter)
      return Promise.reject(new NetError("EINVAL", "only one accept() may be pending", { operation: "accept" }));
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  close(): Promise<void> {
    if (this.#closed) return DONE;
    this.#closed = true;
    // stop(false) closes the listening socket only; stop(true) would also end every
    // connection it accepted, including those already handed out by accept().
    this.#stop?.();
    // Connections no one accepted yet would otherwise stay open with no owner.
    for (const conn of this.#backlog.drain()) conn.close();
    for (const conn of this.#handshaking) conn.close();
    this.#handshaking.clear();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.(null);
    return DONE;
  }
}

export async function listen(options: ListenOptions): Promise<Listener> {
  const listener = new BunListener();
  try {
    listener.start(options);
  } catch (e) {
    // BoringSSL names an unusable certificate or key ERR_OSSL_* as node:tls does (not PEM:
    // ERR_OSSL_PEM_NO_START_LINE; another certificate's key: ERR_OSSL_X509_KEY_VALUES_MISMATCH).
    const code = (e as { code?: unknown } | null)?.code;
    if (options.transport === "tls" && typeof code === "string" && code.startsWith("ERR_OSSL_"))
      throw new NetError("TLS_CREDENTIALS", `${code}: ${(e as Error).message}`, { cause: e, operation: "listen" });
    throw toNetError(e, "listen");
  }
  return listener;
}

/** Bun.connect resolves at the TCP connect; a TLS connection is ready once its handshake was accepted. */
async function connectTls(conn: BunConnection, options: TlsConnectOptions): Promise<void> {
  const handshake = conn.handshake();
  // A handshake cut short before Bun.connect resolved rejects with no one listening yet.
  handshake.catch(() => undefined);
  await Bun.connect<BunConnection | undefined>({
    hostname: options.hostname,
    port: options.port,
    allowHalfOpen: true,
    data: conn,
    tls: clientTlsOptions(options.tls),
    socket: TLS_CLIENT_HANDLERS,
  });
  const verdict = clientVerdict(await handshake, options.tls, options.hostname, BUN_CONNECT_UNVERIFIED);
  if (!verdict.success) {
    // Bun closes a socket whose certificate it refused (not one clientVerdict refused); destroy() makes sure of it.
    const error = verdictError(verdict);
    conn.destroy(error);
    throw error;
  }
}

export async function connect(options: ConnectOptions): Promise<Connection> {
  const signal = options.signal;
  if (signal?.aborted) throw abortError(signal);
  const unix = options.transport === "unix";
  const conn = unix
    ? new BunConnection({ transport: "unix", path: "" }, { transport: "unix", path: options.path })
    : new BunConnection(TCP_UNKNOWN, TCP_UNKNOWN);
  let attempt: Promise<unknown>;
  try {
    attempt =
      options.transport === "tls"
        ? connectTls(conn, options)
        : unix
          ? Bun.connect<BunConnection | undefined>({
              unix: options.path,
              allowHalfOpen: true,
              data: conn,
              socket: CLIENT_HANDLERS,
            })
          : Bun.connect<BunConnection | undefined>({
              hostname: options.hostname,
              port: options.port,
              allowHalfOpen: true,
              data: conn,
              socket: CLIENT_HANDLERS,
            });
  } catch (e) {
    throw toNetError(e, "connect");
  }
  if (!signal) {
    try {
      await attempt;
    } catch (e) {
      throw toNetError(e, "connect");
    }
    return conn;
  }
  // Bun.connect takes no signal and returns no handle before `open`, so an abort cannot stop
  // the kernel's connect(2): the attempt is abandoned, and a socket that opens afterwards is
  // closed in `open`. The caller sees ABORTED at once either way.
  return new Promise<Connection>((resolve, reject) => {
    const onAbort = (): void => {
      const e = abortError(signal);
      conn.destroy(e);
      reject(e);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    void conn.closed.then(() => signal.removeEventListener("abort", onAbort));
    attempt.then(
      () => resolve(conn),
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(toNetError(e, "connect"));
      },
    );
  });
}
