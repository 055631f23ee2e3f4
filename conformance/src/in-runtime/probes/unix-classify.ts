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

/** unix.path-too-long: the length of the path asked for (bytes), longer than sun_path holds. */
export const LONG_UNIX_PATH_BYTES = 120;

/**
 * unix.path-too-long: listening on a path longer than `sun_path` (108 bytes with its NUL on
 * Linux). What the listen call did, the path the listener reports ("<path>" when it is the one
 * asked for, else its length in bytes), what is on disk at the path and at its first 107 and 108
 * bytes, and whether a client connecting to the whole path got through.
 */
export interface LongPathEvidence {
  bytes: number;
  listen: "ok" | ErrorEvidence;
  reported?: string;
  atPath?: string | null;
  atPrefix107?: string | null;
  atPrefix108?: string | null;
  connect?: "ok" | ErrorEvidence;
}

export function classifyLongPath(e: LongPathEvidence): ProbeVerdict {
  if (e.listen !== "ok") {
    const shape = shapeOf(e.listen);
    return {
      outcome: `refused: ${shape}`,
      explanation: `Listening on a ${e.bytes}-byte Unix socket path fails with ${shape}: nothing is bound.`,
    };
  }
  const connect = e.connect === undefined ? "not tried" : e.connect === "ok" ? "ok" : shapeOf(e.connect);
  if (e.atPath === "socket")
    return {
      outcome: `bound whole path; connect ${connect}`,
      explanation: `A socket file exists at the whole ${e.bytes}-byte path; a client connecting to it: ${connect}.`,
    };
  const prefix = e.atPrefix107 === "socket" ? 107 : e.atPrefix108 === "socket" ? 108 : null;
  if (prefix !== null)
    return {
      outcome: `truncated to ${prefix} bytes; connect ${connect}`,
      explanation: `Listening succeeds, but the socket file is bound at the path's first ${prefix} bytes (the listener reports ${e.reported ?? "nothing"}); a client connecting to the whole path: ${connect}. The file is not where the caller asked.`,
    };
  return {
    outcome: `listening, no socket file found; connect ${connect}`,
    explanation: `Listening succeeds, yet no socket file is at the path (${e.atPath ?? "nothing"}) or at its first 107/108 bytes; a client connecting to the whole path: ${connect}.`,
  };
}
