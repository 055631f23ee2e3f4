/**
 * The public types of the WinterTC Sockets API draft (index.bs of
 * WinterTC55/proposal-sockets-api), with netparity's extensions marked `@extension`.
 */

/** "anysocketaddress-type": `{ hostname, port }`. */
export interface SocketAddress {
  hostname: string;
  port: number;
}

/** A SocketAddress or a "hostname:port" string ("[::1]:443" for IPv6). */
export type AnySocketAddress = string | SocketAddress;

export type SecureTransportKind = "off" | "on" | "starttls";

/** "socketoptions-dictionary". */
export interface SocketOptions {
  /** Default "off". "on": TLS from the start; "starttls": plaintext until `startTls()`. */
  secureTransport?: SecureTransportKind;
  /** Default false: when the peer sends FIN, the writable and the socket close too. */
  allowHalfOpen?: boolean;
  /** TLS Server Name Indication, and the name the certificate is verified against. Only with secureTransport "on" or "starttls". */
  sni?: string | null;
  /** ALPN protocols to offer. Only with secureTransport "on" or "starttls". */
  alpn?: string[];
  /**
   * @extension Not in the draft (asked for in WinterTC55/proposal-sockets-api#34): aborting
   * the signal closes the socket with the signal's reason, as `close(reason)` does.
   */
  signal?: AbortSignal;
}

/** "socketinfo-dictionary": what `opened` resolves to. */
export interface SocketInfo {
  /** "host:port" of the peer (IPv6 in brackets). */
  remoteAddress: string | null;
  /** "host:port" of this end. */
  localAddress: string | null;
  /** The ALPN protocol the server agreed to, else null. */
  alpn: string | null;
}

/** Bytes a socket's writable accepts: any BufferSource, and (an extension) a string, written as UTF-8. */
export type SocketChunk = Uint8Array | ArrayBufferView | ArrayBuffer | string;

/** "socket-class". */
export interface Socket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<SocketChunk>;
  readonly opened: Promise<SocketInfo>;
  readonly closed: Promise<void>;
  readonly upgraded: boolean;
  close(reason?: unknown): Promise<void>;
  startTls(): Socket;
}

/**
 * The settings of a binding object ("binding-object-concept"), which the draft leaves to the
 * implementation: TLS settings for every socket its `connect` makes.
 */
export interface BindingOptions {
  tls?: {
    /** PEM CA certificates trusted instead of the runtime's default store (a private CA). */
    ca?: string;
  };
}

/** A binding object: "an object that exposes a connect method conformant with this specification". */
export interface Binding {
  connect(address: AnySocketAddress, options?: SocketOptions): Socket;
}
