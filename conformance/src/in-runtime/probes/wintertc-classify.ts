/**
 * Classifiers of the `wintertc.*` probes (probes/wintertc.ts): what a WinterTC Sockets API
 * `connect()` did, from the recorded evidence alone. Pure: no runtime API.
 */
import type { ProbeVerdict } from "./types.js";

/** How a promise of the Socket ended within the probe's wait. */
export type DraftState = "resolved" | "rejected" | "pending";

/** An error a draft Socket rejected with (or connect() threw), as recorded. */
export interface DraftErrorEvidence {
  /** The class name: "TypeError", "Error", "DOMException". */
  name: string;
  message: string;
  /** A TypeError whose message starts with "SocketError: " (the draft's SocketError). */
  socketError: boolean;
}

/** The probe did not run: the agent gave no `connect()` under test (ctx.sockets). */
export interface NoSocketsEvidence {
  sockets: "none given";
}
export const NO_SOCKETS: NoSocketsEvidence = { sockets: "none given" };

/** A probe's step threw before it could record the rest (a peer that did not start, a lock held). */
export interface StepFailedEvidence {
  failedAt: string;
  error: DraftErrorEvidence;
}

/** Wraps a classifier so that a probe that did not run, or failed at a step, says so. */
export function draftProbe<E extends object>(
  classify: (e: E) => ProbeVerdict,
): (e: E | NoSocketsEvidence | StepFailedEvidence) => ProbeVerdict {
  return (e) => {
    if ("sockets" in e && e.sockets === NO_SOCKETS.sockets)
      return { outcome: "unsupported", explanation: "Not run: the agent has no connect() under test for this probe." };
    if ("failedAt" in e) {
      const f = e as StepFailedEvidence;
      return {
        outcome: `failed at ${f.failedAt}: ${errorLabel(f.error)}`,
        explanation: `The probe stopped at "${f.failedAt}": ${f.error.name}: ${f.error.message}.`,
      };
    }
    return classify(e as E);
  };
}

/** "SocketError", or the class name with "(no SocketError prefix)" for anything else. */
export function errorLabel(e: DraftErrorEvidence): string {
  return e.socketError ? "SocketError" : `${e.name}, not a SocketError`;
}

// ---- close and half-close -------------------------------------------------------------

export interface HalfCloseEvidence {
  /** What writer.close() (our FIN, allowHalfOpen true) did. */
  closeWrite: DraftState;
  /** The text read after it, to the readable's end or the wait's. */
  echoed: string;
  /** How the read ended: "done" (the peer's FIN), "rejected", or "pending". */
  readEnd: "done" | "rejected" | "pending";
  sent: string;
}

export function classifyHalfClose(e: HalfCloseEvidence): ProbeVerdict {
  if (e.closeWrite !== "resolved")
    return {
      outcome: `closing the writable ${e.closeWrite}`,
      explanation: `writer.close() ${e.closeWrite === "pending" ? "did not settle" : "rejected"}: no half-close.`,
    };
  if (e.readEnd === "done" && e.echoed === e.sent)
    return {
      outcome: "echo after our FIN",
      explanation:
        "writer.close() sent FIN and the readable still delivered the whole echo, then ended with the peer's FIN.",
    };
  if (e.readEnd === "done")
    return {
      outcome: "echo cut by our FIN",
      explanation: `After writer.close() the readable ended with ${e.echoed.length} of ${e.sent.length} characters echoed.`,
    };
  return {
    outcome: `read ${e.readEnd} after our FIN`,
    explanation: `After writer.close() the readable ${e.readEnd === "pending" ? "never ended" : "rejected"} (${e.echoed.length} of ${e.sent.length} characters echoed).`,
  };
}

export interface HalfOpenDefaultEvidence {
  /** What the readable delivered before the peer's FIN. */
  read: string;
  /** A write after the peer's FIN, with the default options. */
  write: DraftState;
  writeError?: DraftErrorEvidence;
  /** What the peer received after its own FIN (the write's bytes when it went out). */
  peerReceived: string;
}

export function classifyHalfOpenDefault(e: HalfOpenDefaultEvidence): ProbeVerdict {
  if (e.write === "rejected")
    return {
      outcome: "writable closed by the peer's FIN",
      explanation: `With the default options, a write after the peer's FIN rejected (${e.writeError ? errorLabel(e.writeError) : "no error recorded"}): allowHalfOpen defaults to false.`,
    };
  if (e.write === "resolved")
    return e.peerReceived.length > 0
      ? {
          outcome: "writable open after the peer's FIN",
          explanation:
            "With the default options, a write after the peer's FIN went out and reached the peer: the Socket stayed half-open.",
        }
      : {
          outcome: "write resolved, not delivered",
          explanation:
            "With the default options, a write after the peer's FIN resolved, but the peer received nothing.",
        };
  return {
    outcome: "write pending after the peer's FIN",
    explanation: "With the default options, a write after the peer's FIN neither resolved nor rejected.",
  };
}

export interface ClosedOnFinEvidence {
  /** `closed` after the peer's FIN while the readable is never read (default options). */
  unread: DraftState;
  /** `closed` after the peer's FIN once the readable was read to its end (default options). */
  read: DraftState;
}

export function classifyClosedOnFin(e: ClosedOnFinEvidence): ProbeVerdict {
  return {
    outcome: `closed ${e.unread} unread, ${e.read} once read`,
    explanation: `After the peer's FIN, with the default options, closed was ${e.unread} while nothing read the readable and ${e.read} once the readable was read to its end.`,
  };
}

// ---- opened and closed ------------------------------------------------------------------

export interface OrderEvidence {
  /** Settlements in the order they happened: "opened resolved", "close() called", "closed resolved". */
  connected: string[];
  /** The same for a connection that was refused. */
  refused: string[];
}

export function classifyOrder(e: OrderEvidence): ProbeVerdict {
  const short = (list: string[]): string => (list.length ? list.join(" < ") : "nothing settled");
  const ok = ["opened resolved", "close() called", "closed resolved"];
  const normal = e.connected.join() === ok.join();
  return {
    outcome: `${normal ? "opened < close() < closed" : short(e.connected)}; refused: ${short(e.refused)}`,
    explanation: `A connection that opened: ${short(e.connected)}. A refused one: ${short(e.refused)}.`,
  };
}

// ---- errors -------------------------------------------------------------------------------

export interface ConnectErrorEvidence {
  /** connect() itself threw (synchronously) instead of returning a Socket. */
  thrown?: DraftErrorEvidence;
  opened?: DraftState;
  openedError?: DraftErrorEvidence;
  closed?: DraftState;
  closedError?: DraftErrorEvidence;
}

export function classifyConnectError(e: ConnectErrorEvidence): ProbeVerdict {
  if (e.thrown)
    return {
      outcome: `connect() throws ${errorLabel(e.thrown)}`,
      explanation: `connect() threw at once: ${e.thrown.name}: ${e.thrown.message}.`,
    };
  if (e.opened === "rejected" && e.openedError)
    return {
      outcome: `opened rejects: ${errorLabel(e.openedError)}; closed ${e.closed}`,
      explanation: `opened rejected with ${e.openedError.name}: ${e.openedError.message}; closed was ${e.closed}${e.closedError ? ` (${errorLabel(e.closedError)})` : ""}.`,
    };
  return {
    outcome: `opened ${e.opened}`,
    explanation: `opened was ${e.opened} and closed ${e.closed}: the connection did not fail as expected.`,
  };
}

// ---- TLS ------------------------------------------------------------------------------------

export interface StartTlsEvidence {
  /** `upgraded` of the plaintext socket before startTls(), right after it returned, and after the echo over TLS. */
  upgradedBefore: unknown;
  upgradedAfter: unknown;
  upgradedLater: unknown;
  /** `upgraded` of the socket startTls() returned. */
  upgradedNew: unknown;
  /** The echo through the new socket: the text, or how it failed. */
  echo: string;
  echoError?: DraftErrorEvidence;
  sent: string;
}

export function classifyStartTls(e: StartTlsEvidence): ProbeVerdict {
  const flags = `upgraded ${String(e.upgradedBefore)}→${String(e.upgradedAfter)}→${String(e.upgradedLater)}, new socket ${String(e.upgradedNew)}`;
  // upgraded: before startTls() → as it returned → after the echo over TLS.
  if (e.echoError)
    return {
      outcome: `echo over TLS failed: ${errorLabel(e.echoError)}; ${flags}`,
      explanation: `startTls() returned a socket whose echo failed (${e.echoError.name}: ${e.echoError.message}); ${flags}.`,
    };
  if (e.echo !== e.sent)
    return {
      outcome: `echo over TLS differs; ${flags}`,
      explanation: `The upgraded socket echoed ${e.echo.length} of ${e.sent.length} characters; ${flags}.`,
    };
  return {
    outcome: `echo over TLS; ${flags}`,
    explanation: `STARTTLS, then startTls(): the new socket echoed over TLS, verified against the run's CA; ${flags}.`,
  };
}

export interface AlpnEvidence {
  offered: string[];
  /** The server's protocols. */
  server: string[];
  /** opened's `alpn`: a string, null, or "absent" when the field is missing. */
  alpn: unknown;
  opened: DraftState;
  openedError?: DraftErrorEvidence;
}

export function classifyAlpn(e: AlpnEvidence): ProbeVerdict {
  if (e.opened !== "resolved")
    return {
      outcome: `opened ${e.opened}${e.openedError ? `: ${errorLabel(e.openedError)}` : ""}`,
      explanation: `With alpn ${JSON.stringify(e.offered)}, opened was ${e.opened}${e.openedError ? ` (${e.openedError.name}: ${e.openedError.message})` : ""}.`,
    };
  if (e.alpn === "absent")
    return {
      outcome: "opened has no alpn",
      explanation: "The TLS connection opened, but opened's SocketInfo has no alpn field.",
    };
  if (typeof e.alpn === "string")
    return {
      outcome: `negotiated ${e.alpn}`,
      explanation: `Offered ${JSON.stringify(e.offered)} to a server of ${JSON.stringify(e.server)}; opened's alpn is "${e.alpn}".`,
    };
  return {
    outcome: `alpn ${String(e.alpn)}`,
    explanation: `Offered ${JSON.stringify(e.offered)} to a server of ${JSON.stringify(e.server)}; opened's alpn is ${String(e.alpn)}.`,
  };
}
