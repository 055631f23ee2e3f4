/**
 * The classifiers of the Node API probes (`nodeapi.*`, node-api/net.ts and node-api/dgram-tls.ts):
 * pure functions from the recorded evidence to the outcome and a one-sentence explanation, with
 * no runtime API. Evidence of a shape a classifier does not expect gets an outcome naming what
 * was seen. Replayed against recorded evidence in test/probe-evidence.test.ts.
 */
import type { ProbeVerdict } from "../in-runtime/probes/types.js";
import type { NodeErrorEvidence } from "./kit.js";

/** A probe that could not start (no certificates, a missing method): what was missing. */
export interface NotRun {
  notRun: string;
}

const isNotRun = (e: object): e is NotRun => "notRun" in e;
const notRun = (e: NotRun): ProbeVerdict => ({
  outcome: `unsupported: ${e.notRun}`,
  explanation: `Not run: ${e.notRun}.`,
});

/** An error as a short label: its code, else its class name. */
export function errLabel(e: NodeErrorEvidence | undefined): string {
  if (!e) return "none";
  return e.code ?? e.name ?? "non-error";
}

/** How a write's callback was called: "ok" (no error), the error, or "not called". */
export type CallbackEvidence = "ok" | "not called" | NodeErrorEvidence;

export function callbackLabel(c: CallbackEvidence | undefined): string {
  if (c === undefined) return "none";
  return typeof c === "string" ? c : errLabel(c);
}

/** nodeapi.half-close.*: the server answers in its 'end' handler, the client waits for the answer. */
export interface HalfCloseEvidence {
  allowHalfOpen: boolean;
  serverGot: string;
  serverSawEnd: boolean;
  /** How the server's write in its 'end' handler went (absent when it never saw 'end'). */
  serverWrite?: CallbackEvidence;
  serverEvents: string[];
  clientGot: string;
  clientSawEnd: boolean;
}

export function classifyHalfClose(e: HalfCloseEvidence | NotRun): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if (!e.serverSawEnd)
    return {
      outcome: "server sees no end",
      explanation: "The server never emitted 'end' for the client's half-close, so it never answered.",
    };
  if (e.clientGot === "pong")
    return {
      outcome: "reply after end",
      explanation: "The server answered in its 'end' handler and the client received it after its own end().",
    };
  const w = callbackLabel(e.serverWrite);
  if (w !== "ok")
    return {
      outcome: `server write ${w === "not called" ? "callback not called" : `fails ${w}`}`,
      explanation: `After the client's half-close the server's write in 'end' reported ${w}: the server socket ended itself.`,
    };
  return {
    outcome: "reply lost",
    explanation: "The server's write in its 'end' handler succeeded, but the client never received the answer.",
  };
}

/** Events of a socket in order, e.g. ["end", "finish", "close(false)"]. */
export interface EventsEvidence {
  events: string[];
}

export function classifyEvents(e: EventsEvidence | NotRun): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if (e.events.length === 0)
    return { outcome: "no events", explanation: "The socket emitted none of 'end', 'finish', 'close', 'error'." };
  return {
    outcome: e.events.join(" "),
    explanation: `The socket emitted ${e.events.map((x) => `'${x}'`).join(", then ")}.`,
  };
}

/** nodeapi.reset.write-after: the client's events after the peer's reset, then a write and its callback. */
export interface WriteAfterResetEvidence {
  eventsBeforeWrite: string[];
  /** write()'s return value, or the error it threw. */
  writeReturned: boolean | NodeErrorEvidence;
  callback: CallbackEvidence;
  eventsAfterWrite: string[];
}

export function classifyWriteAfterReset(e: WriteAfterResetEvidence | NotRun): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  const before = e.eventsBeforeWrite.length ? e.eventsBeforeWrite.join(" ") : "no events";
  const threw = typeof e.writeReturned === "object";
  const write = threw
    ? `write throws ${errLabel(e.writeReturned as NodeErrorEvidence)}`
    : `cb ${callbackLabel(e.callback)}`;
  const after = e.eventsAfterWrite.filter((x) => x.startsWith("error")).join(" ");
  return {
    outcome: `${before}; ${write}${after ? `; then ${after}` : ""}`,
    explanation: `After the peer's reset the client saw ${before}; a write then ${threw ? "threw" : `called back with ${callbackLabel(e.callback)}`}${after ? ` and the socket emitted ${after}` : ""}.`,
  };
}

/** nodeapi.reset.method: whether net.Socket has resetAndDestroy(). */
export interface MethodEvidence {
  method: string;
  type: string;
}

export function classifyMethod(e: MethodEvidence): ProbeVerdict {
  return e.type === "function"
    ? { outcome: "present", explanation: `net.Socket.prototype.${e.method} is a function.` }
    : { outcome: `absent (${e.type})`, explanation: `net.Socket.prototype.${e.method} is ${e.type}, not a function.` };
}

/** nodeapi.pause-in-connection: bytes the 'data' listener saw while paused, and after resume(). */
export interface PauseEvidence {
  sent: number;
  bytesWhilePaused: number;
  bytesAfterResume: number;
}

export function classifyPause(e: PauseEvidence): ProbeVerdict {
  if (e.bytesWhilePaused > 0)
    return {
      outcome: "data while paused",
      explanation: `pause() in the 'connection' handler did not hold data back: ${e.bytesWhilePaused} bytes reached the 'data' listener.`,
    };
  if (e.bytesAfterResume === e.sent)
    return {
      outcome: "held until resume",
      explanation: "No data arrived while paused; all of it came after resume().",
    };
  return {
    outcome: `after resume ${e.bytesAfterResume} of ${e.sent} bytes`,
    explanation: "No data arrived while paused, and not all of it after resume().",
  };
}

/** nodeapi.write.backpressure: writes of 64 KiB against a reader that pauses. */
export interface BackpressureEvidence {
  /** Number of write() calls until one returned false; null when none did. */
  falseAfterWrites: number | null;
  writableLength: number;
  drainWhileUnread: boolean;
  drainAfterRead: boolean;
}

export function classifyBackpressure(e: BackpressureEvidence): ProbeVerdict {
  if (e.falseAfterWrites === null)
    return { outcome: "write() never false", explanation: "write() kept returning true with the reader paused." };
  if (e.writableLength <= 0)
    return {
      outcome: "false, writableLength 0",
      explanation: "write() returned false but writableLength reported nothing buffered.",
    };
  if (e.drainWhileUnread)
    return { outcome: "drain without reader", explanation: "'drain' fired while the reader was still paused." };
  if (!e.drainAfterRead)
    return {
      outcome: "no drain after read",
      explanation: "write() returned false, but 'drain' never fired once the reader resumed.",
    };
  return {
    outcome: "false, drain after read",
    explanation:
      "write() returned false with data buffered (writableLength > 0); 'drain' fired only after the reader resumed.",
  };
}

/** nodeapi.timeout: an idle socket with setTimeout(100). */
export interface TimeoutEvidence {
  timeoutFired: boolean;
  afterMs?: number;
  destroyedAfter: boolean;
}

export function classifyTimeout(e: TimeoutEvidence): ProbeVerdict {
  if (!e.timeoutFired) return { outcome: "no timeout event", explanation: "'timeout' never fired on an idle socket." };
  if (e.afterMs !== undefined && e.afterMs < 90)
    return { outcome: "timeout early", explanation: `'timeout' fired after ${e.afterMs} ms for setTimeout(100).` };
  return e.destroyedAfter
    ? { outcome: "timeout, socket destroyed", explanation: "'timeout' fired and the socket was destroyed with it." }
    : {
        outcome: "timeout, socket open",
        explanation: "'timeout' fired and the socket stayed open: ending it is the application's job.",
      };
}

/** nodeapi.server-close.*: server.close(cb) while one connection is open. */
export interface ServerCloseEvidence {
  callbackWhileOpen: boolean;
  callbackAfterClientEnd: boolean;
  /** Error of the callback, when it got one. */
  callbackError?: NodeErrorEvidence;
  /** A new connect after close(): its error, or "connected". */
  newConnect: "connected" | "pending" | NodeErrorEvidence;
  /** Whether the open connection still echoed after close(). */
  openStillEchoes: boolean;
}

export function classifyServerCloseCallback(e: ServerCloseEvidence): ProbeVerdict {
  const err = e.callbackError ? ` (${errLabel(e.callbackError)})` : "";
  if (e.callbackWhileOpen)
    return {
      outcome: `callback while open${err}`,
      explanation: "server.close()'s callback ran while a connection was still open.",
    };
  if (e.callbackAfterClientEnd)
    return {
      outcome: `callback after last connection${err}`,
      explanation: "server.close()'s callback waited for the open connection to end.",
    };
  return {
    outcome: "callback never",
    explanation: "server.close()'s callback never ran, even after the connection ended.",
  };
}

export function classifyServerCloseConnect(e: ServerCloseEvidence): ProbeVerdict {
  if (e.newConnect === "connected")
    return { outcome: "accepted after close()", explanation: "A new connection was accepted after server.close()." };
  if (e.newConnect === "pending")
    return {
      outcome: "connect hangs",
      explanation: "A new connect after server.close() neither connected nor failed.",
    };
  return {
    outcome: `refused ${errLabel(e.newConnect)}`,
    explanation: `A new connect after server.close() failed with ${errLabel(e.newConnect)}.`,
  };
}

export function classifyServerCloseOpen(e: ServerCloseEvidence): ProbeVerdict {
  return e.openStillEchoes
    ? { outcome: "open connection works", explanation: "The connection open at server.close() still exchanged data." }
    : {
        outcome: "open connection broken",
        explanation: "The connection open at server.close() no longer exchanged data.",
      };
}

/** nodeapi.error.*: the error event's object, or what happened instead. */
export type ErrorFieldsEvidence = { error: NodeErrorEvidence } | { noError: string };

export function classifyErrorFields(e: ErrorFieldsEvidence): ProbeVerdict {
  if ("noError" in e) return { outcome: `no error: ${e.noError}`, explanation: `No error was reported: ${e.noError}.` };
  const x = e.error;
  const parts = [
    x.code ?? `no code (${x.name ?? "unnamed"})`,
    x.syscall ? `syscall ${x.syscall}` : "no syscall",
    typeof x.errno === "number" ? `errno ${x.errno}` : "no errno",
    ...(x.address !== undefined ? ["address"] : []),
    ...(x.port !== undefined ? ["port"] : []),
  ];
  return {
    outcome: parts.join(", "),
    explanation: `The error carried ${parts.join(", ")}${x.address !== undefined ? ` (address ${x.address})` : ""}.`,
  };
}

/** nodeapi.bytes: bytesRead/bytesWritten after a 1000-byte echo. */
export interface BytesEvidence {
  sent: number;
  clientWritten: number;
  clientRead: number;
  serverRead: number;
  serverWritten: number;
}

export function classifyBytes(e: BytesEvidence): ProbeVerdict {
  const all = [e.clientWritten, e.clientRead, e.serverRead, e.serverWritten];
  if (all.every((n) => n === e.sent))
    return { outcome: "exact", explanation: `bytesRead and bytesWritten are ${e.sent} on both ends.` };
  return {
    outcome: `client w${e.clientWritten} r${e.clientRead}, server r${e.serverRead} w${e.serverWritten}`,
    explanation: `After an echo of ${e.sent} bytes the counters differ from it.`,
  };
}

/** nodeapi.listening.timing: what listen() shows before it returns and when 'listening' comes. */
export interface ListeningEvidence {
  addressSync: "null" | "port";
  listeningSync: boolean;
  /** Which came first after listen(): "listening", "microtask", "timer" (the first of them). */
  order: string[];
}

export function classifyListening(e: ListeningEvidence): ProbeVerdict {
  const when = e.listeningSync
    ? "sync"
    : e.order[0] === "listening"
      ? "before microtasks"
      : e.order.indexOf("listening") === -1
        ? "not within a timer"
        : e.order.indexOf("listening") < e.order.indexOf("timer")
          ? "before timers"
          : "after a timer";
  return {
    outcome: `address ${e.addressSync} at return, 'listening' ${when}`,
    explanation: `Right after listen() server.address() was ${e.addressSync === "null" ? "null" : "set"}; 'listening' came ${when} (order: ${e.order.join(", ")}).`,
  };
}

/** nodeapi.dgram.*: the events, callbacks and errors of a UDP socket. */
export interface DgramEvidence {
  steps: Record<string, unknown>;
}

/** Each recorded step as "name=value" with errors by code: the outcome of a dgram probe. */
export function classifyDgramSteps(e: DgramEvidence): ProbeVerdict {
  const label = (v: unknown): string =>
    v === null || v === undefined
      ? String(v)
      : typeof v === "object"
        ? Array.isArray(v)
          ? `[${v.map(label).join(",")}]`
          : errLabel(v as NodeErrorEvidence)
        : String(v);
  const parts = Object.entries(e.steps).map(([k, v]) => `${k}=${label(v)}`);
  return { outcome: parts.join(" "), explanation: `The UDP socket showed: ${parts.join(", ")}.` };
}

/** nodeapi.tls.*: a TLS client's view of the handshake. */
export type TlsEvidence =
  | NotRun
  | { error: NodeErrorEvidence }
  | {
      authorized: boolean;
      authorizationError: string | null;
      alpn?: string | false | null;
      serverAlpn?: string | false | null;
      peerCert?: { keys: string[]; subjectCN: string | null; hasSan: boolean };
    };

export function classifyTlsAuth(e: TlsEvidence): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if ("error" in e)
    return { outcome: `fails ${errLabel(e.error)}`, explanation: `The handshake failed with ${errLabel(e.error)}.` };
  return {
    outcome: `authorized ${e.authorized}${e.authorizationError ? `, ${e.authorizationError}` : ""}`,
    explanation: `socket.authorized was ${e.authorized}, authorizationError ${e.authorizationError ?? "null"}.`,
  };
}

export function classifyTlsAlpn(e: TlsEvidence): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if ("error" in e)
    return { outcome: `fails ${errLabel(e.error)}`, explanation: `The handshake failed with ${errLabel(e.error)}.` };
  return {
    outcome: `client ${String(e.alpn)}, server ${String(e.serverAlpn)}`,
    explanation: `alpnProtocol was ${String(e.alpn)} on the client and ${String(e.serverAlpn)} on the server.`,
  };
}

/** Fields of getPeerCertificate() a client can rely on. */
export const PEER_CERT_FIELDS = [
  "subject",
  "issuer",
  "subjectaltname",
  "valid_from",
  "valid_to",
  "fingerprint256",
  "serialNumber",
];

export function classifyPeerCert(e: TlsEvidence): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if ("error" in e)
    return { outcome: `fails ${errLabel(e.error)}`, explanation: `The handshake failed with ${errLabel(e.error)}.` };
  if (!e.peerCert) return { outcome: "no certificate", explanation: "getPeerCertificate() returned nothing." };
  const missing = PEER_CERT_FIELDS.filter((k) => !e.peerCert?.keys.includes(k));
  const cn = e.peerCert.subjectCN ? `CN ${e.peerCert.subjectCN}` : "no CN";
  return missing.length
    ? {
        outcome: `${cn}, lacks ${missing.join(" ")}`,
        explanation: `getPeerCertificate() lacks ${missing.join(", ")}.`,
      }
    : { outcome: `${cn}, all fields`, explanation: `getPeerCertificate() has ${PEER_CERT_FIELDS.join(", ")}.` };
}

/** nodeapi.tls.session-reuse: a second connection offered the first one's session. */
export type SessionReuseEvidence =
  | NotRun
  | {
      /** TLS version of the first connection (getProtocol()). */
      protocol: string | null;
      /** Where the first connection's session came from: its 'session' event, getSession(), or nowhere. */
      sessionFrom: "event" | "getSession()" | "none";
      firstReused: boolean;
      /** isSessionReused() of the second connection, or its handshake's error. */
      second?: boolean | NodeErrorEvidence;
    };

export function classifySessionReuse(e: SessionReuseEvidence): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  if (e.sessionFrom === "none")
    return {
      outcome: "no session",
      explanation: `The first connection (${e.protocol ?? "no protocol"}) gave no session: no 'session' event and getSession() empty.`,
    };
  if (e.second === undefined)
    return { outcome: "second not connected", explanation: "The second connection neither connected nor failed." };
  if (typeof e.second === "object")
    return {
      outcome: `second fails ${errLabel(e.second)}`,
      explanation: `The second connection, offered the first one's session, failed with ${errLabel(e.second)}.`,
    };
  return e.second
    ? {
        outcome: `reused (session from ${e.sessionFrom})`,
        explanation: `The second connection resumed the first one's ${e.protocol ?? ""} session (from ${e.sessionFrom}): isSessionReused() is true.`,
      }
    : {
        outcome: `not reused (session from ${e.sessionFrom})`,
        explanation: `The second connection was offered the first one's session (from ${e.sessionFrom}) but isSessionReused() is false: a full handshake.`,
      };
}

/** nodeapi.dgram.multicast-*: the calls' results ("ok" or the error), then whether the member heard. */
export interface MulticastEvidence {
  steps: Record<string, unknown> & { heard: boolean | NodeErrorEvidence; heardAfterDrop?: boolean | NodeErrorEvidence };
}

export function classifyMulticast(e: MulticastEvidence | NotRun): ProbeVerdict {
  if (isNotRun(e)) return notRun(e);
  const { heard, heardAfterDrop, ...calls } = e.steps;
  const failed = Object.entries(calls).filter(([, v]) => v !== "ok");
  const label = (v: unknown) => (typeof v === "object" && v !== null ? errLabel(v as NodeErrorEvidence) : String(v));
  const first = failed[0];
  const prefix = first
    ? `${first[0]} ${label(first[1])}${failed.length > 1 ? ` (+${failed.length - 1} failed)` : ""}; `
    : "";
  const sent = (v: boolean | NodeErrorEvidence) =>
    typeof v === "object" ? `send fails ${errLabel(v)}` : v ? "heard" : "not heard";
  const after =
    heard === true && heardAfterDrop !== undefined
      ? typeof heardAfterDrop === "object"
        ? `; after dropMembership send fails ${errLabel(heardAfterDrop)}`
        : heardAfterDrop
          ? "; still heard after dropMembership"
          : "; not after dropMembership"
      : "";
  const steps = Object.entries(e.steps).map(([k, v]) => `${k} ${label(v)}`);
  return {
    outcome: `${prefix}${sent(heard)}${after}`,
    explanation: `The member on this host ${sent(heard)} the group datagram; the calls: ${steps.join(", ")}.`,
  };
}
