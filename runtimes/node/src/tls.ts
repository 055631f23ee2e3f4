/**
 * TLS over node:tls: option mapping and the error codes of a failed handshake.
 * https://nodejs.org/api/tls.html
 */
import { isIP } from "node:net";
import {
  checkServerIdentity,
  createSecureContext,
  type ConnectionOptions,
  type PeerCertificate,
  type SecureContext,
  type TlsOptions,
  type TLSSocket,
} from "node:tls";
import {
  DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS,
  NetError,
  toNetError,
  type TlsClientOptions,
  type TlsInfo,
  type TlsServerOptions,
} from "@netparity/protocol";

/** The largest delay a Node timer takes (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export function serverOptions(tls: TlsServerOptions): TlsOptions {
  const handshakeMs = tls.handshakeTimeoutMs ?? DEFAULT_TLS_HANDSHAKE_TIMEOUT_MS;
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
    // A client without a certificate is still accepted: requestCert asks, it does not require.
    ...(tls.requestCert ? { requestCert: true, rejectUnauthorized: false } : {}),
    ...(tls.alpn?.length ? { ALPNProtocols: [...tls.alpn] } : {}),
    // Node's handshakeTimeout (120 s by default) is an inactivity timeout on the socket
    // (socket.setTimeout until "secure"), so a client that trickles its handshake restarts it;
    // and 0 means the default, hence the largest timer for "none". It only emits tlsClientError:
    // the listener (stream.ts) destroys the socket.
    handshakeTimeout: handshakeMs > 0 ? Math.min(handshakeMs, MAX_TIMER_MS) : MAX_TIMER_MS,
    allowHalfOpen: true,
  };
}

/**
 * One SecureContext per set of client credentials. Given `ca`/`cert`/`key`, tls.connect
 * builds a new context for every connection (parsing the PEMs and loading the CA store each
 * time): the TLS handshake bench measured the adapter's client at 3.19 CPU s per 1000
 * handshakes against 2.13 for a raw client that shares one context, as Node's documentation
 * recommends (https://nodejs.org/api/tls.html#tlscreatesecurecontextoptions).
 */
const clientContexts = new Map<string, SecureContext>();
const MAX_CLIENT_CONTEXTS = 16;

function clientContext(tls: TlsClientOptions): SecureContext {
  const key = JSON.stringify([tls.ca ?? null, tls.cert ?? null, tls.key ?? null]);
  let ctx = clientContexts.get(key);
  if (!ctx) {
    ctx = createSecureContext({
      ...(tls.ca !== undefined ? { ca: tls.ca } : {}),
      ...(tls.cert !== undefined ? { cert: tls.cert } : {}),
      ...(tls.key !== undefined ? { key: tls.key } : {}),
    });
    // A bounded cache: a program that makes many different contexts keeps the latest few.
    if (clientContexts.size >= MAX_CLIENT_CONTEXTS) clientContexts.delete(clientContexts.keys().next().value as string);
    clientContexts.set(key, ctx);
  }
  return ctx;
}

/** tls.connect passes allowHalfOpen to its TLSSocket, though @types/node does not declare it there. */
export function clientOptions(
  hostname: string,
  port: number,
  tls: TlsClientOptions,
): ConnectionOptions & { allowHalfOpen: boolean } {
  const name = tls.servername ?? hostname;
  // RFC 6066 forbids an IP literal as SNI (Node warns when asked to send one): the name is then
  // only checked against the certificate's IP SANs.
  const sni = isIP(name) === 0 ? name : undefined;
  return {
    host: hostname,
    port,
    ...(sni !== undefined ? { servername: sni } : {}),
    checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert),
    ...(tls.ca !== undefined || tls.cert !== undefined ? { secureContext: clientContext(tls) } : {}),
    ...(tls.alpn?.length ? { ALPNProtocols: [...tls.alpn] } : {}),
    rejectUnauthorized: tls.verify !== false,
    allowHalfOpen: true,
  };
}

const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
]);

/** Node names verification failures by OpenSSL's X509_V_ERR_* names and handshake failures ERR_SSL_*. */
export function tlsNetError(e: unknown, operation: string): NetError {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === "string") {
    if (UNTRUSTED.has(code)) return new NetError("CERT_UNTRUSTED", `${code}: ${message}`, { cause: e, operation });
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID")
      return new NetError("CERT_HOSTNAME_MISMATCH", message, { cause: e, operation });
    if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID")
      return new NetError("CERT_EXPIRED", `${code}: ${message}`, { cause: e, operation });
    if (code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || /alert/i.test(message))
      return new NetError("TLS_HANDSHAKE", `${code}: ${message}`, { cause: e, operation });
  }
  return toNetError(e, operation);
}

export function tlsInfoOf(socket: TLSSocket): TlsInfo {
  const cipher = socket.getCipher() as { name?: string; standardName?: string } | undefined;
  const peer = socket.getPeerCertificate();
  const hasPeer = peer !== null && typeof peer === "object" && Object.keys(peer).length > 0;
  const cn = hasPeer ? peer.subject?.CN : undefined;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: cipher?.standardName ?? cipher?.name ?? null,
    alpn: typeof socket.alpnProtocol === "string" ? socket.alpnProtocol : null,
    peerSubject: typeof cn === "string" ? cn : Array.isArray(cn) ? cn.join(",") : null,
    peerSan: hasPeer && peer.subjectaltname ? peer.subjectaltname.split(", ") : null,
  };
}

/**
 * The certificate or key given to this side could not be loaded: OpenSSL raises it while the
 * secure context is made (ERR_OSSL_PEM_NO_START_LINE for what is not PEM,
 * ERR_OSSL_X509_KEY_VALUES_MISMATCH for another certificate's key, ERR_OSSL_UNSUPPORTED for a
 * key it cannot decode). Bun (BoringSSL) raises the same ERR_OSSL_* names.
 */
export function credentialsError(e: unknown, operation: string): NetError {
  const code = (e as { code?: unknown } | null)?.code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === "string" && code.startsWith("ERR_OSSL_"))
    return new NetError("TLS_CREDENTIALS", `${code}: ${message}`, { cause: e, operation });
  return toNetError(e, operation);
}
