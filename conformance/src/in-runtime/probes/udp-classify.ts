/**
 * The classifiers of the datagram probes (`udp.*`, udp.ts): pure functions of the recorded
 * evidence, unit-tested with evidence recorded from real runtimes (test/probe-classify.test.ts).
 */
import { codeOfEvidence, type ErrorEvidence, isErrorEvidence, shapeOf } from "./errors-classify.js";
import type { ProbeVerdict } from "./types.js";

/** One datagram of `size` bytes: how its send ended ("ok", "pending", an error code) and what arrived. */
export interface SizeTrial {
  size: number;
  send: string;
  /** Bytes received, or null when nothing arrived within the wait. */
  received: number | null;
  intact: boolean;
  error?: ErrorEvidence;
}

/** udp.max-datagram: the trials of 1472, 9216 and 65507 bytes, up to the first that did not arrive whole. */
export function classifyMaxDatagram(e: { trials: SizeTrial[] }): ProbeVerdict {
  let largest = 0;
  for (const t of e.trials) {
    if (!t.intact) break;
    largest = t.size;
  }
  const failed = e.trials.find((t) => !t.intact);
  const truncated = e.trials.find((t) => t.received !== null && t.received !== t.size);
  const stop = failed
    ? failed.send !== "ok"
      ? `; the send of ${failed.size} bytes gives ${failed.send}`
      : failed.received === null
        ? `; ${failed.size} bytes did not arrive`
        : ""
    : "";
  return {
    outcome: largest ? String(largest) : `none (${failed ? trialLabel(failed) : "no trial"})`,
    explanation: truncated
      ? `Datagrams up to ${largest} bytes arrive whole; ${truncated.size} bytes arrived truncated to ${truncated.received} (detectable only by comparing lengths).`
      : `Datagrams up to ${largest} bytes (the IPv4 maximum is 65507) are sent and received whole; no truncation${stop}.`,
  };
}

/** A failed trial in a few words. */
function trialLabel(t: SizeTrial): string {
  if (t.send !== "ok") return `${t.size}: send fails ${t.send}`;
  if (t.received === null) return `${t.size}: nothing received`;
  return t.received === t.size ? `${t.size}: corrupted` : `${t.size}: truncated to ${t.received}`;
}

/** udp.oversize: a 65508-byte datagram, one byte over the IPv4 limit. */
export function classifyOversize(t: SizeTrial): ProbeVerdict {
  const outcome =
    t.send !== "ok"
      ? `send fails ${t.send}`
      : t.received === null
        ? "silently dropped"
        : t.intact
          ? "delivered"
          : `truncated to ${t.received}`;
  return {
    outcome,
    explanation:
      t.send !== "ok"
        ? `Sending one byte more than the IPv4 maximum fails at once with ${t.send}: the error is detectable by the sender.`
        : t.received === null
          ? "The oversized send resolved but nothing arrived: the loss is not detectable by the sender."
          : `The oversized datagram was ${outcome}.`,
  };
}

/** udp.empty-datagram: the send error, or what the first receive got (the empty datagram or the marker after it). */
export type EmptyDatagramEvidence =
  | ErrorEvidence
  | { first: "pending" | "null" | ErrorEvidence }
  | { firstReceivedBytes: number; from: unknown };

export function classifyEmptyDatagram(e: EmptyDatagramEvidence): ProbeVerdict {
  if (isErrorEvidence(e))
    return { outcome: `send fails ${codeOfEvidence(e)}`, explanation: "Sending an empty datagram is refused." };
  if ("first" in e) {
    const f = e.first;
    const how = typeof f === "string" ? f : codeOfEvidence(f);
    return {
      outcome: typeof f === "string" ? "nothing received" : `receive fails ${how}`,
      explanation: `Neither the empty datagram nor the marker after it arrived (the receive: ${how}).`,
    };
  }
  const n = e.firstReceivedBytes;
  return n === 0
    ? {
        outcome: "delivered",
        explanation:
          "An empty datagram is sent and received as a 0-byte datagram (the time protocol's empty request relies on it).",
      }
    : { outcome: "not delivered", explanation: "The empty datagram never arrived; the next datagram came first." };
}

/** udp.unreachable-port: two sends to a closed port and a receive after them. */
export interface UnreachableEvidence {
  firstSend: "resolved" | "pending" | ErrorEvidence;
  secondSend: "resolved" | "pending" | ErrorEvidence;
  /** "nothing", "null", "data", or the receive's error. */
  receive: string | ErrorEvidence;
}

export function classifyUnreachable(e: UnreachableEvidence): ProbeVerdict {
  const label = (x: UnreachableEvidence["firstSend"]): string =>
    x === "resolved" ? "ok" : x === "pending" ? "pending" : codeOfEvidence(x);
  const recv = typeof e.receive === "string" ? e.receive : codeOfEvidence(e.receive);
  const first = label(e.firstSend);
  const second = label(e.secondSend);
  const silent = first === "ok" && second === "ok" && recv === "nothing";
  return {
    outcome: silent ? "silent" : `send ${first}/${second}; receive ${recv}`,
    explanation: silent
      ? "Datagrams to a closed port vanish without an error: the ICMP port-unreachable is not reported on an unconnected socket."
      : "The ICMP port-unreachable from the first datagram is reported to the program.",
  };
}

/** udp.reuseport: which bind failed, or how 4 datagrams were shared by the two sockets. */
export type UdpReusePortEvidence =
  | (ErrorEvidence & { bind: "first" | "second" })
  | { port: number; received: { first: number; second: number } };

export function classifyUdpReusePort(e: UdpReusePortEvidence): ProbeVerdict {
  if (isErrorEvidence(e))
    return e.bind === "first"
      ? {
          outcome: `first bind ${shapeOf(e)}`,
          explanation: "A datagram socket cannot even be bound with reusePort.",
        }
      : {
          outcome: shapeOf(e),
          explanation: "The second datagram socket with reusePort fails: the runtime does not share the port.",
        };
  return {
    outcome: "both bound",
    explanation: `Two sockets share the port; of 4 datagrams the first got ${e.received.first}, the second ${e.received.second}.`,
  };
}

/** udp.broadcast: setBroadcast(true) and setBroadcast(false), each "ok" or an error code. */
export function classifyBroadcast(e: { setTrue: string; setFalse: string }): ProbeVerdict {
  const on = e.setTrue;
  const off = e.setFalse;
  const outcome = on === "ok" && off === "ok" ? "settable" : `on ${on}, off ${off}`;
  return {
    outcome,
    explanation:
      outcome === "settable"
        ? "setBroadcast(true) and setBroadcast(false) both work (no broadcast is sent by this probe)."
        : `setBroadcast(true) gives ${on}, setBroadcast(false) gives ${off}.`,
  };
}
