// TLS over Bun.listen / Bun.connect with their `tls` option: https://bun.sh/docs/api/tcp#tls
// Bun's TLS is BoringSSL with node:tls's option names and error codes.
import type { TLSOptions } from "bun";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { NetError, type NetErrorCode, type TlsClientOptions, type TlsServerOptions } from "@netparity/protocol";
import type { TlsVerdict } from "./connection.js";

/**
 * ALPN as the TLS wire format (each name prefixed by its length): Bun's ALPNProtocols takes
 * a string or bytes, not node:tls's array, and a plain string is not split into names.
 */
function alpnWire(protocols: readonly string[]): Uint8Array {
  const names = protocols.map((p) => new TextEncoder().encode(p));
  const out = new Uint8Array(names.reduce((n, b) => n + 1 + b.byteLength, 0));
  let off = 0;
  for (const name of names) {
    if (name.byteLength === 0 || name.byteLength > 255)
      throw new NetError("EINVAL", "an ALPN protocol name has 1 to 255 bytes", { operation: "tls" });
    out[off++] = name.byteLength;
    out.set(name, off);
    off += name.byteLength;
  }
  return out;
}

export function serverTlsOptions(tls: TlsServerOptions): TLSOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.requestCert ? { requestCert: true } : {}),
    // The verdict on a client certificate is taken in the listener (a client without one is
    // accepted, one with a bad one is dropped): with rejectUnauthorized Bun would refuse both.
    rejectUnauthorized: false,
    ...(tls.alpn?.length ? { ALPNProtocols: alpnWire(tls.alpn) } : {}),
  };
}

export function clientTlsOptions(tls: TlsClientOptions): TLSOptions {
  return {
    // Always set: Bun.connect treats `tls: {}` as no TLS at all and connects in plaintext
    // (checked on Bun 1.4.5: the peer received a bare TCP stream), so the object is never empty.
    rejectUnauthorized: tls.verify !== false,
    // Without servername Bun verifies against the connect hostname, an IP literal against the
    // certificate's IP SANs (and sends no SNI for it), as node:tls does.
    ...(tls.servername ? { serverName: tls.servername } : {}),
    ...(tls.ca ? { ca: tls.ca } : {}),
    ...(tls.cert ? { cert: tls.cert } : {}),
    ...(tls.key ? { key: tls.key } : {}),
    ...(tls.alpn?.length ? { ALPNProtocols: alpnWire(tls.alpn) } : {}),
  };
}

/** OpenSSL verify results (as node:tls names them, which Bun follows) onto the CERT_* codes. */
const CERT_CODES: Record<string, NetErrorCode> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "CERT_UNTRUSTED",
  UNABLE_TO_GET_ISSUER_CERT: "CERT_UNTRUSTED",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "CERT_UNTRUSTED",
  DEPTH_ZERO_SELF_SIGNED_CERT: "CERT_UNTRUSTED",
  SELF_SIGNED_CERT_IN_CHAIN: "CERT_UNTRUSTED",
  CERT_UNTRUSTED: "CERT_UNTRUSTED",
  CERT_REJECTED: "CERT_UNTRUSTED",
  CERT_SIGNATURE_FAILURE: "CERT_UNTRUSTED",
  INVALID_CA: "CERT_UNTRUSTED",
  ERR_TLS_CERT_ALTNAME_INVALID: "CERT_HOSTNAME_MISMATCH",
  HOSTNAME_MISMATCH: "CERT_HOSTNAME_MISMATCH",
  CERT_HAS_EXPIRED: "CERT_EXPIRED",
  CERT_NOT_YET_VALID: "CERT_EXPIRED",
};

/** The upstream issues behind clientVerdict(): Bun.connect's, and its twin in socket.upgradeTLS. */
export const BUN_CONNECT_UNVERIFIED = "oven-sh/bun#33846";
export const BUN_UPGRADE_UNVERIFIED = "oven-sh/bun#34798";

/**
 * The client's verdict under verification, whatever Bun made of rejectUnauthorized. Bun before
 * 1.4 neither refuses a certificate that failed verification nor checks the name
 * (oven-sh/bun#33846 for Bun.connect, oven-sh/bun#34798 for upgradeTLS, both fixed by
 * oven-sh/bun#33755; checked on 1.2.23, 1.3.0 and 1.3.14): `handshake` reports success with
 * the verify error as its third argument, socket.authorized is true and data flows. As
 * node:tls does, a verify error or a name the certificate does not cover refuses the
 * handshake here; on 1.4 Bun has refused it already and the verdict passes through. A refusal
 * made here carries `runtimeAccepted` (the issue), so reports tell it from Bun's own.
 */
export function clientVerdict(verdict: TlsVerdict, tls: TlsClientOptions, host: string, issue: string): TlsVerdict {
  if (!verdict.success || tls.verify === false) return verdict;
  if (verdict.error) return { ...verdict, success: false, runtimeAccepted: issue };
  const error = checkServerIdentity(tls.servername || host, verdict.peer ?? ({} as PeerCertificate));
  return error ? { ...verdict, success: false, error, runtimeAccepted: issue } : verdict;
}

/** The NetError for a handshake whose verdict was a refusal. */
export function verdictError(verdict: TlsVerdict): NetError {
  const cause = verdict.error ?? undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause?.message ?? "the TLS handshake was refused";
  const accepted = verdict.runtimeAccepted;
  return new NetError(
    (typeof code === "string" ? CERT_CODES[code] : undefined) ?? "TLS_HANDSHAKE",
    accepted ? `${message} (Bun accepted it; refused by the adapter, ${accepted})` : message,
    { cause, operation: "handshake", ...(accepted ? { runtimeAccepted: accepted } : {}) },
  );
}
