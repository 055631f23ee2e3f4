// STARTTLS over socket.upgradeTLS (https://bun.sh/reference/bun/Socket/upgradeTLS): a client
// only. On a socket accepted by Bun.listen, upgradeTLS returns nothing and the socket speaks
// as a TLS client (checked on Bun 1.4.5; oven-sh/bun#25044), so the server role is ENOTSUP.
import {
  NetError,
  toNetError,
  type Connection,
  type StartTlsOptions,
  type TlsClientOptions,
} from "@netparity/protocol";
import type { SocketHandler } from "bun";
import { BunConnection } from "./connection.js";
import { BUN_UPGRADE_UNVERIFIED, clientTlsOptions, clientVerdict, verdictError } from "./tls.js";

const HANDLERS: SocketHandler<BunConnection | undefined> = {
  ...BunConnection.tlsHandlers,
  open(s) {
    if (s.data) BunConnection.attach(s.data, s);
  },
};

export async function startTls(conn: Connection, options: StartTlsOptions): Promise<Connection> {
  if (options.role === "server")
    throw new NetError("ENOTSUP", "Bun's upgradeTLS cannot take the server side", { operation: "startTls" });
  if (!(conn instanceof BunConnection))
    throw new NetError("EINVAL", "startTls takes a plaintext TCP connection of this runtime", {
      operation: "startTls",
    });
  const remote = conn.remoteAddress.transport === "tcp" ? conn.remoteAddress.hostname : "";
  const socket = conn.release();
  const next = new BunConnection(conn.localAddress, conn.remoteAddress);
  const handshake = next.handshake();
  handshake.catch(() => undefined);
  const tls: TlsClientOptions = { ...options.tls, servername: options.tls.servername ?? options.hostname ?? remote };
  let pair: ReturnType<typeof socket.upgradeTLS<BunConnection | undefined>>;
  try {
    pair = socket.upgradeTLS<BunConnection | undefined>({ data: next, tls: clientTlsOptions(tls), socket: HANDLERS });
  } catch (e) {
    socket.end();
    throw toNetError(e, "startTls");
  }
  // The raw socket keeps its handlers and is handed every ciphertext record: no one listens.
  pair[0].data = undefined;
  BunConnection.attach(next, pair[1]);
  const verdict = clientVerdict(await handshake, tls, remote, BUN_UPGRADE_UNVERIFIED);
  if (!verdict.success) {
    const error = verdictError(verdict);
    next.destroy(error);
    throw error;
  }
  return next;
}
