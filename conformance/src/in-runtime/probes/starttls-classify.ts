/**
 * The classification half of the STARTTLS probes (starttls.ts): pure functions from what a
 * probe observed to its outcome, and the registered classifiers that read the recorded evidence.
 */
import type { TlsInfo } from "@netparity/protocol";
import type { ErrorEvidence } from "./errors-classify.js";
import { type ConnectEvidence, type Failure, failureFromEvidence, failureShape } from "./tls-classify.js";
import type { ProbeVerdict } from "./types.js";

/** How one startTls call ended within the probe's wait, and whether data then crossed the upgraded connection. */
export type Upgrade =
  | { state: "upgraded"; info: TlsInfo | null; roundTrip: string }
  | Failure
  | { state: "pending"; ms: number };

/**
 * tls.starttls-client / tls.starttls-server: whether the upgrade works, checked against what
 * `features` claims for the role (an ENOTSUP the features announce is "unsupported").
 */
export function classifyStartTls(u: Upgrade, featured: boolean): string {
  if (u.state === "pending") return "handshake hangs";
  if (u.state === "failed") {
    if (u.code === "ENOTSUP") return featured ? "ENOTSUP, though features says supported" : "unsupported (ENOTSUP)";
    return `failed: ${failureShape(u)}`;
  }
  if (!featured) return "upgraded, though features says unsupported";
  return u.roundTrip === "ok" ? "upgraded" : `upgraded, no round trip: ${u.roundTrip}`;
}

/**
 * tls.starttls-buffered: the client upgrades while the server's plaintext "OK\r\n" has arrived
 * but was not read. The bytes either reach the TLS layer and break the handshake, are refused
 * by startTls before any handshake, vanish (a working connection without them), or come out
 * of the upgraded connection as if they were decrypted.
 */
export function classifyStartTlsBuffered(u: Upgrade, firstRead: string | null): string {
  if (u.state === "pending") return "handshake hangs";
  if (u.state === "failed") {
    if (u.code === "ENOTSUP") return "unsupported (ENOTSUP)";
    if (u.code === "PROTOCOL") return "refused before the handshake (PROTOCOL)";
    if (u.code === "TLS_HANDSHAKE") return `handshake broken: ${failureShape(u)}`;
    return `failed: ${failureShape(u)}`;
  }
  if (firstRead?.startsWith("OK")) return "readable after the upgrade";
  return u.roundTrip === "ok" ? "lost" : `upgraded, no round trip: ${u.roundTrip}`;
}

/** The Upgrade behind a STARTTLS probe's recorded evidence (what upgrade() and the round trip record). */
export function upgradeFromEvidence(e: {
  info?: TlsInfo | null;
  error?: ErrorEvidence;
  pendingAfterMs?: number;
  roundTrip?: string;
}): Upgrade {
  if (e.error !== undefined) return failureFromEvidence(e.error);
  if (e.pendingAfterMs !== undefined) return { state: "pending", ms: e.pendingAfterMs };
  return { state: "upgraded", info: e.info ?? null, roundTrip: e.roundTrip ?? "" };
}

/** What one startTls call records: the upgraded connection's tlsInfo, the error, or the wait. */
export type UpgradeEvidence =
  | { afterMs: number; info: TlsInfo | null }
  | { afterMs: number; error: ErrorEvidence }
  | { pendingAfterMs: number };

/** The plaintext exchange before the upgrade did not happen (the relay's side of it). */
export interface PlaintextEvidence {
  plaintext: "no reply" | "no connection" | "no command";
}

/** The evidence of the three STARTTLS probes: the upgrade, the round trip after it, and per probe a little more. */
export type StartTlsEvidence =
  | PlaintextEvidence
  | (UpgradeEvidence & {
      roundTrip: string;
      featuresStartTlsClient?: boolean;
      featuresStartTlsServer?: boolean;
      client?: ConnectEvidence;
      firstRead?: string | null;
    });

const PLAINTEXT: Record<PlaintextEvidence["plaintext"], ProbeVerdict> = {
  "no reply": { outcome: "no plaintext reply", explanation: "The relay's plaintext reply did not arrive." },
  "no connection": { outcome: "no plaintext connection", explanation: "The relay did not connect." },
  "no command": { outcome: "no plaintext command", explanation: "The relay's command did not arrive." },
};

function plaintext(e: PlaintextEvidence): ProbeVerdict {
  return PLAINTEXT[e.plaintext];
}

export const startTlsVerdicts = {
  client(e: StartTlsEvidence): ProbeVerdict {
    if ("plaintext" in e) return plaintext(e);
    const outcome = classifyStartTls(upgradeFromEvidence(e), e.featuresStartTlsClient === true);
    return {
      outcome,
      explanation:
        outcome === "upgraded"
          ? "After a plaintext exchange, startTls as a client completes a verified handshake and data crosses the upgraded connection."
          : `Upgrading a plaintext client connection to TLS ended as "${outcome}".`,
    };
  },
  server(e: StartTlsEvidence): ProbeVerdict {
    if ("plaintext" in e) return plaintext(e);
    const outcome = classifyStartTls(upgradeFromEvidence(e), e.featuresStartTlsServer === true);
    return {
      outcome,
      explanation:
        outcome === "upgraded"
          ? "After a plaintext exchange, startTls as a server completes the handshake with a verifying client and data crosses the upgraded connection."
          : `Upgrading an accepted plaintext connection to a TLS server ended as "${outcome}".`,
    };
  },
  buffered(e: StartTlsEvidence): ProbeVerdict {
    if ("plaintext" in e) return plaintext(e);
    const outcome = classifyStartTlsBuffered(upgradeFromEvidence(e), e.firstRead ?? null);
    return {
      outcome,
      explanation: outcome.startsWith("handshake broken")
        ? `The unread plaintext "OK\\r\\n" was taken as the start of the server's TLS records, and the handshake failed.`
        : outcome.startsWith("refused")
          ? "startTls refused to upgrade while plaintext bytes it could not hand to the TLS layer were unread; the connection is closed."
          : outcome === "lost"
            ? "The unread plaintext vanished: the upgrade worked and the bytes were neither readable nor harmful."
            : `Upgrading with the server's plaintext reply unread ended as "${outcome}".`,
    };
  },
};
