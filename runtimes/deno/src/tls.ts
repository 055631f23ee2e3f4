// TLS over Deno.listenTls / Deno.connectTls (rustls): https://docs.deno.com/api/deno/~/Deno.connectTls
import {
  abortError,
  closeQuietly,
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  raceAbort,
  NetError,
  type Connection,
  type Listener,
  type TlsConnectOptions,
  type TlsInfo,
  type TlsListenOptions,
} from "@netparity/protocol";
import { DenoConnection, toAddress } from "./connection.js";
import { denoNetError, isClosedResource } from "./errors.js";

/**
 * Deno.TlsConn.handshake() tells only the ALPN protocol: the version, the cipher suite and
 * the peer certificate are not exposed by the native API (node:tls has them, over other
 * code), so those fields stay null.
 */
export function tlsInfo(handshake: Deno.TlsHandshakeInfo): TlsInfo {
  return { protocol: null, cipher: null, alpn: handshake.alpnProtocol, peerSubject: null, peerSan: null };
}

/**
 * rustls reports a refused certificate as InvalidData "invalid peer certificate: <reason>",
 * the reason spelled as its enum (UnknownIssuer, NotValidForName, Expired) in older Deno and
 * as a sentence in newer ones ("certificate not valid for name ...", "certificate expired: ...";
 * checked on Deno 2.9.6). Anything else during the handshake is TLS_HANDSHAKE.
 */
export function tlsError(cause: unknown): NetError {
  const message = (cause as { message?: unknown } | null)?.message;
  const text = typeof message === "string" ? message : String(cause);
  let code: "CERT_UNTRUSTED" | "CERT_HOSTNAME_MISMATCH" | "CERT_EXPIRED" | "TLS_HANDSHAKE" = "TLS_HANDSHAKE";
  if (/invalid peer certificate/i.test(text)) {
    if (/NotValidForName|not valid for name/i.test(text)) code = "CERT_HOSTNAME_MISMATCH";
    else if (/Expired|NotValidYet|not valid yet/i.test(text)) code = "CERT_EXPIRED";
    // UnknownIssuer, and CaUsedAsEndEntity for a self-signed (CA:TRUE) leaf; a bad
    // signature or an unsupported chain is no more trustworthy.
    else code = "CERT_UNTRUSTED";
  }
  return new NetError(code, text, { cause, operation: "handshake" });
}

/**
 * Deno.TlsListener.accept() resolves at the TCP accept, before the handshake. Each accepted
 * connection is handshaken concurrently (a silent client must not hold up the next one) and
 * handed out once done; a failed handshake closes it without surfacing from accept().
 */
export class DenoTlsListener implements Listener {
  readonly address;
  #listener: Deno.TlsListener;
  readonly #handshakeTimeoutMs: number;
  #ready: DenoConnection[] = [];
  #handshaking = new Set<Deno.TlsConn>();
  #waiter: { resolve: (c: Connection | null) => void; reject: (e: NetError) => void } | undefined;
  #failure: NetError | undefined;
  #isClosed = false;
  #pump: Promise<void>;

  constructor(listener: Deno.TlsListener, handshakeTimeoutMs: number) {
    this.#listener = listener;
    this.#handshakeTimeoutMs = handshakeTimeoutMs;
    this.address = toAddress(listener.addr);
    this.#pump = this.#acceptLoop();
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.TlsConn;
      try {
        conn = await this.#listener.accept();
      } catch (e) {
        if (this.#isClosed || isClosedResource(e)) return;
        // The listening socket itself failed (EMFILE ...): as for TCP, accept() reports it.
        this.#failure = denoNetError(e, "accept");
        this.#settle();
        return;
      }
      if (this.#isClosed) {
        conn.close();
        return;
      }
      void this.#handshake(conn);
    }
  }

  async #handshake(conn: Deno.TlsConn): Promise<void> {
    this.#handshaking.add(conn);
    // Deno (rustls) has no handshake deadline: handshake() waits for a silent client forever.
    // Closing the connection at our deadline makes the pending handshake() reject, but the TCP
    // socket stays open (checked on Deno 2.9.6): closing a TlsConn first finishes its handshake
    // (denoland/deno#14547), which a silent client never lets happen. Kept so the deadline
    // takes effect where the runtime lets it; the reliability case tls.handshake-slowloris
    // records the leak.
    const ms = this.#handshakeTimeoutMs;
    const timer =
      ms > 0
        ? setTimeout(() => {
            if (this.#handshaking.delete(conn)) closeQuietly(conn);
          }, ms)
        : undefined;
    let info: Deno.TlsHandshakeInfo;
    try {
      info = await conn.handshake();
    } catch {
      clearTimeout(timer);
      this.#handshaking.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed by close() below
      }
      return;
    }
    clearTimeout(timer);
    this.#handshaking.delete(conn);
    if (this.#isClosed) {
      conn.close();
      return;
    }
    this.#ready.push(new DenoConnection(conn, tlsInfo(info)));
    this.#settle();
  }

  #settle(): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    const conn = this.#ready.shift();
    if (conn) {
      this.#waiter = undefined;
      waiter.resolve(conn);
    } else if (this.#failure) {
      this.#waiter = undefined;
      waiter.reject(this.#failure);
    }
  }

  accept(): Promise<Connection | null> {
    const conn = this.#ready.shift();
    if (conn) return Promise.resolve(conn);
    if (this.#isClosed) return Promise.resolve(null);
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#waiter)
      return Promise.reject(new NetError("EINVAL", "only one accept() may be pending", { operation: "accept" }));
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  async close(): Promise<void> {
    if (this.#isClosed) return;
    this.#isClosed = true;
    try {
      this.#listener.close();
    } catch (e) {
      if (!isClosedResource(e)) throw denoNetError(e, "close");
    }
    // Connections no one accepted yet (ready or still handshaking) would have no owner.
    for (const conn of this.#ready.splice(0)) conn.close();
    for (const conn of this.#handshaking) {
      try {
        conn.close();
      } catch {
        // closed under a failing handshake
      }
    }
    this.#handshaking.clear();
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve(null);
    // The socket may stay bound until the pending accept has been rejected (see close()).
    await this.#pump;
  }
}

export function listenTls(options: TlsListenOptions, unstableNet: boolean): Listener {
  if (options.tls.requestCert) {
    // Deno.listenTls has no option to request or verify a client certificate.
    throw new NetError("ENOTSUP", "Deno.listenTls cannot request a client certificate", { operation: "listen" });
  }
  let listener: Deno.TlsListener;
  try {
    listener = Deno.listenTls({
      hostname: options.hostname,
      port: options.port,
      cert: options.tls.cert,
      key: options.tls.key,
      ...(options.tls.alpn?.length ? { alpnProtocols: [...options.tls.alpn] } : {}),
      // Gated like Deno.listen's (see unstableNet in datagram.ts).
      ...(options.reusePort && unstableNet ? { reusePort: true } : {}),
    } as Deno.ListenTlsOptions & Deno.TlsCertifiedKeyPem);
  } catch (e) {
    throw credentialsError(e);
  }
  return new DenoTlsListener(listener, options.tls.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS);
}

/**
 * Deno.listenTls loads the certificate and key with rustls-pemfile and rustls, and says so only
 * in words: InvalidData "No certificates found in certificate data" (or "... private key ...")
 * for what is not PEM, and an Error "keys may not be consistent: KeyMismatch" for another
 * certificate's key (checked on Deno 2.9.6). Anything else (EADDRINUSE ...) maps as usual.
 */
function credentialsError(cause: unknown): NetError {
  const message = (cause as { message?: unknown } | null)?.message;
  const text = typeof message === "string" ? message : String(cause);
  if (/certificate|private key|KeyMismatch|keys may not be consistent/i.test(text))
    return new NetError("TLS_CREDENTIALS", text, { cause, operation: "listen" });
  return denoNetError(cause, "listen");
}

/**
 * Resolves once the handshake completed and the certificate verified. Deno has no option to
 * skip verification (only hostname checks, or the process-wide
 * --unsafely-ignore-certificate-errors flag, which would also turn verification off for
 * every other connection), so `verify: false` is ENOTSUP. `ca` is trusted in addition to
 * Deno's root store (caCerts), not instead of it.
 */
export async function connectTls(options: TlsConnectOptions): Promise<DenoConnection> {
  const { tls, signal } = options;
  if (tls.verify === false) {
    throw new NetError("ENOTSUP", "Deno.connectTls cannot skip certificate verification", { operation: "connect" });
  }
  if (signal?.aborted) throw abortError(signal);
  const caCerts = tls.ca ? [tls.ca] : [];
  const alpn = tls.alpn?.length ? { alpnProtocols: [...tls.alpn] } : {};
  const otherName = tls.servername !== undefined && tls.servername !== options.hostname;
  if (otherName && (tls.cert || tls.key)) {
    // Deno.startTls takes no client certificate (denoland/deno#21496).
    throw new NetError("ENOTSUP", "Deno.startTls takes no client certificate, needed here for servername", {
      operation: "connect",
    });
  }
  let conn: Deno.TlsConn;
  try {
    if (otherName) {
      // Deno.connectTls has no servername: its hostname is both the address and the name
      // verified (and sent as SNI). Deno.startTls over a TCP connection takes them apart.
      const tcp = await Deno.connect({ hostname: options.hostname, port: options.port, ...(signal ? { signal } : {}) });
      conn = await Deno.startTls(tcp, { hostname: tls.servername as string, caCerts, ...alpn });
    } else {
      // Deno.connectTls takes no signal: the attempt is raced, a late connection is closed.
      conn = await raceAbort(
        Deno.connectTls({
          hostname: options.hostname,
          port: options.port,
          caCerts,
          ...alpn,
          ...(tls.cert && tls.key ? { cert: tls.cert, key: tls.key } : {}),
        }),
        signal,
        closeQuietly,
      );
    }
  } catch (e) {
    if (signal?.aborted) throw abortError(signal);
    throw denoNetError(e, "connect");
  }
  let info: Deno.TlsHandshakeInfo;
  try {
    // connectTls resolves at the TCP connect; handshake() drives the handshake to its end.
    info = await raceAbort(conn.handshake(), signal, () => undefined);
  } catch (e) {
    closeQuietly(conn);
    if (signal?.aborted) throw abortError(signal);
    throw tlsError(e);
  }
  const connection = new DenoConnection(conn, tlsInfo(info));
  if (signal) {
    // As for TCP: the contract also aborts an open connection.
    const onAbort = () => connection.close();
    signal.addEventListener("abort", onAbort, { once: true });
    void connection.closed.then(() => signal.removeEventListener("abort", onAbort));
  }
  return connection;
}
