/**
 * IPv4 multicast: joining a group, what a fresh socket does with its own datagrams to a group
 * (IP_MULTICAST_LOOP), the TTL, leaving, source-specific joins and a bad interface address.
 * The runtimes differ here: node:dgram has had every call for years, Bun added them in 1.2.3
 * (https://github.com/oven-sh/bun/pull/10381), Deno offers joinMulticastV4 behind
 * --unstable-net with TTL and loopback only on a membership, and no source-specific join.
 *
 * These probes send to groups, so they run only inside a network namespace the parent makes
 * (one host with a veth and a multicast route, see parent/process/netns.ts); the parent passes
 * the interface's address as `ctx.multicast`. Without it (no root) they report "unsupported".
 */
import type { Datagram, DatagramSocket, Runtime } from "@netparity/protocol";
import { receiverOf } from "../scenarios/udp-util.js";
import type { Probe, ProbeContext, ProbeOutcome } from "./types.js";
import { codeOf, errorEvidence, errorShape, scoped, type Scope } from "./util.js";

/** Groups in the organization-local scope (RFC 2365), one per probe so none hears another's datagrams. */
const GROUPS = {
  join: "239.255.77.1",
  loop: "239.255.77.2",
  ttl: "239.255.77.3",
  leave: "239.255.77.4",
  ssm: "232.1.77.5",
  bad: "239.255.77.6",
} as const;

/** How long a probe waits for a datagram that should arrive on the same host. */
const ARRIVAL_MS = 500;

const NO_NAMESPACE: ProbeOutcome = {
  outcome: "unsupported",
  evidence: { reason: "no network namespace" },
  explanation:
    "Not run: multicast probes run only inside a network namespace the parent creates, which needs root (ip netns).",
};

function namespaceOf(ctx: ProbeContext): string | undefined {
  return ctx.multicast?.interfaceAddress;
}

/** A socket on the wildcard address (a socket bound to a unicast address hears no group) and its receiver. */
async function member(
  rt: Runtime,
  scope: Scope,
): Promise<{ sock: DatagramSocket; receive: (ms: number) => Promise<Datagram | null | undefined> }> {
  const sock = scope.dgram(await rt.bindDatagram({ hostname: "0.0.0.0", port: 0 }));
  return { sock, receive: receiverOf(sock) };
}

/** Waits for a datagram with exactly `text`; other datagrams are skipped. */
async function arrives(
  rt: Runtime,
  receive: (ms: number) => Promise<Datagram | null | undefined>,
  text: string,
  ms = ARRIVAL_MS,
): Promise<boolean> {
  const until = rt.host.now() + ms;
  for (;;) {
    const left = until - rt.host.now();
    if (left <= 0) return false;
    const d = await receive(left);
    if (!d) return false;
    if (new TextDecoder().decode(d.data) === text) return true;
  }
}

/** Runs `f` and says "ok" or the error's code; the error itself goes into `evidence[key]`. */
async function attempt(evidence: Record<string, unknown>, key: string, f: () => Promise<void>): Promise<string> {
  try {
    await f();
    evidence[key] = "ok";
    return "ok";
  } catch (e) {
    evidence[key] = errorEvidence(e);
    return codeOf(e);
  }
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export const multicastProbes: Probe[] = [
  {
    id: "udp.multicast-join",
    title: "addMembership: a socket that joined a group receives a datagram sent to it",
    needs: ["udp", "multicast"],
    netns: true,
    async run(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const evidence: Record<string, unknown> = { group: GROUPS.join, interfaceAddress: iface };
        const r = await member(rt, scope);
        const join = await attempt(evidence, "addMembership", () => r.sock.addMembership(GROUPS.join, iface));
        if (join !== "ok")
          return { outcome: join, evidence, explanation: `addMembership(${GROUPS.join}) failed with ${join}.` };
        // The member sends to its own group: loopback on, so the copy comes back to this host.
        await attempt(evidence, "setMulticastLoopback(true)", () => r.sock.setMulticastLoopback(true));
        await r.sock.send(enc("join"), { hostname: GROUPS.join, port: r.sock.address.port });
        const got = await arrives(rt, r.receive, "join");
        evidence.received = got;
        return {
          outcome: got ? "received" : "not received",
          evidence,
          explanation: got
            ? `After addMembership(${GROUPS.join}) the socket received a datagram sent to the group.`
            : `addMembership(${GROUPS.join}) succeeded, but a datagram sent to the group did not arrive within ${ARRIVAL_MS} ms.`,
        };
      });
    },
  },
  {
    id: "udp.multicast-loopback-default",
    title: "IP_MULTICAST_LOOP of a fresh socket: does a member on the same host hear its datagram to the group?",
    needs: ["udp", "multicast"],
    netns: true,
    async run(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const evidence: Record<string, unknown> = { group: GROUPS.loop };
        const r = await member(rt, scope);
        await r.sock.addMembership(GROUPS.loop, iface);
        const sender = scope.dgram(await rt.bindDatagram({ hostname: "0.0.0.0", port: 0 }));
        await sender.send(enc("loop"), { hostname: GROUPS.loop, port: r.sock.address.port });
        const got = await arrives(rt, r.receive, "loop");
        evidence.received = got;
        return {
          outcome: got ? "on" : "off",
          evidence,
          explanation: got
            ? "A fresh socket's datagram to a group reaches a member on the same host: multicast loopback is on by default (Linux's default)."
            : "A fresh socket's datagram to a group does not reach a member on the same host: the runtime turns multicast loopback off by default.",
        };
      });
    },
  },
  {
    id: "udp.multicast-ttl",
    title: "setMulticastTTL: before joining a group, after joining, and an out-of-range TTL",
    needs: ["udp", "multicast"],
    netns: true,
    async run(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const evidence: Record<string, unknown> = {};
        const s = (await member(rt, scope)).sock;
        const before = await attempt(evidence, "setMulticastTTL(4) before joining", () => s.setMulticastTTL(4));
        await s.addMembership(GROUPS.ttl, iface);
        const after = await attempt(evidence, "setMulticastTTL(4) after joining", () => s.setMulticastTTL(4));
        const range = await attempt(evidence, "setMulticastTTL(300)", () => s.setMulticastTTL(300));
        const outcome =
          before === "ok"
            ? "settable"
            : after === "ok"
              ? "settable after joining"
              : `${before}, after joining ${after}`;
        return {
          outcome: `${outcome}; 300: ${range === "ok" ? "accepted" : range}`,
          evidence,
          explanation:
            before === "ok"
              ? `setMulticastTTL works on any socket; a TTL of 300 (above 255) gives ${range === "ok" ? "no error" : range}.`
              : after === "ok"
                ? `setMulticastTTL needs a group membership first (before joining: ${before}); a TTL of 300 gives ${range === "ok" ? "no error" : range}.`
                : `setMulticastTTL fails: ${before} before joining, ${after} after.`,
        };
      });
    },
  },
  {
    id: "udp.multicast-leave",
    title: "dropMembership: after leaving, datagrams to the group no longer arrive",
    needs: ["udp", "multicast"],
    netns: true,
    async run(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const evidence: Record<string, unknown> = { group: GROUPS.leave };
        const r = await member(rt, scope);
        await r.sock.addMembership(GROUPS.leave, iface);
        await attempt(evidence, "setMulticastLoopback(true)", () => r.sock.setMulticastLoopback(true));
        const to = { hostname: GROUPS.leave, port: r.sock.address.port };
        await r.sock.send(enc("member"), to);
        evidence.receivedAsMember = await arrives(rt, r.receive, "member");
        const drop = await attempt(evidence, "dropMembership", () => r.sock.dropMembership(GROUPS.leave, iface));
        if (drop !== "ok")
          return { outcome: drop, evidence, explanation: `dropMembership(${GROUPS.leave}) failed with ${drop}.` };
        await r.sock.send(enc("left"), to);
        const after = await arrives(rt, r.receive, "left");
        evidence.receivedAfterLeaving = after;
        const again = await attempt(evidence, "second dropMembership", () =>
          r.sock.dropMembership(GROUPS.leave, iface),
        );
        const outcome = !evidence.receivedAsMember ? "never received" : after ? "still receiving" : "left";
        return {
          outcome: `${outcome}; leaving twice: ${again}`,
          evidence,
          explanation:
            outcome === "left"
              ? `After dropMembership the group's datagrams stop arriving; leaving a group not joined gives ${again}.`
              : `As a member the socket ${evidence.receivedAsMember ? "received" : "did not receive"} the group's datagram; after dropMembership it ${after ? "still did" : "did not"}.`,
        };
      });
    },
  },
  {
    id: "udp.multicast-source-specific",
    title: "addSourceMembership (SSM, RFC 4607): datagrams from the joined source arrive",
    needs: ["udp", "multicast"],
    netns: true,
    async run(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const evidence: Record<string, unknown> = { group: GROUPS.ssm, source: iface };
        const r = await member(rt, scope);
        const join = await attempt(evidence, "addSourceMembership", () =>
          r.sock.addSourceMembership(iface, GROUPS.ssm, iface),
        );
        if (join !== "ok")
          return {
            outcome: join,
            evidence,
            explanation: `addSourceMembership(${iface}, ${GROUPS.ssm}) failed with ${join}.`,
          };
        // Sent from the interface's own address, which is the joined source.
        const sender = scope.dgram(await rt.bindDatagram({ hostname: iface, port: 0 }));
        await attempt(evidence, "sender setMulticastLoopback(true)", () => sender.setMulticastLoopback(true));
        await sender.send(enc("ssm"), { hostname: GROUPS.ssm, port: r.sock.address.port });
        const got = await arrives(rt, r.receive, "ssm");
        evidence.received = got;
        return {
          outcome: got ? "received" : "not received",
          evidence,
          explanation: got
            ? `A source-specific join of (${iface}, ${GROUPS.ssm}) receives that source's datagrams.`
            : `addSourceMembership succeeded, but the source's datagram did not arrive within ${ARRIVAL_MS} ms.`,
        };
      });
    },
  },
  {
    id: "udp.multicast-bad-interface",
    title: "addMembership on an interface address this host does not have",
    needs: ["udp", "multicast"],
    netns: true,
    async run(rt, ctx) {
      if (!namespaceOf(ctx)) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const bad = "192.0.2.77"; // TEST-NET-1 (RFC 5737): no interface has it
        const s = (await member(rt, scope)).sock;
        try {
          await s.addMembership(GROUPS.bad, bad);
        } catch (e) {
          return {
            outcome: errorShape(e),
            evidence: { interfaceAddress: bad, error: errorEvidence(e) },
            explanation: `Joining ${GROUPS.bad} on ${bad}, an address no interface has, fails with ${codeOf(e)}.`,
          };
        }
        return {
          outcome: "accepted",
          evidence: { interfaceAddress: bad },
          explanation: `Joining ${GROUPS.bad} on ${bad}, an address no interface has, raised no error.`,
        };
      });
    },
  },
];
