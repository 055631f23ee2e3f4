/**
 * The classifiers of the Unix socket probes (`unix.*`, unix.ts): pure functions of the
 * recorded evidence, unit-tested with evidence recorded from real runtimes
 * (test/probe-classify.test.ts).
 */
import { type ErrorEvidence, isErrorEvidence, shapeOf } from "./errors-classify.js";
import type { ProbeVerdict } from "./types.js";

/** What unix.roundtrip sends from client to server. */
export const UNIX_MESSAGE = "over unix";

/**
 * unix.roundtrip: the listen error, or what the server read and the addresses each end reports
 * ("<path>" for the socket's path, a quoted path otherwise, or the transport when not "unix").
 */
export type UnixRoundTripEvidence =
  | ErrorEvidence
  | {
      listener: string;
      clientLocal: string;
      clientRemote: string;
      serverLocal: string | null;
      serverRemote: string | null;
      serverGot: string;
    };

export function classifyUnixRoundTrip(e: UnixRoundTripEvidence): ProbeVerdict {
  if (isErrorEvidence(e)) return { outcome: shapeOf(e), explanation: "Listening on a Unix socket path failed." };
  const seen = `client remote ${e.clientRemote}, server remote ${e.serverRemote ?? "not accepted"}`;
  return e.serverGot === UNIX_MESSAGE
    ? {
        outcome: "supported",
        explanation: `Bytes flow over a Unix stream socket; ${seen} (an unbound client socket has no path).`,
      }
    : {
        outcome: "no-data",
        explanation: `The server read ${JSON.stringify(e.serverGot)} instead of ${JSON.stringify(UNIX_MESSAGE)}; ${seen}.`,
      };
}

/** unix.socket-file-after-close: whether the socket file outlives its listener, and listening on the path again. */
export interface SocketFileEvidence {
  existsWhileOpen: boolean;
  existsAfterClose: boolean;
  relisten: "ok" | ErrorEvidence;
}

export function classifySocketFile(e: SocketFileEvidence): ProbeVerdict {
  const relisten = e.relisten === "ok" ? "ok" : shapeOf(e.relisten);
  return {
    outcome: `${e.existsAfterClose ? "file left behind" : "file removed"}; relisten ${relisten}`,
    explanation: e.existsAfterClose
      ? `Closing the listener leaves the socket file; listening on the path again gives ${relisten}.`
      : relisten === "ok"
        ? "Closing the listener removes the socket file, so the path can be listened on again at once."
        : `Closing the listener removes the socket file, yet listening on the path again gives ${relisten}.`,
  };
}
