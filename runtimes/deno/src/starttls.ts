// STARTTLS over Deno.startTls (https://docs.deno.com/api/deno/~/Deno.startTls): a client only.
// Deno has no server-side upgrade (denoland/deno#18451), so the server role is ENOTSUP.
import { closeQuietly, NetError, type Connection, type StartTlsOptions } from "@netparity/protocol";
import { DenoConnection } from "./connection.js";
import { denoNetError } from "./errors.js";
import { tlsError, tlsInfo } from "./tls.js";

/** As connectTls: verification cannot be skipped, and Deno.startTls takes no client certificate (denoland/deno#21496). */
export async function startTls(conn: Connection, options: StartTlsOptions): Promise<Connection> {
  if (options.role === "server")
    throw new NetError("ENOTSUP", "Deno.startTls takes the client side only", { operation: "startTls" });
  if (!(conn instanceof DenoConnection))
    throw new NetError("EINVAL", "startTls takes a plaintext TCP connection of this runtime", {
      operation: "startTls",
    });
  const { tls } = options;
  if (tls.verify === false)
    throw new NetError("ENOTSUP", "Deno.startTls cannot skip certificate verification", { operation: "startTls" });
  if (tls.cert || tls.key)
    throw new NetError("ENOTSUP", "Deno.startTls takes no client certificate", { operation: "startTls" });
  const remote = conn.remoteAddress.transport === "tcp" ? conn.remoteAddress.hostname : "";
  const tcp = conn.release();
  let upgraded: Deno.TlsConn;
  try {
    upgraded = await Deno.startTls(tcp, {
      hostname: tls.servername ?? options.hostname ?? remote,
      caCerts: tls.ca ? [tls.ca] : [],
      ...(tls.alpn?.length ? { alpnProtocols: [...tls.alpn] } : {}),
    });
  } catch (e) {
    closeQuietly(tcp);
    throw denoNetError(e, "startTls");
  }
  let info: Deno.TlsHandshakeInfo;
  try {
    info = await upgraded.handshake();
  } catch (e) {
    closeQuietly(upgraded);
    throw tlsError(e);
  }
  return new DenoConnection(upgraded, tlsInfo(info));
}
