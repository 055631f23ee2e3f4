/**
 * The contract every runtime adapter implements. Scenarios, probes and benchmarks are
 * written against this interface only; a difference in their results is therefore a
 * difference between runtimes, not between programs.
 *
 * Pull-based and promise-based on purpose: it maps cleanly onto node:net, Bun.listen and
 * Deno.listen, and it makes backpressure explicit (a `write` resolves only once the
 * runtime accepted the bytes; an unread connection stops being read from the kernel).
 */

/**
 * The runtimes netparity runs. "workerd" (Cloudflare's Workers runtime) is a client end only:
 * a Worker has no listen, its one socket API is `connect()` from `cloudflare:sockets`.
 */
export type RuntimeName = "node" | "bun" | "deno" | "workerd";
export const RUNTIME_NAMES: readonly RuntimeName[] = ["node", "bun", "deno", "workerd"];

/**
 * Whether `s` names a runtime netparity can run.
 * @example isRuntimeName("bun") // true; isRuntimeName("python") // false
 */
export function isRuntimeName(s: string): s is RuntimeName {
  return (RUNTIME_NAMES as readonly string[]).includes(s);
}

/** "tls" is TLS over TCP: a stream transport whose bytes are the same as over "tcp". */
export type Transport = "tcp" | "udp" | "unix" | "tls";

/** A TLS connection's addresses are its TCP addresses (transport "tcp"). */
export interface NetAddress {
  readonly transport: "tcp" | "udp";
  /** Numeric address as the runtime reports it, e.g. "127.0.0.1" or "::1". */
  readonly hostname: string;
  readonly port: number;
}
export interface UnixAddress {
  readonly transport: "unix";
  readonly path: string;
}
export type Address = NetAddress | UnixAddress;

/** A connected byte stream (TCP or Unix). */
export interface Connection {
  /**
   * The next chunk the runtime delivered, or null once the peer half-closed (FIN) and
   * every earlier byte was returned. Rejects with a NetError (ECONNRESET, ...) when the
   * connection failed. Only one read may be pending at a time. The returned bytes belong
   * to the caller until the next `read()`.
   */
  read(): Promise<Uint8Array | null>;
  /**
   * Resolves once the runtime accepted all of `bytes` (partial writes are completed by the
   * adapter) and is ready for more: a write that has to wait for the peer to read is
   * backpressure. The runtime may keep a reference to `bytes` until they are sent, so the
   * caller must not modify them after calling `write`. Writes are sent in call order.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Half-close: send FIN after every pending write, keep reading. */
  closeWrite(): Promise<void>;
  /** Close both directions at once. Idempotent; pending reads resolve to null. */
  close(): void;
  /** Resolves once the connection is fully closed (by either side, or by error). */
  readonly closed: Promise<void>;
  readonly localAddress: Address;
  readonly remoteAddress: Address;
  /** Disable Nagle's algorithm (TCP only; a no-op on Unix sockets). */
  setNoDelay(on: boolean): void;
  /**
   * SO_KEEPALIVE, with the idle time before the first keepalive probe where the runtime
   * takes one (TCP only; a no-op on Unix sockets). Optional: an adapter leaves it out where
   * the runtime's native API does not expose the option.
   */
  setKeepAlive?(on: boolean, initialDelayMs?: number): void;
  /**
   * What the TLS handshake agreed, on a TLS connection once it is open (listen/connect with
   * transport "tls" resolve after the handshake); null on a plaintext connection.
   */
  tlsInfo?(): TlsInfo | null;
}

/** How long a TLS listener waits for a handshake by default (see `TlsServerOptions.handshakeTimeoutMs`). */
export const DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS = 30_000;

/** TLS settings of a server. PEM text throughout, never file paths: the agent reads files. */
export interface TlsServerOptions {
  /** The certificate chain, leaf first. */
  cert: string;
  key: string;
  /** CAs that client certificates are verified against (with `requestCert`). */
  ca?: string;
  /** Ask the client for a certificate; a client without one is still accepted. */
  requestCert?: boolean;
  /** ALPN protocols offered, in order of preference. */
  alpn?: readonly string[];
  /**
   * A connection whose handshake has not completed this long after the TCP accept is closed
   * (it never reaches `accept()`, which yields only handshaken connections, so no deadline of
   * the caller can cover it): without one, a client that connects and stays silent holds its
   * socket for as long as it likes. Default DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS; 0: none.
   */
  handshakeTimeoutMs?: number;
}

/** TLS settings of a client. Verification is on unless `verify` is false. */
export interface TlsClientOptions {
  /** CAs to trust instead of the runtime's default store. */
  ca?: string;
  /** SNI, and the name the certificate must be valid for (default: the connect hostname). */
  servername?: string;
  alpn?: readonly string[];
  /** Default true. false accepts any certificate: for probes that look at a bad one. */
  verify?: boolean;
  /** A client certificate and key, for servers that ask for one. */
  cert?: string;
  key?: string;
}

/** What a TLS handshake agreed, as the runtime reports it. */
export interface TlsInfo {
  /** e.g. "TLSv1.3"; null where the runtime does not tell. */
  readonly protocol: string | null;
  /** The cipher suite's standard (IANA) name where the runtime gives it, else its own name. */
  readonly cipher: string | null;
  /** The agreed ALPN protocol; null when none was agreed (normalized: Node and Bun say false). */
  readonly alpn: string | null;
  /** The peer certificate's subject CN and subjectAltName entries ("DNS:localhost", "IP Address:127.0.0.1"); null where there is none or the runtime does not expose it. */
  readonly peerSubject: string | null;
  readonly peerSan: readonly string[] | null;
}

export interface Listener {
  readonly address: Address;
  /** The next accepted connection, or null once the listener was closed. */
  accept(): Promise<Connection | null>;
  /** Stop accepting. Already accepted connections are not touched. Idempotent. */
  close(): Promise<void>;
}

export interface Datagram {
  readonly data: Uint8Array;
  readonly from: NetAddress;
}

export interface DatagramSocket {
  readonly address: NetAddress;
  /** Sends one datagram; resolves once the runtime handed it to the kernel. */
  send(data: Uint8Array, to: { hostname: string; port: number }): Promise<void>;
  /** The next datagram received, or null once the socket was closed. */
  receive(): Promise<Datagram | null>;
  /** Allow sending to broadcast addresses (SO_BROADCAST). Throws ENOTSUP where the runtime cannot. */
  setBroadcast(on: boolean): void;
  /**
   * IPv4 multicast (`features.multicast`): joins `group` (IP_ADD_MEMBERSHIP) on the interface
   * with the local address `interfaceAddress` (default: the one the kernel picks by route).
   * Rejects with ENOTSUP where the runtime cannot, with the runtime's error otherwise
   * (EINVAL, EADDRNOTAVAIL for an address no interface has). Promise-based because Deno's
   * API is.
   * @example await sock.addMembership("239.1.2.3"); // datagrams sent to 239.1.2.3:port now arrive
   */
  addMembership(group: string, interfaceAddress?: string): Promise<void>;
  /** Leaves a group joined with `addMembership` (IP_DROP_MEMBERSHIP). */
  dropMembership(group: string, interfaceAddress?: string): Promise<void>;
  /**
   * Source-specific join (IP_ADD_SOURCE_MEMBERSHIP, RFC 4607): only datagrams from `source`
   * to `group`. ENOTSUP where `features.sourceSpecificMulticast` is false.
   */
  addSourceMembership(source: string, group: string, interfaceAddress?: string): Promise<void>;
  /** IP_MULTICAST_TTL of datagrams this socket sends to groups (1: the local subnet only, the default). */
  setMulticastTTL(ttl: number): Promise<void>;
  /** IP_MULTICAST_LOOP: whether this host's own members receive what the socket sends to a group (on by default in Linux). */
  setMulticastLoopback(on: boolean): Promise<void>;
  /** Idempotent; a pending receive resolves to null. */
  close(): void;
}

export interface TcpListenOptions {
  transport: "tcp";
  /**
   * The address to bind. Absent: the hostname is left out of the runtime's own listen call,
   * so the listener binds whatever that runtime binds by default (probe `addr.default-host`).
   */
  hostname?: string;
  /** 0 asks the OS for an ephemeral port; read it back from `address`. */
  port: number;
  /** SO_REUSEPORT where the runtime offers it. */
  reusePort?: boolean;
}
export interface UnixListenOptions {
  transport: "unix";
  path: string;
}
export interface TlsListenOptions {
  transport: "tls";
  hostname: string;
  port: number;
  reusePort?: boolean;
  tls: TlsServerOptions;
}
/** Listeners with transport "tls" accept connections whose handshake completed; a failed handshake is logged by nobody and never surfaces from `accept()`. */
export type ListenOptions = TcpListenOptions | UnixListenOptions | TlsListenOptions;

export interface TcpConnectOptions {
  transport: "tcp";
  hostname: string;
  port: number;
  /** Abort the connection attempt (and the connection, once open). */
  signal?: AbortSignal;
  /**
   * The connection will be upgraded with `startTls`, with these settings. An API that fixes
   * them when it connects (the WinterTC draft's `secureTransport: "starttls"` with `sni` and a
   * binding's CA) reads them here; the adapters take them at `startTls` and ignore this.
   */
  startTls?: TlsClientOptions;
}
export interface UnixConnectOptions {
  transport: "unix";
  path: string;
  signal?: AbortSignal;
}
export interface TlsConnectOptions {
  transport: "tls";
  hostname: string;
  port: number;
  signal?: AbortSignal;
  tls: TlsClientOptions;
}
/** With transport "tls", `connect` resolves once the handshake completed and the certificate was verified; a failed verification rejects with a CERT_* NetError, another handshake failure with TLS_HANDSHAKE. */
export type ConnectOptions = TcpConnectOptions | UnixConnectOptions | TlsConnectOptions;

/**
 * How `startTls` upgrades a connection. "client" verifies the server as `connect` does: the
 * name is `tls.servername`, else `hostname`, else the connection's remote address. "server"
 * takes the listener's options (`handshakeTimeoutMs` included).
 */
export type StartTlsOptions =
  | { role: "client"; tls: TlsClientOptions; hostname?: string }
  | { role: "server"; tls: TlsServerOptions };

export interface DatagramOptions {
  hostname: string;
  port: number;
  reusePort?: boolean;
}

/** What a runtime supports, said honestly. Missing support is data, not a failure. */
export interface Features {
  readonly tcp: boolean;
  readonly udp: boolean;
  readonly unix: boolean;
  readonly ipv6: boolean;
  /** `closeWrite()` sends FIN while the connection keeps reading. */
  readonly halfClose: boolean;
  readonly reusePort: boolean;
  readonly broadcast: boolean;
  /** `DatagramSocket.addMembership` and the other IPv4 multicast calls. */
  readonly multicast: boolean;
  /** `DatagramSocket.addSourceMembership` (source-specific multicast). */
  readonly sourceSpecificMulticast: boolean;
  readonly connectSignal: boolean;
  /** TLS listeners and connections (transport "tls"). */
  readonly tls: boolean;
  /** `startTls` with role "client": a plaintext TCP connection becomes a TLS client. */
  readonly startTlsClient: boolean;
  /** `startTls` with role "server": a plaintext TCP connection (accepted or connected) becomes a TLS server. */
  readonly startTlsServer: boolean;
  /**
   * `Connection.read()` returns views of a buffer the adapter reuses on the next `read()` of
   * that connection (the contract allows it: the bytes are the caller's until then). A caller
   * that keeps chunks past the next read copies them where this is true.
   */
  readonly reusesReadBuffer: boolean;
}

export interface Hasher {
  update(bytes: Uint8Array): void;
  /** Lowercase hex. The hasher cannot be used afterwards. */
  digestHex(): string;
}

/** A file being written, for servers that save what they receive. */
export interface FileSink {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** The few file-system operations the scenarios need, through the runtime's own API. */
/** What a path names, seen without following a symbolic link (`FileSystem.kind`). */
export type FileKind = "file" | "directory" | "symlink" | "socket" | "fifo" | "other";

export interface FileSystem {
  /** Creates a new file; with `exclusive` it rejects with NetError EEXIST if the path exists. */
  create(path: string, opts?: { exclusive?: boolean }): Promise<FileSink>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file or an empty directory; a missing path is not an error. */
  remove(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /**
   * What is at `path`, without following a symbolic link (lstat); null when nothing is.
   * @example if ((await rt.fs.kind(path)) === "socket") await rt.fs.remove(path)
   */
  kind(path: string): Promise<FileKind | null>;
  mkdirp(path: string): Promise<void>;
  /** A fresh temporary directory. */
  tempDir(prefix: string): Promise<string>;
  /** The whole file as UTF-8 text (a certificate, a key). Rejects with NetError ENOENT if missing. */
  readText(path: string): Promise<string>;
}

export type Signal = "SIGINT" | "SIGTERM";

/** Process-level services, so agents never touch a runtime global directly. */
export interface Host {
  /** Arguments after the script path. */
  readonly args: readonly string[];
  env(name: string): string | undefined;
  /** Writes one line (a newline is added) to stdout, unbuffered. */
  stdoutLine(line: string): void;
  stderrLine(line: string): void;
  onSignal(signal: Signal, handler: () => void): void;
  /**
   * Reads stdin to its end, discarding what arrives, and calls `handler` once when it ends
   * (end of file or a read error). A parent that starts this process with stdin as a pipe it
   * never writes to holds the pipe's only write end, and the kernel closes that when the
   * parent dies, SIGKILL included: the end of stdin then means "the parent is gone". Call it
   * only when the parent said it started the process that way; with a terminal stdin it
   * would wait for Ctrl-D, and with /dev/null it would fire at once. Keeps the process alive
   * while stdin is open.
   * @example host.onStdinEnd(() => host.exit(1)) // no process outlives its parent
   */
  onStdinEnd(handler: () => void): void;
  exit(code: number): never;
  /** Monotonic high-resolution clock in milliseconds. */
  now(): number;
  /** CPU time used by this process so far, in microseconds, where the runtime tells. */
  cpuUsage(): { user: number; system: number } | null;
  /** Resident set size in bytes, where the runtime tells. */
  rss(): number | null;
  pid(): number;
}

export interface Runtime {
  readonly runtime: RuntimeName;
  /** The exact runtime version, e.g. "1.2.3". */
  readonly version: string;
  readonly features: Features;
  listen(options: ListenOptions): Promise<Listener>;
  connect(options: ConnectOptions): Promise<Connection>;
  bindDatagram(options: DatagramOptions): Promise<DatagramSocket>;
  /**
   * STARTTLS: turns a plaintext TCP connection of this runtime into a TLS one, resolving once
   * the handshake completed (and, as a client, the certificate verified) with a new Connection
   * whose `tlsInfo()` tells what was agreed. Errors are those of a TLS `connect` (CERT_*,
   * TLS_HANDSHAKE); a role the runtime cannot take rejects with ENOTSUP (see `features`).
   *
   * `conn` belongs to the upgrade from the call on: it must not be read, written or closed
   * again, whatever the outcome (a failed upgrade closes it). No read may be pending on it.
   * Bytes that arrived before the call and were not returned by `read()` are not plaintext to
   * anyone any more: the TLS layer takes them as the start of the peer's handshake (a STARTTLS
   * server whose client sent its ClientHello early gets it), where the adapter can hand them
   * over; where it cannot (Bun: its upgrade takes no bytes) the call rejects with PROTOCOL and
   * closes `conn`. So a client reads the server's plaintext answer to its end before upgrading.
   */
  startTls(conn: Connection, options: StartTlsOptions): Promise<Connection>;
  /** The runtime's fastest native SHA-256. */
  sha256(): Hasher;
  readonly fs: FileSystem;
  readonly host: Host;
}
