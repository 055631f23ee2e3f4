/**
 * Node API probes of dgram multicast: addMembership, setMulticastInterface, setMulticastLoopback,
 * delivery to a member on the same host, and dropMembership. They send to groups, so they run only
 * inside a network namespace the parent makes (`netns: true`: one host with a veth and a multicast
 * route, parent/process/netns.ts), whose interface address comes as ctx.multicast; without it (no
 * root) they report "unsupported: no network namespace".
 */
import { createSocket, type Socket as DgramSocket } from "node:dgram";
import type { ProbeContext } from "../in-runtime/probes/types.js";
import { type Cleanup, nodeError, type NodeErrorEvidence, wait, withCleanup } from "./kit.js";
import { classifyMulticast, type MulticastEvidence, type NotRun } from "./nodeapi-classify.js";
import { nodeApiProbe, type NodeApiProbe } from "./types.js";

/** Organization-local groups (RFC 2365), one per probe, apart from the native multicast probes' groups. */
const GROUPS = { member: "239.255.78.1", loopOff: "239.255.78.2" } as const;

const NO_NAMESPACE: NotRun = { notRun: "no network namespace" };

/** How long a datagram to a group on this host may take to arrive. */
const ARRIVAL_MS = 400;

/** A socket on the wildcard address (one bound to a unicast address hears no group) with its received texts. */
async function member(c: Cleanup): Promise<{ sock: DgramSocket; got: string[] }> {
  const sock = c.dgram(createSocket({ type: "udp4", reuseAddr: true }));
  const got: string[] = [];
  sock.on("message", (m: Buffer) => got.push(m.toString("utf8")));
  await new Promise<void>((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(0, () => resolve());
  });
  return { sock, got };
}

/** Runs a call; "ok", or the error it threw, recorded under the call's name. */
function attempt(f: () => unknown): unknown {
  try {
    f();
    return "ok";
  } catch (e) {
    return nodeError(e);
  }
}

/** Sends `text` to the group and waits (bounded) for the member to hear it: true when it did. */
async function delivered(
  tx: DgramSocket,
  rx: { sock: DgramSocket; got: string[] },
  group: string,
  text: string,
): Promise<boolean | NodeErrorEvidence> {
  const sent = await new Promise<"ok" | NodeErrorEvidence>((resolve) =>
    tx.send(text, rx.sock.address().port, group, (err) => resolve(err ? nodeError(err) : "ok")),
  );
  if (sent !== "ok") return sent;
  for (let waited = 0; waited < ARRIVAL_MS && !rx.got.includes(text); waited += 10) await wait(10);
  return rx.got.includes(text);
}

async function sender(c: Cleanup): Promise<DgramSocket> {
  const tx = c.dgram(createSocket("udp4"));
  await new Promise<void>((resolve, reject) => {
    tx.once("error", reject);
    tx.bind(0, () => resolve());
  });
  return tx;
}

function inNamespace(ctx: ProbeContext, body: (c: Cleanup, iface: string) => Promise<MulticastEvidence>) {
  const iface = ctx.multicast?.interfaceAddress;
  if (!iface) return Promise.resolve(NO_NAMESPACE);
  return withCleanup((c) => body(c, iface));
}

export const multicastProbes: NodeApiProbe[] = [
  nodeApiProbe<MulticastEvidence | NotRun>({
    id: "nodeapi.dgram.multicast-membership",
    title: "udp multicast: a member hears a group datagram from this host (loopback on); not after dropMembership()",
    netns: true,
    record: (ctx) =>
      inNamespace(ctx, async (c, iface) => {
        const rx = await member(c);
        const addMembership = attempt(() => rx.sock.addMembership(GROUPS.member, iface));
        const tx = await sender(c);
        const setMulticastInterface = attempt(() => tx.setMulticastInterface(iface));
        const setMulticastLoopback = attempt(() => tx.setMulticastLoopback(true));
        const heard = await delivered(tx, rx, GROUPS.member, "member");
        const dropMembership = attempt(() => rx.sock.dropMembership(GROUPS.member, iface));
        const heardAfterDrop = await delivered(tx, rx, GROUPS.member, "left");
        return {
          steps: {
            addMembership,
            setMulticastInterface,
            setMulticastLoopback,
            heard,
            dropMembership,
            heardAfterDrop,
          },
        };
      }),
    classify: classifyMulticast,
  }),
  nodeApiProbe<MulticastEvidence | NotRun>({
    id: "nodeapi.dgram.multicast-loopback-off",
    title: "udp multicast: setMulticastLoopback(false): does a member on the same host still hear the sender?",
    netns: true,
    record: (ctx) =>
      inNamespace(ctx, async (c, iface) => {
        const rx = await member(c);
        const addMembership = attempt(() => rx.sock.addMembership(GROUPS.loopOff, iface));
        const tx = await sender(c);
        const setMulticastInterface = attempt(() => tx.setMulticastInterface(iface));
        const setMulticastLoopback = attempt(() => tx.setMulticastLoopback(false));
        const heard = await delivered(tx, rx, GROUPS.loopOff, "quiet");
        return { steps: { addMembership, setMulticastInterface, setMulticastLoopback, heard } };
      }),
    classify: classifyMulticast,
  }),
];
