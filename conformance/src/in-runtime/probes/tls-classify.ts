/**
 * The classification half of the TLS probes (tls.ts does the I/O): pure functions from what a
 * probe observed to its short stable outcome, so that every outcome can be checked against
 * recorded evidence without a runtime.
 */
import type { TlsInfo } from "@netparity/protocol";
import { codeOfEvidence, type ErrorEvidence, isErrorEvidence, shapeOf } from "./errors-classify.js";
import type { ProbeVerdict } from "./types.js";

/**
 * A TLS connect or upgrade that failed: the error's code and shape (shapeOf), and
 * `runtimeAccepted` (the upstream issue) when the runtime's own API accepted the handshake and
 * the adapter refused it to keep the contract (NetError.runtimeAccepted).
 */
export interface Failure {
  state: "failed";
  code: string;
  shape: string;
  runtimeAccepted?: string;
}

/** The Failure behind an error's evidence (errorEvidence() in util.ts). */
export function failureFromEvidence(e: ErrorEvidence): Failure {
  const accepted = "code" in e ? e.runtimeAccepted : undefined;
  return {
    state: "failed",
    code: codeOfEvidence(e),
    shape: shapeOf(e),
    ...(accepted ? { runtimeAccepted: accepted } : {}),
  };
}

/**
 * A failure in a few words: the error shape, or, when the runtime accepted and only the adapter
 * refused, that fact (so a runtime that does not refuse never reads like one that does).
 */
export function failureShape(f: Failure): string {
  return f.runtimeAccepted ? `refused by adapter (${f.code}); runtime accepted` : f.shape;
}

/** How one TLS connect attempt ended within the probe's wait. */
export type Attempt = { state: "connected"; info: TlsInfo | null } | Failure | { state: "pending"; ms: number };

/** A failed attempt in a few words: the error shape, or what happened instead of an error. */
function failureLabel(a: Attempt): string {
  if (a.state === "failed") return failureShape(a);
  if (a.state === "pending") return "handshake hangs";
  return "connected";
}

/** tls.default-version: the protocol version the client reports. */
export function classifyVersion(a: Attempt): string {
  if (a.state !== "connected") return `no handshake: ${failureLabel(a)}`;
  const p = a.info?.protocol;
  return p ? p : "not reported";
}

/** tls.alpn-none: what both ends report as ALPN when neither offered any. */
export function classifyAlpnNone(a: Attempt, serverAlpn: string | null | undefined): string {
  if (a.state !== "connected") return `no handshake: ${failureLabel(a)}`;
  const c = a.info?.alpn ?? null;
  const s = serverAlpn ?? null;
  if (c === null && s === null) return "none (null)";
  return `agreed without offers: client ${c}, server ${s}`;
}

/** tls.alpn-select: whose order of preference decided the protocol. */
export function classifyAlpnSelect(
  a: Attempt,
  serverAlpn: string | null | undefined,
  serverPrefers: string,
  clientPrefers: string,
): string {
  if (a.state !== "connected") return `no handshake: ${failureLabel(a)}`;
  const c = a.info?.alpn ?? null;
  const s = serverAlpn === undefined ? c : serverAlpn;
  if (c !== s) return `ends disagree: client ${c}, server ${s}`;
  if (c === null) return "none agreed";
  if (c === serverPrefers) return `server preference (${c})`;
  if (c === clientPrefers) return `client preference (${c})`;
  return `other (${c})`;
}

/** tls.alpn-mismatch: no protocol in common. */
export function classifyAlpnMismatch(a: Attempt): string {
  if (a.state === "connected") return `connects, alpn ${a.info?.alpn ?? "null"}`;
  if (a.state === "pending") return "handshake hangs";
  return `fails: ${a.code}`;
}

/** tls.sni-ip: verification of an IP literal against the certificate's IP SAN. */
export function classifyIpVerification(a: Attempt): string {
  if (a.state === "connected") return "verified";
  return `fails: ${failureLabel(a)}`;
}

/** tls.untrusted-ca, tls.hostname-mismatch, tls.expired: a certificate that must be refused. */
export function classifyRefusal(a: Attempt): string {
  if (a.state === "connected") return "connected (not refused)";
  return failureLabel(a);
}

/** tls.verify-off: verification turned off against a certificate of an unknown CA. */
export function classifyVerifyOff(a: Attempt): string {
  if (a.state === "connected") return "connected";
  if (a.state === "failed" && a.code === "ENOTSUP") return "unsupported: ENOTSUP";
  return `refused: ${failureLabel(a)}`;
}

/** tls.client-cert-absent: a server that asks for a client certificate, a client without one. */
export function classifyClientCertAbsent(o: {
  listen: string | null;
  attempt?: Attempt;
  /** How the round trip after the handshake went: "ok", "eof", an error code or "pending". */
  roundTrip?: string;
}): string {
  if (o.listen !== null) return o.listen === "ENOTSUP" ? "unsupported: ENOTSUP" : `listen fails: ${o.listen}`;
  const a = o.attempt;
  if (!a || a.state === "pending") return "handshake hangs";
  if (a.state === "failed") return `refused: ${a.code}`;
  if (o.roundTrip === "ok") return "connected";
  return `dropped after handshake: ${o.roundTrip ?? "no round trip"}`;
}

/** tls.half-close: the steps of a half-close over TLS, each "ok", an error code, "pending" or a text. */
export function classifyHalfClose(o: {
  closeWrite: string;
  serverSawEof: boolean;
  serverWrite?: string;
  clientGot?: string;
  expected: string;
}): string {
  if (o.closeWrite !== "ok") return `closeWrite fails ${o.closeWrite}`;
  if (!o.serverSawEof) return "no-eof";
  if (o.serverWrite === "pending") return "server write hangs";
  if (o.serverWrite !== "ok") return `server write fails ${o.serverWrite}`;
  return o.clientGot === o.expected ? "server writes after FIN" : "reply lost";
}

export interface TlsRecordHeader {
  /** Content type: 20 change_cipher_spec, 21 alert, 22 handshake, 23 application data. */
  type: number;
  length: number;
}

/** The record headers in a run of TLS bytes that starts at a record boundary; `partial` when the last one is cut. */
export function tlsRecords(bytes: Uint8Array): { records: TlsRecordHeader[]; partial: boolean } {
  const records: TlsRecordHeader[] = [];
  let off = 0;
  while (off + 5 <= bytes.byteLength) {
    const type = bytes[off] ?? 0;
    const length = ((bytes[off + 3] ?? 0) << 8) | (bytes[off + 4] ?? 0);
    records.push({ type, length });
    off += 5 + length;
  }
  return { records, partial: off !== bytes.byteLength };
}

/**
 * Largest record that can be an encrypted alert: TLS 1.3 hides the alert inside an
 * application-data record (2 alert bytes + 1 inner type byte + a 16-byte AEAD tag = 19 bytes);
 * TLS 1.2 with AES-GCM adds an 8-byte explicit nonce (26). Data records here are far larger.
 */
export const ALERT_RECORD_MAX = 40;

/**
 * tls.close-notify: what the closing side sent after close(), seen by a relay in between:
 * the records after the last data exchange, and how the byte stream ended there ("eof", an
 * error code such as ECONNRESET, or "pending" when it had not ended within the wait).
 * `afterPeerClose` says the stream ended only after the probe closed the other end as well.
 */
export function classifyCloseTail(records: readonly TlsRecordHeader[], end: string, afterPeerClose = false): string {
  const alertLike = records.some((r) => r.type === 21 || (r.type === 23 && r.length <= ALERT_RECORD_MAX));
  const sent = alertLike ? "close_notify" : records.length > 0 ? "other records" : null;
  const ending = end === "eof" ? "FIN" : end === "ECONNRESET" ? "reset" : end === "pending" ? null : `fails ${end}`;
  const when = ending && afterPeerClose ? `${ending} after the peer closed` : ending;
  if (sent === null) {
    if (ending === "FIN")
      return afterPeerClose ? "FIN without close_notify, after the peer closed" : "FIN without close_notify";
    return when ?? "nothing sent, no FIN";
  }
  return when ? `${sent} then ${when}` : `${sent}, no FIN`;
}

/** tls.largest-read: the largest chunk as a power-of-two bucket, as tcp.read-chunk-max does. */
export function classifyChunk(maxChunk: number): string {
  if (maxChunk <= 0) return "no data";
  let bucket = 1024;
  while (bucket < maxChunk) bucket *= 2;
  return `≤ ${bucket / 1024} KiB`;
}

/** tls.cipher-name: the format of the cipher suite name the runtime reports. */
export function classifyCipher(a: Attempt): string {
  if (a.state !== "connected") return `no handshake: ${failureLabel(a)}`;
  const name = a.info?.cipher ?? null;
  if (name === null) return "not reported";
  if (/^TLS_[A-Z0-9_]+$/.test(name)) return `IANA ${name}`;
  if (/^[A-Z0-9]+(-[A-Z0-9]+)+$/.test(name)) return `OpenSSL-style ${name}`;
  return `own name ${name}`;
}

/** tls.peer-certificate: which parts of the server's certificate the client can see. */
export function classifyPeer(a: Attempt): string {
  if (a.state !== "connected") return `no handshake: ${failureLabel(a)}`;
  const subject = a.info?.peerSubject ?? null;
  const san = a.info?.peerSan ?? null;
  if (subject !== null && san !== null) return "subject and SAN";
  if (subject !== null) return "subject only";
  if (san !== null) return "SAN only";
  return "not exposed";
}

/** tls.rsa-server: a handshake with an RSA-2048 server certificate. */
export function classifyRsa(a: Attempt): string {
  if (a.state === "connected") return "connected";
  return `fails: ${failureLabel(a)}`;
}

/**
 * The Attempt behind a TLS probe's recorded evidence (what tlsConnect() records): the client's
 * tlsInfo when it connected, the error when it failed, how long it waited when it hung.
 */
export function attemptFromEvidence(e: {
  clientInfo?: TlsInfo | null;
  error?: ErrorEvidence;
  pendingAfterMs?: number;
}): Attempt {
  if (e.error !== undefined) return failureFromEvidence(e.error);
  if (e.pendingAfterMs !== undefined) return { state: "pending", ms: e.pendingAfterMs };
  return { state: "connected", info: e.clientInfo ?? null };
}

/** The evidence of a TLS probe that did not run: the parent gave no certificates. */
export interface NoCertsEvidence {
  certificates: "none given";
}

export const NO_CERTS: NoCertsEvidence = { certificates: "none given" };

/** A TLS probe's classifier, which also reads the evidence of a probe that did not run (NO_CERTS). */
export function withCertificates<E extends object>(
  classify: (e: E) => ProbeVerdict,
): (e: E | NoCertsEvidence) => ProbeVerdict {
  return (e) =>
    "certificates" in e && e.certificates === NO_CERTS.certificates
      ? {
          outcome: "unsupported: no certificates",
          explanation: "Not run: the parent passed no certificates to the probes agent.",
        }
      : classify(e as E);
}

/** What tlsConnect() records: the client's tlsInfo, the error (and its message as a template), or the wait. */
export type ConnectEvidence =
  | { afterMs: number; clientInfo: TlsInfo | null }
  | { afterMs: number; error: ErrorEvidence; messageTemplate?: string }
  | { pendingAfterMs: number };

/**
 * The registered classifiers of the TLS probes (tls.ts): each reads the probe's evidence alone
 * and gives its outcome with the explanation.
 */
export const tlsVerdicts = {
  version(e: ConnectEvidence): ProbeVerdict {
    const outcome = classifyVersion(attemptFromEvidence(e));
    return {
      outcome,
      explanation:
        outcome === "not reported"
          ? "The handshake succeeds, but the runtime's API does not tell which TLS version was agreed."
          : `With no version options on either side the client and server agree on ${outcome}.`,
    };
  },
  alpnNone(e: ConnectEvidence & { serverInfo: TlsInfo | null }): ProbeVerdict {
    const outcome = classifyAlpnNone(attemptFromEvidence(e), e.serverInfo?.alpn);
    return {
      outcome,
      explanation:
        outcome === "none (null)"
          ? "Without ALPN offers both ends report no protocol; the adapters normalize the runtime's own value (false on Node and Bun) to null."
          : `Without ALPN offers the ends report: ${outcome}.`,
    };
  },
  alpnSelect(e: ConnectEvidence & { serverInfo: TlsInfo | null }): ProbeVerdict {
    const outcome = classifyAlpnSelect(attemptFromEvidence(e), e.serverInfo?.alpn, "h2", "http/1.1");
    return { outcome, explanation: `The server prefers h2, the client http/1.1; the handshake settles on ${outcome}.` };
  },
  alpnMismatch(e: ConnectEvidence): ProbeVerdict {
    const a = attemptFromEvidence(e);
    const outcome = classifyAlpnMismatch(a);
    return {
      outcome,
      explanation:
        a.state === "connected"
          ? "The server offers only h2, the client only http/1.1: the handshake still completes, without a protocol."
          : `The server offers only h2, the client only http/1.1: the handshake ends as "${outcome}" (RFC 7301 asks for a no_application_protocol alert).`,
    };
  },
  sniIp(e: ConnectEvidence): ProbeVerdict {
    const outcome = classifyIpVerification(attemptFromEvidence(e));
    return {
      outcome,
      explanation:
        outcome === "verified"
          ? "Connecting to 127.0.0.1 without a servername verifies the certificate against its IP address entry (and sends no SNI)."
          : `Connecting to 127.0.0.1 without a servername, with a certificate listing that IP, ends as "${outcome}".`,
    };
  },
  /** A certificate that must be refused with `expected`; `what` describes the server's certificate. */
  refusal:
    (expected: string, what: string) =>
    (e: ConnectEvidence): ProbeVerdict => {
      const a = attemptFromEvidence(e);
      const outcome = classifyRefusal(a);
      const code = a.state === "failed" ? a.code : null;
      const accepted = a.state === "failed" ? a.runtimeAccepted : undefined;
      return {
        outcome,
        explanation: accepted
          ? `The runtime's own API completed the handshake with a server with ${what} (${accepted}); the adapter refused it with ${a.state === "failed" ? a.shape : code}.`
          : code === expected
            ? `Connecting to a server with ${what} fails with ${expected}; the outcome names the runtime's own error class and code behind it.`
            : a.state === "connected"
              ? `The client connected to a server with ${what}: the certificate was not refused.`
              : `Connecting to a server with ${what} ended as "${outcome}", not with ${expected}.`,
      };
    },
  verifyOff(e: ConnectEvidence): ProbeVerdict {
    const outcome = classifyVerifyOff(attemptFromEvidence(e));
    return {
      outcome,
      explanation:
        outcome === "connected"
          ? "With verification off the client accepts a certificate from a CA it does not know."
          : outcome === "unsupported: ENOTSUP"
            ? "The runtime's TLS client has no per-connection option to skip certificate verification."
            : `With verification off the handshake still ends as "${outcome}".`,
    };
  },
  clientCertAbsent(
    e: { listen: ErrorEvidence } | (ConnectEvidence & { roundTrip: string | null; roundTripError?: ErrorEvidence }),
  ): ProbeVerdict {
    if ("listen" in e) {
      const outcome = classifyClientCertAbsent({ listen: codeOfEvidence(e.listen) });
      return {
        outcome,
        explanation:
          outcome === "unsupported: ENOTSUP"
            ? "The runtime's TLS server has no option to ask for a client certificate."
            : "A TLS server that asks for client certificates could not listen.",
      };
    }
    const outcome = classifyClientCertAbsent({
      listen: null,
      attempt: attemptFromEvidence(e),
      ...(e.roundTrip ? { roundTrip: e.roundTrip } : {}),
    });
    return {
      outcome,
      explanation:
        outcome === "connected"
          ? "A server that asks for a client certificate still accepts a client without one, and data flows both ways."
          : `A server asks for a client certificate and the client has none: ${outcome}.`,
    };
  },
  halfClose(e: ConnectEvidence | HalfCloseEvidence): ProbeVerdict {
    if (!("serverSawEof" in e)) return noConnection(e, "The TLS connection for the half-close did not open.");
    const outcome = classifyHalfClose({
      closeWrite: typeof e.closeWrite === "string" ? e.closeWrite : codeOfEvidence(e.closeWrite),
      serverSawEof: e.serverSawEof,
      ...(e.serverWrite !== null ? { serverWrite: e.serverWrite } : {}),
      ...(e.clientGot !== null ? { clientGot: e.clientGot } : {}),
      expected: HALF_CLOSE_REPLY,
    });
    return {
      outcome,
      explanation:
        outcome === "server writes after FIN"
          ? "After the client's closeWrite() (close_notify and FIN) the server reads EOF and can still answer; the client receives the answer, then EOF."
          : `A half-close over TLS ended as "${outcome}": the server could not answer after the client's closeWrite().`,
    };
  },
  closeNotify(e: CloseNotifyEvidence): ProbeVerdict {
    if ("records" in e) {
      const outcome = classifyCloseTail(e.records, e.streamEnd, e.serverClosedFirst);
      return {
        outcome,
        explanation: outcome.startsWith("close_notify")
          ? `On close() the client sends one small encrypted record, a TLS alert recognized by its size since TLS 1.3 sends it as type 23, then ${e.serverClosedFirst ? "sends its TCP FIN only once the server closed too" : "its TCP FIN"}.`
          : `On close() a relay between client and server saw "${outcome}"; a close_notify would be one small record before the FIN.`,
      };
    }
    if (isErrorEvidence(e) || "roundTrip" in e)
      return {
        outcome: `no round trip: ${isErrorEvidence(e) ? codeOfEvidence(e) : "pending"}`,
        explanation:
          "Data did not make it through the relay before the close, so there was nothing to compare against.",
      };
    return noConnection(e, "The TLS connection through the relay did not open.");
  },
  largestRead(
    e: ConnectEvidence | { maxChunk: number; reads: number; bytes: number; averageChunk: number },
  ): ProbeVerdict {
    if (!("maxChunk" in e)) return noConnection(e, "The TLS connection for the large read did not open.");
    return {
      outcome: classifyChunk(e.maxChunk),
      explanation: `Reading 1 MiB over TLS took ${e.reads} reads; the largest returned ${e.maxChunk} bytes (a TLS record carries at most 16 KiB).`,
    };
  },
  cipher(e: ConnectEvidence): ProbeVerdict {
    const outcome = classifyCipher(attemptFromEvidence(e));
    return {
      outcome,
      explanation:
        outcome === "not reported"
          ? "The handshake succeeds, but the runtime's API does not tell which cipher suite was agreed."
          : `The client reports the agreed cipher suite as ${outcome} (IANA names start with TLS_).`,
    };
  },
  peer(e: ConnectEvidence): ProbeVerdict {
    const outcome = classifyPeer(attemptFromEvidence(e));
    return {
      outcome,
      explanation:
        outcome === "not exposed"
          ? "After the handshake the runtime's API shows neither the subject nor the alternative names of the server's certificate."
          : `After the handshake the client sees the server certificate's ${outcome}.`,
    };
  },
  rsa(e: ConnectEvidence): ProbeVerdict {
    const outcome = classifyRsa(attemptFromEvidence(e));
    return {
      outcome,
      explanation:
        outcome === "connected"
          ? "A server with an RSA-2048 certificate (the other probes use ECDSA P-256) completes a verified handshake."
          : `A handshake with an RSA-2048 server certificate ends as "${outcome}".`,
    };
  },
};

/** What the server sends after the client's closeWrite() in tls.half-close. */
export const HALF_CLOSE_REPLY = "pong after FIN";

/** tls.half-close: each step "ok", an error (closeWrite), an error code or "pending"; null for a step not taken. */
export interface HalfCloseEvidence {
  closeWrite: string | ErrorEvidence;
  serverGot: string;
  serverSawEof: boolean;
  serverWrite: string | null;
  clientGot: string | null;
  clientSawEof: boolean | null;
}

/**
 * tls.close-notify: the records a relay saw after the client's close(), and how the stream
 * ended; or the connect attempt when no connection opened, or the error (or the wait) of the
 * round trip before the close.
 */
export type CloseNotifyEvidence =
  | {
      bytesAfterClose: number;
      records: TlsRecordHeader[];
      partial: boolean;
      streamEnd: string;
      serverClosedFirst: boolean;
    }
  | ConnectEvidence
  | ErrorEvidence
  | { roundTrip: "pending"; afterMs: number };

/** A probe whose TLS connection did not open: the connect attempt's label, under "no connection". */
function noConnection(e: ConnectEvidence, explanation: string): ProbeVerdict {
  return { outcome: `no connection: ${classifyRefusal(attemptFromEvidence(e))}`, explanation };
}
