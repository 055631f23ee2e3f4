/**
 * The classifiers of the multicast probes (`udp.multicast-*`, multicast.ts): pure functions of
 * the recorded evidence, tested with evidence recorded on node, bun and deno inside the parent's
 * network namespace (test/probe-evidence.test.ts).
 *
 * Each call the probes make is recorded under its own key as "ok" or its errorEvidence().
 * A call that only prepares the test (turning multicast loopback on) and failed is named in the
 * outcome, so a change there never hides behind the same label.
 */
import { codeOfEvidence, type ErrorEvidence, shapeOf } from "./errors-classify.js";
import type { ProbeVerdict } from "./types.js";

/** How long a probe waits for a datagram that should arrive on the same host. */
export const ARRIVAL_MS = 500;

/** The evidence of a multicast probe outside a network namespace: it did not run. */
export interface NoNamespaceEvidence {
  reason: "no network namespace";
}

export const NO_NAMESPACE: NoNamespaceEvidence = { reason: "no network namespace" };

/** A multicast probe's classifier, which also reads the evidence of a probe that did not run (NO_NAMESPACE). */
export function inNamespace<E extends object>(
  classify: (e: E) => ProbeVerdict,
): (e: E | NoNamespaceEvidence) => ProbeVerdict {
  return (e) =>
    "reason" in e && e.reason === NO_NAMESPACE.reason
      ? {
          outcome: "unsupported",
          explanation:
            "Not run: multicast probes run only inside a network namespace the parent creates, which needs root (ip netns).",
        }
      : classify(e as E);
}

/** One call: "ok", or what it threw. */
export type Step = "ok" | ErrorEvidence;

/** "ok" or the error's code. */
export function stepLabel(s: Step): string {
  return s === "ok" ? "ok" : codeOfEvidence(s);
}

/** "" when the preparing call worked, else "; <call> <code>" to append to the outcome. */
function prepared(call: string, s: Step | undefined): string {
  return s === undefined || s === "ok" ? "" : `; ${call} ${codeOfEvidence(s)}`;
}

/** udp.multicast-join: the join on the interface, then the member's own datagram to the group with loopback on. */
export type JoinEvidence = { group: string; interfaceAddress: string } & (
  | { addMembership: ErrorEvidence }
  | { addMembership: "ok"; "setMulticastLoopback(true)": Step; received: boolean }
);

export function classifyJoin(e: JoinEvidence): ProbeVerdict {
  if (e.addMembership !== "ok") {
    const join = codeOfEvidence(e.addMembership);
    return { outcome: join, explanation: `addMembership(${e.group}) failed with ${join}.` };
  }
  const loop = "setMulticastLoopback(true)" in e ? e["setMulticastLoopback(true)"] : undefined;
  const got = "received" in e && e.received;
  return {
    outcome: `${got ? "received" : "not received"}${prepared("setMulticastLoopback(true)", loop)}`,
    explanation: got
      ? `After addMembership(${e.group}) the socket received a datagram sent to the group.`
      : `addMembership(${e.group}) succeeded, but a datagram sent to the group did not arrive within ${ARRIVAL_MS} ms.`,
  };
}

/** udp.multicast-loopback-default: a member joins; a fresh socket sends to the group. */
export type LoopbackDefaultEvidence = { group: string } & (
  | { addMembership: ErrorEvidence }
  | { addMembership: "ok"; received: boolean }
);

export function classifyLoopbackDefault(e: LoopbackDefaultEvidence): ProbeVerdict {
  if (e.addMembership !== "ok") {
    const join = codeOfEvidence(e.addMembership);
    return {
      outcome: `join fails ${join}`,
      explanation: `Not measured: the member's addMembership(${e.group}) failed with ${join}.`,
    };
  }
  const got = "received" in e && e.received;
  return {
    outcome: got ? "on" : "off",
    explanation: got
      ? "A fresh socket's datagram to a group reaches a member on the same host: multicast loopback is on by default (Linux's default)."
      : "A fresh socket's datagram to a group does not reach a member on the same host: the runtime turns multicast loopback off by default.",
  };
}

/** udp.multicast-ttl: setMulticastTTL(4) before and after joining, then setMulticastTTL(300). */
export type TtlEvidence = { "setMulticastTTL(4) before joining": Step } & (
  | { addMembership: ErrorEvidence }
  | { addMembership: "ok"; "setMulticastTTL(4) after joining": Step; "setMulticastTTL(300)": Step }
);

export function classifyTtl(e: TtlEvidence): ProbeVerdict {
  const before = stepLabel(e["setMulticastTTL(4) before joining"]);
  if (e.addMembership !== "ok") {
    const join = codeOfEvidence(e.addMembership);
    return {
      outcome: `${before === "ok" ? "settable" : before}; join fails ${join}`,
      explanation: `setMulticastTTL before joining gives ${before === "ok" ? "no error" : before}; addMembership failed with ${join}, so nothing after it was tried.`,
    };
  }
  const after = "setMulticastTTL(4) after joining" in e ? stepLabel(e["setMulticastTTL(4) after joining"]) : "";
  const range = "setMulticastTTL(300)" in e ? stepLabel(e["setMulticastTTL(300)"]) : "";
  const outcome =
    before === "ok" ? "settable" : after === "ok" ? "settable after joining" : `${before}, after joining ${after}`;
  return {
    outcome: `${outcome}; 300: ${range === "ok" ? "accepted" : range}`,
    explanation:
      before === "ok"
        ? `setMulticastTTL works on any socket; a TTL of 300 (above 255) gives ${range === "ok" ? "no error" : range}.`
        : after === "ok"
          ? `setMulticastTTL needs a group membership first (before joining: ${before}); a TTL of 300 gives ${range === "ok" ? "no error" : range}.`
          : `setMulticastTTL fails: ${before} before joining, ${after} after.`,
  };
}

/** udp.multicast-leave: a datagram as a member, dropMembership, a datagram after leaving, and leaving again. */
export type LeaveEvidence = { group: string } & (
  | { addMembership: ErrorEvidence }
  | ({ addMembership: "ok"; "setMulticastLoopback(true)": Step; receivedAsMember: boolean } & (
      | { dropMembership: ErrorEvidence }
      | { dropMembership: "ok"; receivedAfterLeaving: boolean; "second dropMembership": Step }
    ))
);

export function classifyLeave(e: LeaveEvidence): ProbeVerdict {
  if (e.addMembership !== "ok") {
    const join = codeOfEvidence(e.addMembership);
    return {
      outcome: `join fails ${join}`,
      explanation: `Not measured: addMembership(${e.group}) failed with ${join}.`,
    };
  }
  const loop = prepared("setMulticastLoopback(true)", e["setMulticastLoopback(true)"]);
  if (e.dropMembership !== "ok") {
    const drop = codeOfEvidence(e.dropMembership);
    return { outcome: `${drop}${loop}`, explanation: `dropMembership(${e.group}) failed with ${drop}.` };
  }
  const member = e.receivedAsMember;
  const after = "receivedAfterLeaving" in e && e.receivedAfterLeaving;
  const again = "second dropMembership" in e ? stepLabel(e["second dropMembership"]) : "";
  const outcome = !member
    ? after
      ? "received only after leaving"
      : "never received"
    : after
      ? "still receiving"
      : "left";
  return {
    outcome: `${outcome}; leaving twice: ${again}${loop}`,
    explanation:
      outcome === "left"
        ? `After dropMembership the group's datagrams stop arriving; leaving a group not joined gives ${again}.`
        : `As a member the socket ${member ? "received" : "did not receive"} the group's datagram; after dropMembership it ${after ? "still did" : "did not"}.`,
  };
}

/** udp.multicast-source-specific: a join of (source, group), then a datagram from that source. */
export type SourceSpecificEvidence = { group: string; source: string } & (
  | { addSourceMembership: ErrorEvidence }
  | { addSourceMembership: "ok"; "sender setMulticastLoopback(true)": Step; received: boolean }
);

export function classifySourceSpecific(e: SourceSpecificEvidence): ProbeVerdict {
  if (e.addSourceMembership !== "ok") {
    const join = codeOfEvidence(e.addSourceMembership);
    return {
      outcome: join,
      explanation: `addSourceMembership(${e.source}, ${e.group}) failed with ${join}.`,
    };
  }
  const loop = "sender setMulticastLoopback(true)" in e ? e["sender setMulticastLoopback(true)"] : undefined;
  const got = "received" in e && e.received;
  return {
    outcome: `${got ? "received" : "not received"}${prepared("sender setMulticastLoopback(true)", loop)}`,
    explanation: got
      ? `A source-specific join of (${e.source}, ${e.group}) receives that source's datagrams.`
      : `addSourceMembership succeeded, but the source's datagram did not arrive within ${ARRIVAL_MS} ms.`,
  };
}

/** udp.multicast-bad-interface: addMembership on an address no interface has, and its error if any. */
export interface BadInterfaceEvidence {
  group: string;
  interfaceAddress: string;
  error?: ErrorEvidence;
}

export function classifyBadInterface(e: BadInterfaceEvidence): ProbeVerdict {
  const where = `Joining ${e.group} on ${e.interfaceAddress}, an address no interface has,`;
  return e.error
    ? { outcome: shapeOf(e.error), explanation: `${where} fails with ${codeOfEvidence(e.error)}.` }
    : { outcome: "accepted", explanation: `${where} raised no error.` };
}
