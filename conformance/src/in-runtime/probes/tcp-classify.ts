/**
 * The classifiers of the TCP probes (`tcp.*`, tcp.ts and sticky.ts): pure functions of the
 * recorded evidence, unit-tested with evidence recorded from real runtimes
 * (test/probe-classify.test.ts), so a change in a runtime shows up as a different outcome.
 */
import {
  codeOfEvidence,
  type ErrorEvidence,
  isErrorEvidence,
  type ReadEvidence,
  readLabel,
  shapeOf,
} from "./errors-classify.js";
import { classifyChunk } from "./tls-classify.js";
import type { ProbeVerdict } from "./types.js";

/** How a write (or other call) settled: "resolved", "pending", or the error. */
export type SettledEvidence = "resolved" | "pending" | ErrorEvidence;

function settledLabel(s: SettledEvidence, resolved = "resolved"): string {
  return s === "resolved" ? resolved : s === "pending" ? "pending" : codeOfEvidence(s);
}

/** tcp.half-close: what the server read before EOF, how its write after the FIN went, what the client got. */
export interface HalfCloseEvidence {
  serverGot: string;
  serverSawEof: boolean;
  /** Absent when the server never saw EOF (nothing was written). */
  write?: SettledEvidence;
  clientGot?: string;
  clientSawEof?: boolean;
}

export const HALF_CLOSE_REPLY = "pong after FIN";

export function classifyTcpHalfClose(e: HalfCloseEvidence): ProbeVerdict {
  if (!e.serverSawEof)
    return { outcome: "no-eof", explanation: "The server never saw the client's FIN as end of stream." };
  if (e.write !== undefined && e.write !== "resolved")
    return {
      outcome: e.write === "pending" ? "server write hangs" : `server write fails ${codeOfEvidence(e.write)}`,
      explanation: "After the client's FIN the server can no longer write: the runtime closed the socket on EOF.",
    };
  const ok = e.clientGot === HALF_CLOSE_REPLY;
  return ok
    ? {
        outcome: "server writes after FIN",
        explanation:
          "The server reads EOF after the client's FIN and can still answer; the client receives the answer, then EOF.",
      }
    : { outcome: "reply lost", explanation: "The server's answer after the client's FIN did not reach the client." };
}

/** tcp.write-64mib: when the 64 MiB write resolved relative to the reader, and how much the reader got. */
export type Write64Evidence =
  | ErrorEvidence
  | {
      bytes: number;
      resolvedBeforeReadMs: number | null;
      resolvedAfterReaderStartedMs: number | null;
      /** How the write had settled once the reader was done: after "resolved before read", it is "resolved". */
      writeAfterRead: SettledEvidence;
      readerGotBytes: number;
      readerGotMiB: number;
      readMs: number;
      totalMs: number;
    };

export function classifyWrite64(e: Write64Evidence): ProbeVerdict {
  if (isErrorEvidence(e)) return { outcome: `fails ${codeOfEvidence(e)}`, explanation: "The 64 MiB write failed." };
  if (e.resolvedBeforeReadMs !== null)
    return {
      outcome: "buffered",
      explanation: `The write resolved after ${e.resolvedBeforeReadMs} ms with the peer not reading: the runtime buffers the whole 64 MiB in user space.`,
    };
  if (e.writeAfterRead === "resolved" && e.readerGotBytes === e.bytes)
    return {
      outcome: "waits-for-reader",
      explanation:
        "The write stays pending until the peer reads (backpressure); it resolves once the kernel took the last byte.",
    };
  if (e.writeAfterRead === "resolved")
    return {
      outcome: "resolves, reader short",
      explanation: `The write resolved, but the reader got only ${e.readerGotBytes} of ${e.bytes} bytes.`,
    };
  return {
    outcome: e.writeAfterRead === "pending" ? "never-resolves" : `fails ${codeOfEvidence(e.writeAfterRead)}`,
    explanation: "The write did not complete even though the peer read.",
  };
}

/** tcp.backpressure-unread: how many MiB were accepted before a write waited, failed, or the cap was hit. */
export type BackpressureEvidence =
  | { acceptedMiB: number; error: ErrorEvidence }
  | { acceptedMiB: number; chunkKiB: number; ms: number; ended: "write waits" }
  | { acceptedMiB: number; ended: "cap reached" };

export function classifyBackpressure(e: BackpressureEvidence): ProbeVerdict {
  if ("error" in e)
    return { outcome: `fails ${codeOfEvidence(e.error)}`, explanation: "A write to an unread peer failed." };
  if (e.ended === "write waits")
    return {
      outcome: "write-waits",
      explanation: `Writes resolve until about ${e.acceptedMiB} MiB sit in the socket buffers, then a write waits for the reader: backpressure is signalled.`,
    };
  return {
    outcome: "never-waits",
    explanation: `${e.acceptedMiB} MiB were accepted without the peer reading: the runtime buffers without bound and never signals backpressure.`,
  };
}

/** tcp.close-pending-read: how the read pending under close() ended, and what the peer read. */
export interface ClosePendingReadEvidence {
  pendingRead: "pending" | "resolved null" | "resolved data" | ErrorEvidence;
  afterMs: number;
  peer: ReadEvidence;
  closedPromise: string;
}

export function classifyClosePendingRead(e: ClosePendingReadEvidence): ProbeVerdict {
  const p = e.pendingRead;
  const local =
    p === "pending"
      ? "stays pending"
      : p === "resolved null"
        ? "resolves null"
        : p === "resolved data"
          ? "data"
          : `rejects ${codeOfEvidence(p)}`;
  const peer = readLabel(e.peer);
  return {
    outcome: `read ${local}; peer ${peer}`,
    explanation: `Closing a connection under a pending read makes that read ${local}; the peer's read gives ${peer}.`,
  };
}

/** tcp.close-after-read: after close() in a read's continuation, the next read, a write, and the peer's read. */
export type CloseAfterReadEvidence =
  | { firstRead: string }
  | { firstReadBytes: number; nextRead: ReadEvidence; write: SettledEvidence; peer: ReadEvidence };

export function classifyCloseAfterRead(e: CloseAfterReadEvidence): ProbeVerdict {
  if ("firstRead" in e)
    return { outcome: "no-data", explanation: `The first read did not deliver data (${e.firstRead}).` };
  const next = readLabel(e.nextRead);
  const write = settledLabel(e.write);
  const peer = readLabel(e.peer);
  return {
    outcome: `next read ${next}; write ${write}; peer ${peer}`,
    explanation: `After close() in the read continuation the next read gives ${next}, a write ${write}, and the peer sees ${peer}.`,
  };
}

/** tcp.reset-unread: the peer's read and next write after a close with unread received data. */
export interface ResetUnreadEvidence {
  peerRead: ReadEvidence;
  peerWriteAfter: SettledEvidence;
}

export function classifyResetUnread(e: ResetUnreadEvidence): ProbeVerdict {
  const peer = readLabel(e.peerRead);
  const wl = settledLabel(e.peerWriteAfter, "ok");
  return {
    outcome: `peer read ${peer}; next write ${wl}`,
    explanation:
      peer === "ECONNRESET"
        ? "Unread bytes were still in the kernel's receive buffer, so close() sent RST: the peer's read fails with ECONNRESET."
        : wl === "ok"
          ? `The peer reads ${peer} and can still write once: the runtime had already pulled the bytes into user space, so close() sent a plain FIN.`
          : `The peer reads ${peer} (a FIN came first), and its next write fails with ${wl} (the RST for the unread bytes followed).`,
  };
}

/** tcp.write-after-peer-close: each write's result until the first error. */
export interface WriteAfterCloseEvidence {
  writes: string[];
  error: ErrorEvidence | null;
}

export function classifyWriteAfterClose(e: WriteAfterCloseEvidence): ProbeVerdict {
  if (e.error === null)
    return {
      outcome: "writes keep succeeding",
      explanation: "Writes to a closed peer kept resolving; the failure is not reported to the writer.",
    };
  const code = codeOfEvidence(e.error);
  return {
    outcome: `fails ${code}`,
    explanation: `Write #${e.writes.length} after the peer closed fails with ${code} (the first is accepted by the kernel and answered with RST).`,
  };
}

/** tcp.nodelay-default: median write-write-read round trips, by default and with setNoDelay(true). */
export interface NoDelayEvidence {
  medianDefaultMs: number;
  medianNoDelayMs: number;
  defaultRoundsMs?: number[];
  noDelayRoundsMs?: number[];
}

/** Above this a round trip waited for a delayed ACK (~40 ms on Linux); below NAGLE_OFF_MS it did not. */
export const NAGLE_ON_MS = 20;
export const NAGLE_OFF_MS = 10;

export function classifyNoDelay(e: NoDelayEvidence): ProbeVerdict {
  const d = e.medianDefaultMs;
  const n = e.medianNoDelayMs;
  const outcome =
    d > NAGLE_ON_MS && n < NAGLE_OFF_MS
      ? "nagle on (noDelay false)"
      : d < NAGLE_OFF_MS
        ? "nagle off (noDelay true)"
        : "inconclusive";
  return {
    outcome,
    explanation:
      outcome === "inconclusive"
        ? `Write-write-read took ${d} ms by default and ${n} ms with setNoDelay(true): no clear Nagle signature.`
        : `Write-write-read round trips take ${d} ms by default and ${n} ms after setNoDelay(true), so new sockets have Nagle ${outcome.startsWith("nagle on") ? "on" : "off"}.`,
  };
}

/** tcp.keepalive: whether setKeepAlive exists and works. */
export type KeepAliveEvidence =
  | { method: "absent" }
  | ErrorEvidence
  | { enabledWithDelayMs: number; readable?: string };

export function classifyKeepAlive(e: KeepAliveEvidence): ProbeVerdict {
  if (isErrorEvidence(e)) return { outcome: `fails ${codeOfEvidence(e)}`, explanation: "setKeepAlive threw." };
  if ("method" in e)
    return {
      outcome: "not exposed",
      explanation: "The adapter offers no setKeepAlive: the runtime's native API does not expose SO_KEEPALIVE.",
    };
  return {
    outcome: "settable",
    explanation: "SO_KEEPALIVE can be switched on and off on an open connection (it cannot be read back to confirm).",
  };
}

/** tcp.connect-abort: how connect() ended after its signal was aborted at once, and what the listener saw. */
export interface ConnectAbortEvidence {
  connect: SettledEvidence;
  afterMs: number;
  listenerSaw: string;
}

export function classifyConnectAbort(e: ConnectAbortEvidence): ProbeVerdict {
  const label =
    e.connect === "resolved" ? "connects anyway" : e.connect === "pending" ? "hangs" : codeOfEvidence(e.connect);
  return {
    outcome: label,
    explanation:
      e.connect !== "resolved" && e.connect !== "pending"
        ? `An abort right after connect() rejects it with ${label} (the abort reason is kept as cause); the listener saw ${e.listenerSaw}.`
        : "The abort did not stop connect().",
  };
}

/** tcp.abort-open: the pending read and the peer's read after the connect signal of an open connection aborted. */
export interface AbortOpenEvidence {
  localRead: "eof" | "data" | "pending" | ErrorEvidence;
  peer: ReadEvidence;
}

export function classifyAbortOpen(e: AbortOpenEvidence): ProbeVerdict {
  const local = typeof e.localRead === "string" ? e.localRead : codeOfEvidence(e.localRead);
  const peer = readLabel(e.peer);
  return {
    outcome: `local read ${local}; peer ${peer}`,
    explanation: `Aborting the signal of an open connection ${local === "pending" ? "leaves it open" : "closes it"}: the pending read gives ${local}, the peer sees ${peer}.`,
  };
}

/** tcp.read-chunk-max: the sizes of the reads of 8 MiB. */
export interface ReadChunkEvidence {
  maxChunk: number;
  reads: number;
  bytes: number;
  averageChunk?: number;
}

export function classifyReadChunk(e: ReadChunkEvidence): ProbeVerdict {
  return {
    outcome: classifyChunk(e.maxChunk),
    explanation: `Reading 8 MiB took ${e.reads} reads; the largest returned ${e.maxChunk} bytes (the size of the runtime's read buffer).`,
  };
}

/** tcp.rebind-time-wait: the second listener's address, or the error of listening again. */
export type RebindEvidence = { port: number; address: unknown } | (ErrorEvidence & { port: number });

export function classifyRebind(e: RebindEvidence): ProbeVerdict {
  if (isErrorEvidence(e))
    return {
      outcome: shapeOf(e),
      explanation: "Listening again on the port failed while its last connection is in TIME_WAIT (no SO_REUSEADDR).",
    };
  return {
    outcome: "rebinds",
    explanation:
      "The port is listened on again at once although a connection on it is in TIME_WAIT: the runtime sets SO_REUSEADDR on listeners.",
  };
}

/** tcp.reuseport: the second listener's error, or how 8 clients were spread over both. */
export type TcpReusePortEvidence =
  | (ErrorEvidence & { featuresReusePort: boolean })
  | { featuresReusePort: boolean; accepted: { first: number; second: number } };

export function classifyTcpReusePort(e: TcpReusePortEvidence): ProbeVerdict {
  if (isErrorEvidence(e))
    return {
      outcome: shapeOf(e),
      explanation:
        "A second listener with reusePort on the same port fails: the option is not honoured (SO_REUSEPORT is not set).",
    };
  return {
    outcome: "both listen",
    explanation: `Both listeners bind the port with reusePort; 8 clients were spread ${e.accepted.first}/${e.accepted.second} by the kernel.`,
  };
}
