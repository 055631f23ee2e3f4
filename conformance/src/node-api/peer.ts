/**
 * Node API probes whose peer is the parent (ctx.parentPeer, parent/runner/probe-peer.ts), for what
 * no runtime may report about itself:
 *
 * - setKeepAlive/setNoDelay as the KERNEL sees them: the probe connects to the parent, makes its
 *   calls, and asks "inspect"; the parent reads the probe's end of that connection from outside the
 *   runtime (`ss`'s timer, and SO_KEEPALIVE, TCP_KEEPIDLE/INTVL/CNT and TCP_NODELAY by getsockopt
 *   on a duplicate of the descriptor) and answers with it. The runtime's own getters are never read.
 * - a real RST from the peer, sent by Node in the parent (resetAndDestroy()), whichever runtime
 *   runs the probe and whether or not its net.Socket has resetAndDestroy().
 */
import { connect, type NetConnectOpts, type ServerOpts, type Socket } from "node:net";
import type { ProbeContext } from "../in-runtime/probes/types.js";
import { listening, nodeError, type NodeErrorEvidence, recordEvents, until, wait, withCleanup } from "./kit.js";
import { connected, writeAfterReset } from "./net-records.js";
import type { NotRun } from "./nodeapi-classify.js";
import {
  classifyKernelKeepAlive,
  classifyKernelNoDelay,
  classifyParentResetError,
  classifyParentResetEvents,
  classifyParentResetWrite,
  type KernelEvidence,
  type KernelView,
  type ParentResetEvidence,
} from "./peer-classify.js";
import { nodeApiProbe, type NodeApiProbe } from "./types.js";

const NO_PEER: NotRun = { notRun: "no parent peer" };

/** How long an option call may take to reach the kernel where a runtime applies it asynchronously. */
const SETTLE_MS = 50;

/** Reads one line from the socket (bounded); null when none came. */
function line(s: Socket, ms: number): Promise<string | null> {
  return new Promise((resolve) => {
    let buf = "";
    const done = (v: string | null): void => {
      clearTimeout(t);
      s.off("data", onData);
      s.off("close", onClose);
      resolve(v);
    };
    const onData = (d: Buffer | string): void => {
      buf += typeof d === "string" ? d : d.toString("latin1");
      const nl = buf.indexOf("\n");
      if (nl !== -1) done(buf.slice(0, nl));
    };
    const onClose = (): void => done(null);
    const t = setTimeout(() => done(null), ms);
    s.on("data", onData);
    s.on("close", onClose);
  });
}

/** Connects to the parent (with `opts`), makes `calls` on the socket, and returns the kernel's view of it. */
async function kernelView(
  ctx: ProbeContext,
  calls: string,
  apply: (s: Socket) => void,
  opts: Partial<NetConnectOpts> = {},
): Promise<KernelEvidence> {
  const peer = ctx.parentPeer;
  if (!peer) return NO_PEER;
  return withCleanup(async (c) => {
    const s = c.socket(connect({ host: peer.host, port: peer.port, ...opts } as NetConnectOpts));
    await connected(s);
    apply(s);
    await wait(SETTLE_MS);
    s.write("inspect\n");
    const answer = await line(s, 4500);
    if (answer === null) return { calls, noAnswer: "no answer within 4.5 s" };
    try {
      return { calls, kernel: JSON.parse(answer) as KernelView };
    } catch {
      return { calls, noAnswer: `unreadable answer: ${answer.slice(0, 60)}` };
    }
  });
}

/**
 * A server of the probe (with `opts`) that the parent dials ("dial P"): its 'connection' handler
 * makes `calls` and writes one byte, and the parent answers with the accepted socket's kernel view.
 */
async function acceptedView(
  ctx: ProbeContext,
  calls: string,
  opts: ServerOpts,
  apply: (s: Socket) => void = () => undefined,
): Promise<KernelEvidence> {
  const peer = ctx.parentPeer;
  if (!peer) return NO_PEER;
  return withCleanup(async (c) => {
    const { where } = await listening(c, opts, (s) => {
      apply(s);
      s.write("a");
    });
    const control = c.socket(connect({ host: peer.host, port: peer.port }));
    await connected(control);
    control.write(`dial ${"port" in where ? where.port : 0}\n`);
    const answer = await line(control, 4500);
    if (answer === null) return { calls, noAnswer: "no answer within 4.5 s" };
    try {
      return { calls, kernel: JSON.parse(answer) as KernelView };
    } catch {
      return { calls, noAnswer: `unreadable answer: ${answer.slice(0, 60)}` };
    }
  });
}

/** The parent resets the connection; the client's events, its 'error', then a write and its callback. */
async function parentReset(ctx: ProbeContext): Promise<ParentResetEvidence> {
  const peer = ctx.parentPeer;
  if (!peer) return NO_PEER;
  return withCleanup(async (c) => {
    const events: string[] = [];
    let error: NodeErrorEvidence | null = null;
    const client = c.socket(connect({ host: peer.host, port: peer.port }));
    recordEvents(client, events);
    client.once("error", (e) => (error = nodeError(e)));
    client.resume();
    await connected(client);
    client.write("reset\n");
    await until(() => events.some((x) => x.startsWith("close")), 1500);
    await wait(20);
    return { ...(await writeAfterReset(client, events)), error };
  });
}

export const peerProbes: NodeApiProbe[] = [
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.keepalive",
    title: "setKeepAlive(true, 1000) as the kernel sees it (read by the parent: SO_KEEPALIVE, idle, interval, count)",
    peer: true,
    record: (ctx) => kernelView(ctx, "setKeepAlive(true, 1000)", (s) => s.setKeepAlive(true, 1000)),
    classify: classifyKernelKeepAlive,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.keepalive-off",
    title: "setKeepAlive(true, 1000) then setKeepAlive(false) as the kernel sees it",
    peer: true,
    record: (ctx) =>
      kernelView(ctx, "setKeepAlive(true, 1000), then setKeepAlive(false)", (s) => {
        s.setKeepAlive(true, 1000);
        s.setKeepAlive(false);
      }),
    classify: classifyKernelKeepAlive,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.keepalive-option",
    title: "connect({ keepAlive: true, keepAliveInitialDelay: 1000 }) as the kernel sees it",
    peer: true,
    record: (ctx) =>
      kernelView(ctx, "connect({ keepAlive: true, keepAliveInitialDelay: 1000 })", () => undefined, {
        keepAlive: true,
        keepAliveInitialDelay: 1000,
      }),
    classify: classifyKernelKeepAlive,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.nodelay-default",
    title: "TCP_NODELAY of a net.connect() socket nobody set it on, as the kernel sees it",
    peer: true,
    record: (ctx) => kernelView(ctx, "connect() alone", () => undefined),
    classify: classifyKernelNoDelay,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.nodelay",
    title: "setNoDelay(true) as the kernel sees it (TCP_NODELAY read by the parent)",
    peer: true,
    record: (ctx) => kernelView(ctx, "setNoDelay(true)", (s) => s.setNoDelay(true)),
    classify: classifyKernelNoDelay,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.nodelay-false",
    title: "setNoDelay(false) on a fresh socket as the kernel sees it (Nagle on, as Node's default)",
    peer: true,
    record: (ctx) => kernelView(ctx, "setNoDelay(false)", (s) => s.setNoDelay(false)),
    classify: classifyKernelNoDelay,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.nodelay-off",
    title: "setNoDelay(true) then setNoDelay(false) as the kernel sees it",
    peer: true,
    record: (ctx) =>
      kernelView(ctx, "setNoDelay(true), then setNoDelay(false)", (s) => {
        s.setNoDelay(true);
        s.setNoDelay(false);
      }),
    classify: classifyKernelNoDelay,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.nodelay-option",
    title: "connect({ noDelay: true }) as the kernel sees it",
    peer: true,
    record: (ctx) => kernelView(ctx, "connect({ noDelay: true })", () => undefined, { noDelay: true }),
    classify: classifyKernelNoDelay,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.accepted-nodelay",
    title: "TCP_NODELAY of a socket a net.Server accepted with no options, as the kernel sees it",
    peer: true,
    record: (ctx) => acceptedView(ctx, "createServer() alone", {}),
    classify: classifyKernelNoDelay,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.accepted-nodelay-opt",
    title: "createServer({ noDelay: true }): TCP_NODELAY of an accepted socket, as the kernel sees it",
    peer: true,
    record: (ctx) => acceptedView(ctx, "createServer({ noDelay: true })", { noDelay: true }),
    classify: classifyKernelNoDelay,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.accepted-keepalive-opt",
    title:
      "createServer({ keepAlive: true, keepAliveInitialDelay: 1000 }): an accepted socket's keep-alive, as the kernel sees it",
    peer: true,
    record: (ctx) =>
      acceptedView(ctx, "createServer({ keepAlive: true, keepAliveInitialDelay: 1000 })", {
        keepAlive: true,
        keepAliveInitialDelay: 1000,
      }),
    classify: classifyKernelKeepAlive,
  }),
  nodeApiProbe<KernelEvidence>({
    id: "nodeapi.kernel.accepted-keepalive",
    title: "setKeepAlive(true, 1000) in the 'connection' handler, as the kernel sees it",
    peer: true,
    record: (ctx) =>
      acceptedView(ctx, "setKeepAlive(true, 1000) on an accepted socket", {}, (s) => s.setKeepAlive(true, 1000)),
    classify: classifyKernelKeepAlive,
  }),
  nodeApiProbe<ParentResetEvidence>({
    id: "nodeapi.events.parent-reset",
    title: "client socket events, in order, when the peer (Node in the parent) resets the connection",
    peer: true,
    record: parentReset,
    classify: classifyParentResetEvents,
  }),
  nodeApiProbe<ParentResetEvidence>({
    id: "nodeapi.error.reset",
    title: "the error object of a connection the peer reset (code, syscall, errno)",
    peer: true,
    record: parentReset,
    classify: classifyParentResetError,
  }),
  nodeApiProbe<ParentResetEvidence>({
    id: "nodeapi.reset.write-after-parent",
    title: "a write after the peer's real RST (sent by the parent): its callback and the 'error' code",
    peer: true,
    record: parentReset,
    classify: classifyParentResetWrite,
  }),
];
