/**
 * The WinterTC Sockets API `connect()` over any netparity Runtime, runtime-neutral: what differs
 * between runtimes it learns from `rt.features`. The package's bindings (node.ts, bun.ts,
 * deno.ts, chosen by export condition) bind it to their runtime's adapter; netparity's agents
 * bind it to the adapter they run with (export "./core").
 */
import type { Runtime, TlsClientOptions } from "@netparity/protocol";
import { parseAddress } from "./address.js";
import { SocketError } from "./errors.js";
import { newSocket, type Socket } from "./socket.js";
import type { AnySocketAddress, Binding, BindingOptions, SocketOptions } from "./types.js";

export { SocketError } from "./errors.js";
export type { Socket } from "./socket.js";
export type * from "./types.js";

export interface Sockets {
  /** "connect-section": a socket in a pending state, at once. */
  connect(address: AnySocketAddress, options?: SocketOptions): Socket;
  /** A binding object ("binding-object-concept") whose `connect` uses these TLS settings. */
  sockets(options: BindingOptions): Binding & { connect(address: AnySocketAddress, options?: SocketOptions): Socket };
}

const KINDS = ["off", "on", "starttls"];

function bind(rt: Runtime, borrowedReads: boolean, binding: BindingOptions) {
  return (address: AnySocketAddress, options: SocketOptions = {}): Socket => {
    const { hostname, port } = parseAddress(address);
    const secureTransport = options.secureTransport ?? "off";
    if (!KINDS.includes(secureTransport))
      throw new SocketError(`secureTransport must be "off", "on" or "starttls", not "${String(secureTransport)}"`);
    const sni = options.sni ?? undefined;
    const alpn = options.alpn ?? [];
    // "socketoptions-dictionary": sni and alpn "may be specified if and only if secureTransport is on or starttls".
    if (secureTransport === "off" && (sni !== undefined || alpn.length > 0))
      throw new SocketError('sni and alpn need secureTransport "on" or "starttls"');
    const tlsOptions: TlsClientOptions = {
      ...(binding.tls?.ca !== undefined ? { ca: binding.tls.ca } : {}),
      ...(sni !== undefined ? { servername: sni } : {}),
      ...(alpn.length > 0 ? { alpn } : {}),
    };
    return newSocket({
      rt,
      secureTransport,
      tls: secureTransport === "on",
      allowHalfOpen: options.allowHalfOpen ?? false,
      hostname,
      tlsOptions,
      borrowedReads,
      ...(options.signal ? { signal: options.signal } : {}),
      open: (signal) =>
        secureTransport === "on"
          ? rt.connect({ transport: "tls", hostname, port, signal, tls: tlsOptions })
          : rt.connect({ transport: "tcp", hostname, port, signal }),
    });
  };
}

/**
 * `connect` and `sockets` over `rt`.
 * @example const { connect } = createSockets(nodeRuntime); const s = connect("127.0.0.1:7");
 */
export function createSockets(rt: Runtime): Sockets {
  // A reader may keep every chunk; where the adapter reuses its read buffer on the next read
  // (features.reusesReadBuffer: Deno's), the readable hands out copies.
  const borrowed = rt.features.reusesReadBuffer;
  return {
    connect: bind(rt, borrowed, {}),
    sockets: (binding) => ({ connect: bind(rt, borrowed, binding) }),
  };
}
