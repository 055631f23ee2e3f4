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
import {
  ARRIVAL_MS,
  type BadInterfaceEvidence,
  classifyBadInterface,
  classifyJoin,
  classifyLeave,
  classifyLoopbackDefault,
  classifySourceSpecific,
  classifyTtl,
  type JoinEvidence,
  type LeaveEvidence,
  type LoopbackDefaultEvidence,
  type SourceSpecificEvidence,
  type Step,
  type TtlEvidence,
  inNamespace,
  NO_NAMESPACE,
} from "./multicast-classify.js";
import type { Probe, ProbeContext } from "./types.js";
import { errorEvidence, scoped, type Scope } from "./util.js";

/** Groups in the organization-local scope (RFC 2365), one per probe so none hears another's datagrams. */
const GROUPS = {
  join: "239.255.77.1",
  loop: "239.255.77.2",
  ttl: "239.255.77.3",
  leave: "239.255.77.4",
  ssm: "232.1.77.5",
  bad: "239.255.77.6",
} as const;

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

/** Runs `f` and says "ok" or what it threw (errorEvidence), to be recorded under the call's name. */
async function attempt(f: () => Promise<void>): Promise<Step> {
  try {
    await f();
    return "ok";
  } catch (e) {
    return errorEvidence(e);
  }
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

export const multicastProbes: Probe[] = [
  {
    id: "udp.multicast-join",
    title: "addMembership: a socket that joined a group receives a datagram sent to it",
    needs: ["udp", "multicast"],
    netns: true,
    classify: inNamespace(classifyJoin),
    async collect(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const at = { group: GROUPS.join, interfaceAddress: iface };
        const r = await member(rt, scope);
        const addMembership = await attempt(() => r.sock.addMembership(GROUPS.join, iface));
        if (addMembership !== "ok") return { ...at, addMembership } satisfies JoinEvidence;
        // The member sends to its own group: loopback on, so the copy comes back to this host.
        const loop = await attempt(() => r.sock.setMulticastLoopback(true));
        await r.sock.send(enc("join"), { hostname: GROUPS.join, port: r.sock.address.port });
        const received = await arrives(rt, r.receive, "join");
        return { ...at, addMembership, "setMulticastLoopback(true)": loop, received } satisfies JoinEvidence;
      });
    },
  },
  {
    id: "udp.multicast-loopback-default",
    title: "IP_MULTICAST_LOOP of a fresh socket: does a member on the same host hear its datagram to the group?",
    needs: ["udp", "multicast"],
    netns: true,
    classify: inNamespace(classifyLoopbackDefault),
    async collect(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const r = await member(rt, scope);
        const addMembership = await attempt(() => r.sock.addMembership(GROUPS.loop, iface));
        if (addMembership !== "ok") return { group: GROUPS.loop, addMembership } satisfies LoopbackDefaultEvidence;
        const sender = scope.dgram(await rt.bindDatagram({ hostname: "0.0.0.0", port: 0 }));
        await sender.send(enc("loop"), { hostname: GROUPS.loop, port: r.sock.address.port });
        const received = await arrives(rt, r.receive, "loop");
        return { group: GROUPS.loop, addMembership, received } satisfies LoopbackDefaultEvidence;
      });
    },
  },
  {
    id: "udp.multicast-ttl",
    title: "setMulticastTTL: before joining a group, after joining, and an out-of-range TTL",
    needs: ["udp", "multicast"],
    netns: true,
    classify: inNamespace(classifyTtl),
    async collect(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const s = (await member(rt, scope)).sock;
        const before = await attempt(() => s.setMulticastTTL(4));
        const addMembership = await attempt(() => s.addMembership(GROUPS.ttl, iface));
        if (addMembership !== "ok")
          return { "setMulticastTTL(4) before joining": before, addMembership } satisfies TtlEvidence;
        const after = await attempt(() => s.setMulticastTTL(4));
        const range = await attempt(() => s.setMulticastTTL(300));
        return {
          "setMulticastTTL(4) before joining": before,
          addMembership,
          "setMulticastTTL(4) after joining": after,
          "setMulticastTTL(300)": range,
        } satisfies TtlEvidence;
      });
    },
  },
  {
    id: "udp.multicast-leave",
    title: "dropMembership: after leaving, datagrams to the group no longer arrive",
    needs: ["udp", "multicast"],
    netns: true,
    classify: inNamespace(classifyLeave),
    async collect(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const r = await member(rt, scope);
        const addMembership = await attempt(() => r.sock.addMembership(GROUPS.leave, iface));
        if (addMembership !== "ok") return { group: GROUPS.leave, addMembership } satisfies LeaveEvidence;
        const joined = {
          group: GROUPS.leave,
          addMembership,
          "setMulticastLoopback(true)": await attempt(() => r.sock.setMulticastLoopback(true)),
        } as const;
        const to = { hostname: GROUPS.leave, port: r.sock.address.port };
        await r.sock.send(enc("member"), to);
        const receivedAsMember = await arrives(rt, r.receive, "member");
        const dropMembership = await attempt(() => r.sock.dropMembership(GROUPS.leave, iface));
        if (dropMembership !== "ok") return { ...joined, receivedAsMember, dropMembership } satisfies LeaveEvidence;
        await r.sock.send(enc("left"), to);
        const receivedAfterLeaving = await arrives(rt, r.receive, "left");
        const again = await attempt(() => r.sock.dropMembership(GROUPS.leave, iface));
        return {
          ...joined,
          receivedAsMember,
          dropMembership,
          receivedAfterLeaving,
          "second dropMembership": again,
        } satisfies LeaveEvidence;
      });
    },
  },
  {
    id: "udp.multicast-source-specific",
    title: "addSourceMembership (SSM, RFC 4607): datagrams from the joined source arrive",
    needs: ["udp", "multicast"],
    netns: true,
    classify: inNamespace(classifySourceSpecific),
    async collect(rt, ctx) {
      const iface = namespaceOf(ctx);
      if (!iface) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const at = { group: GROUPS.ssm, source: iface };
        const r = await member(rt, scope);
        const addSourceMembership = await attempt(() => r.sock.addSourceMembership(iface, GROUPS.ssm, iface));
        if (addSourceMembership !== "ok") return { ...at, addSourceMembership } satisfies SourceSpecificEvidence;
        // Sent from the interface's own address, which is the joined source.
        const sender = scope.dgram(await rt.bindDatagram({ hostname: iface, port: 0 }));
        const loop = await attempt(() => sender.setMulticastLoopback(true));
        await sender.send(enc("ssm"), { hostname: GROUPS.ssm, port: r.sock.address.port });
        const received = await arrives(rt, r.receive, "ssm");
        return {
          ...at,
          addSourceMembership,
          "sender setMulticastLoopback(true)": loop,
          received,
        } satisfies SourceSpecificEvidence;
      });
    },
  },
  {
    id: "udp.multicast-bad-interface",
    title: "addMembership on an interface address this host does not have",
    needs: ["udp", "multicast"],
    netns: true,
    classify: inNamespace(classifyBadInterface),
    async collect(rt, ctx) {
      if (!namespaceOf(ctx)) return NO_NAMESPACE;
      return scoped(async (scope) => {
        const bad = "192.0.2.77"; // TEST-NET-1 (RFC 5737): no interface has it
        const s = (await member(rt, scope)).sock;
        const join = await attempt(() => s.addMembership(GROUPS.bad, bad));
        return {
          group: GROUPS.bad,
          interfaceAddress: bad,
          ...(join === "ok" ? {} : { error: join }),
        } satisfies BadInterfaceEvidence;
      });
    },
  },
];
