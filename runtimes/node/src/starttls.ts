/**
 * STARTTLS over node:tls: tls.connect({ socket }) for a client, new TLSSocket(socket, { isServer })
 * for a server, both over the connection's own net.Socket.
 * https://nodejs.org/api/tls.html#tlsconnectoptions-callback  https://nodejs.org/api/tls.html#class-tlstlssocket
 */
import { connect as tlsConnect, TLSSocket } from "node:tls";
import { DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS, NetError, type Connection, type StartTlsOptions } from "@netparity/protocol";
import { NodeConnection } from "./connection.js";
import { clientOptions, serverOptions, tlsNetError } from "./tls.js";

export function startTls(conn: Connection, options: StartTlsOptions): Promise<Connection> {
  if (!(conn instanceof NodeConnection) || conn.localAddress.transport !== "tcp" || conn.tlsInfo() !== null) {
    return Promise.reject(
      new NetError("EINVAL", "startTls takes a plaintext TCP connection of this runtime", { operation: "startTls" }),
    );
  }
  let socket: ReturnType<NodeConnection["release"]>;
  try {
    socket = conn.release();
  } catch (e) {
    return Promise.reject(e);
  }
  return new Promise((resolve, reject) => {
    let tls: TLSSocket;
    let timer: ReturnType<typeof setTimeout> | undefined;
    if (options.role === "client") {
      const remote = conn.remoteAddress.transport === "tcp" ? conn.remoteAddress.hostname : "";
      const { host: _host, port: _port, ...rest } = clientOptions(options.hostname ?? remote, 0, options.tls);
      tls = tlsConnect({ ...rest, socket });
    } else {
      // A TLSSocket built by hand has no handshakeTimeout (that is tls.Server's): a timer of ours.
      const { handshakeTimeout: _h, allowHalfOpen: _a, ...rest } = serverOptions(options.tls);
      tls = new TLSSocket(socket, { ...rest, isServer: true });
      const ms = options.tls.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
      if (ms > 0)
        timer = setTimeout(
          () => onError(new NetError("TLS_HANDSHAKE", "the TLS handshake timed out", { operation: "startTls" })),
          ms,
        );
    }
    const secureEvent = options.role === "client" ? "secureConnect" : "secure";
    const settle = (): void => {
      clearTimeout(timer);
      tls.off("error", onError);
      tls.off(secureEvent, onSecure);
      tls.off("close", onClose);
    };
    const onError = (e: unknown): void => {
      settle();
      tls.destroy();
      socket.destroy();
      reject(tlsNetError(e, "startTls"));
    };
    const onClose = (): void =>
      onError(
        new NetError("TLS_HANDSHAKE", "the connection closed during the TLS handshake", { operation: "startTls" }),
      );
    const onSecure = (): void => {
      settle();
      resolve(new NodeConnection(tls));
    };
    tls.once("error", onError);
    tls.once(secureEvent, onSecure);
    tls.once("close", onClose);
  });
}
