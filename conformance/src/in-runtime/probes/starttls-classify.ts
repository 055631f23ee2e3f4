/**
 * The registered classifiers of the STARTTLS probes (starttls.ts): pure functions of the
 * recorded evidence, built on classifyStartTls / classifyStartTlsBuffered (tls-classify.ts).
 */
import type { TlsInfo } from "@netparity/protocol";
import type { ErrorEvidence } from "./errors-classify.js";
import {
  classifyStartTls,
  classifyStartTlsBuffered,
  type ConnectEvidence,
  upgradeFromEvidence,
} from "./tls-classify.js";
import type { ProbeVerdict } from "./types.js";

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
