/**
 * The `wintertc.*` probes: what a WinterTC Sockets API `connect()` does where the draft is
 * read one way or another (close and half-close, the allowHalfOpen default, the order of opened
 * and closed, errors, startTls(), ALPN). They run against the `connect()` the agent hands in
 * (`ctx.sockets`): @netparity/sockets on node, bun and deno (`run --apis wintertc`), workerd's
 * own `cloudflare:sockets` (workerd's probes), with peers in the same process or, for a Worker,
 * in a Node process (sockets-spec/remote-peers.ts). Record first, decide after: each probe
 * returns evidence, wintertc-classify.ts decides.
 */
import { utf8 } from "@netparity/protocol";
import {
  type ConnectLike,
  type SocketLike,
  type SpecPeers,
  stateOf as settledWithin,
  type TestServer,
} from "../common/draft-sockets.js";
import { TIMED_OUT, within } from "../common/timing.js";
import type { Probe, ProbeContext } from "./types.js";
import {
  type AlpnEvidence,
  classifyAlpn,
  classifyClosedOnFin,
  classifyConnectError,
  classifyHalfClose,
  classifyHalfOpenDefault,
  classifyOrder,
  classifyStartTls,
  type ClosedOnFinEvidence,
  type ConnectErrorEvidence,
  type DraftErrorEvidence,
  type DraftState,
  draftProbe,
  type HalfCloseEvidence,
  type HalfOpenDefaultEvidence,
  NO_SOCKETS,
  type NoSocketsEvidence,
  type OrderEvidence,
  type StartTlsEvidence,
  type StepFailedEvidence,
} from "./wintertc-classify.js";

/** One wait of a probe; several fit in PROBE_TIMEOUT_MS. */
const WAIT_MS = 1500;

export function draftError(e: unknown): DraftErrorEvidence {
  const name = e instanceof Error ? e.name : typeof e;
  const message = e instanceof Error ? e.message : String(e);
  return {
    name,
    message: message.slice(0, 300),
    socketError: e instanceof TypeError && message.startsWith("SocketError: "),
  };
}

/** How `p` stood after `ms` (WAIT_MS unless said): common/draft-sockets.ts's stateOf. */
function stateOf(p: Promise<unknown> | undefined, ms = WAIT_MS): Promise<DraftState> {
  return settledWithin(p, ms);
}

async function errorOf(p: Promise<unknown> | undefined, ms = WAIT_MS): Promise<DraftErrorEvidence | undefined> {
  if (!p) return undefined;
  const r = await within(
    p.then(
      () => undefined,
      (e: unknown) => draftError(e),
    ),
    ms,
  );
  return r === TIMED_OUT ? undefined : r;
}

/** Reads the readable to its end (or WAIT_MS): the text and how it ended. The lock is released. */
async function readAll(s: SocketLike): Promise<{ text: string; end: "done" | "rejected" | "pending" }> {
  const reader = s.readable.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const r = await within(
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "done" as const;
        text += decoder.decode(value, { stream: true });
      }
    })().catch(() => "rejected" as const),
    WAIT_MS,
  );
  try {
    reader.releaseLock();
  } catch {
    // a pending read keeps the lock in older stream implementations; the socket is closed after
  }
  return { text, end: r === TIMED_OUT ? "pending" : r };
}

type Sockets = NonNullable<ProbeContext["sockets"]>;

/**
 * Runs `body` with the connect() under test, its peers, and a list of things to close after;
 * a step that throws is recorded as StepFailedEvidence naming the step.
 */
async function withSockets<E>(
  ctx: ProbeContext,
  body: (
    connect: ConnectLike,
    peers: SpecPeers,
    keep: <T extends SocketLike | TestServer>(x: T) => T,
    step: (name: string) => void,
  ) => Promise<E>,
): Promise<E | NoSocketsEvidence | StepFailedEvidence> {
  const sockets: Sockets | undefined = ctx.sockets;
  if (!sockets) return NO_SOCKETS;
  const open: Array<SocketLike | TestServer> = [];
  let at = "start";
  try {
    return await body(
      sockets.connect,
      sockets.peers,
      (x) => {
        open.push(x);
        return x;
      },
      (name) => {
        at = name;
      },
    );
  } catch (e) {
    return { failedAt: at, error: draftError(e) };
  } finally {
    for (const x of open.reverse())
      await within(
        Promise.resolve()
          .then(() => x.close())
          .catch(() => undefined),
        1000,
      );
  }
}

const addr = (port: number, host = "127.0.0.1"): string => `${host}:${port}`;

async function halfClose(ctx: ProbeContext) {
  return withSockets<HalfCloseEvidence>(ctx, async (connect, peers, keep, step) => {
    step("start the echo peer");
    const srv = keep(await peers.echo());
    const sent = "half-close";
    const s = keep(connect(addr(srv.port), { allowHalfOpen: true }));
    step("write");
    const writer = s.writable.getWriter();
    await writer.write(utf8(sent));
    const closeWrite = await stateOf(writer.close());
    const { text, end } = await readAll(s);
    return { closeWrite, echoed: text, readEnd: end, sent };
  });
}

async function halfOpenDefault(ctx: ProbeContext) {
  return withSockets<HalfOpenDefaultEvidence>(ctx, async (connect, peers, keep, step) => {
    step("start the FIN peer");
    const srv = keep(await peers.fin());
    const s = keep(connect(addr(srv.port)));
    const { text } = await readAll(s);
    const writer = s.writable.getWriter();
    const p = writer.write(utf8("after fin"));
    const write = await stateOf(p);
    const writeError = write === "rejected" ? await errorOf(p) : undefined;
    // What reached the peer after its FIN: ask once the connection is over on our side.
    writer.releaseLock();
    await within(
      s.close().catch(() => undefined),
      1000,
    );
    step("ask the peer what it received");
    const got = await within(srv.received(0), WAIT_MS);
    const peerReceived = got === TIMED_OUT ? "" : new TextDecoder().decode(got);
    return { read: text, write, ...(writeError ? { writeError } : {}), peerReceived };
  });
}

async function closedOnFin(ctx: ProbeContext) {
  return withSockets<ClosedOnFinEvidence>(ctx, async (connect, peers, keep, step) => {
    step("start the FIN peer");
    const a = keep(await peers.fin());
    const unreadSocket = keep(connect(addr(a.port)));
    step("opened");
    if (unreadSocket.opened) await unreadSocket.opened;
    const unread = await stateOf(unreadSocket.closed, 1000);
    step("start the second FIN peer");
    const b = keep(await peers.fin());
    const readSocket = keep(connect(addr(b.port)));
    await readAll(readSocket);
    const read = await stateOf(readSocket.closed, 1000);
    return { unread, read };
  });
}

/** Pushes each settlement of `opened` and `closed` into `log` as it happens. */
function watch(s: SocketLike, log: string[]): void {
  s.opened?.then(
    () => log.push("opened resolved"),
    () => log.push("opened rejected"),
  );
  s.closed.then(
    () => log.push("closed resolved"),
    () => log.push("closed rejected"),
  );
}

async function order(ctx: ProbeContext) {
  return withSockets<OrderEvidence>(ctx, async (connect, peers, keep, step) => {
    step("start the echo peer");
    const srv = keep(await peers.echo());
    const connected: string[] = [];
    const s = keep(connect(addr(srv.port)));
    watch(s, connected);
    await stateOf(s.opened ?? Promise.resolve());
    connected.push("close() called");
    await stateOf(s.close());
    await stateOf(s.closed, 200);
    step("a refused port");
    const port = await peers.refusedPort();
    const refused: string[] = [];
    const r = keep(connect(addr(port)));
    watch(r, refused);
    await stateOf(r.opened ?? r.closed);
    await stateOf(r.closed, 300);
    await stateOf(r.opened ?? Promise.resolve(), 300);
    return { connected, refused };
  });
}

/** A connect() that fails: how it fails (thrown, or opened and closed rejected). */
async function failing(connect: ConnectLike, address: string): Promise<ConnectErrorEvidence> {
  let s: SocketLike;
  try {
    s = connect(address);
  } catch (e) {
    return { thrown: draftError(e) };
  }
  try {
    const opened = await stateOf(s.opened ?? s.closed);
    const openedError = opened === "rejected" ? await errorOf(s.opened ?? s.closed) : undefined;
    const closed = await stateOf(s.closed, 500);
    const closedError = closed === "rejected" ? await errorOf(s.closed) : undefined;
    return {
      opened,
      closed,
      ...(openedError ? { openedError } : {}),
      ...(closedError ? { closedError } : {}),
    };
  } finally {
    await within(
      s.close().catch(() => undefined),
      500,
    );
  }
}

async function refused(ctx: ProbeContext) {
  return withSockets<ConnectErrorEvidence>(ctx, async (connect, peers, _keep, step) => {
    step("a refused port");
    return failing(connect, addr(await peers.refusedPort()));
  });
}

async function badHost(ctx: ProbeContext) {
  // RFC 6761: names under .invalid never resolve.
  return withSockets<ConnectErrorEvidence>(ctx, async (connect) => failing(connect, "nonexistent.invalid:80"));
}

async function startTls(ctx: ProbeContext) {
  return withSockets<StartTlsEvidence>(ctx, async (connect, peers, keep, step) => {
    step("start the STARTTLS peer");
    const srv = keep(await peers.startTls());
    const s = keep(connect(addr(srv.port, "localhost"), { secureTransport: "starttls" }));
    const upgradedBefore: unknown = s.upgraded;
    step("STARTTLS in plaintext");
    const writer = s.writable.getWriter();
    await writer.write(utf8("STARTTLS\n"));
    writer.releaseLock();
    const reader = s.readable.getReader();
    const ok = await reader.read();
    reader.releaseLock();
    if (ok.done || new TextDecoder().decode(ok.value) !== "OK\n") throw new Error("the peer did not answer OK");
    step("startTls()");
    const t = keep(s.startTls());
    const upgradedAfter: unknown = s.upgraded;
    const sent = "inside tls";
    const echoed = await (async () => {
      const w = t.writable.getWriter();
      await w.write(utf8(sent));
      await w.close();
      const { text, end } = await readAll(t);
      if (end !== "done") throw new Error(`the echo's read was ${end}`);
      return text;
    })().then(
      (text) => ({ echo: text }),
      (e: unknown) => ({ echo: "", echoError: draftError(e) }),
    );
    // Once the new socket carried data over TLS: whether the flag changed since startTls() returned.
    const upgradedLater: unknown = s.upgraded;
    return { upgradedBefore, upgradedAfter, upgradedLater, upgradedNew: t.upgraded as unknown, sent, ...echoed };
  });
}

async function alpn(ctx: ProbeContext) {
  return withSockets<AlpnEvidence>(ctx, async (connect, peers, keep, step) => {
    const server = ["np/1"];
    const offered = ["np/2", "np/1"];
    step("start the TLS echo peer");
    const srv = keep(await peers.echo("127.0.0.1", { alpn: server }));
    const s = keep(connect(addr(srv.port, "localhost"), { secureTransport: "on", alpn: offered }));
    const info = await within(
      (s.opened ?? Promise.reject(new Error("no opened"))).then(
        (i) => ({ state: "resolved" as const, alpn: "alpn" in i ? (i.alpn as unknown) : "absent" }),
        (e: unknown) => ({ state: "rejected" as const, error: draftError(e) }),
      ),
      WAIT_MS * 2,
    );
    if (info === TIMED_OUT) return { offered, server, alpn: "absent", opened: "pending" };
    if (info.state === "rejected")
      return { offered, server, alpn: "absent", opened: "rejected", openedError: info.error };
    return { offered, server, alpn: info.alpn, opened: "resolved" };
  });
}

/** Registers one probe of the family: its evidence and its classifier together. */
function draft<E extends object>(
  id: string,
  title: string,
  collect: (ctx: ProbeContext) => Promise<E | NoSocketsEvidence | StepFailedEvidence>,
  classify: (e: E) => ReturnType<Probe["classify"]>,
  tls = false,
): Probe<E | NoSocketsEvidence | StepFailedEvidence> {
  return {
    id,
    title,
    ...(tls ? { needs: ["tls"] as const } : {}),
    collect: (_rt, ctx) => collect(ctx),
    classify: draftProbe(classify),
  };
}

export const WINTERTC_PROBES: readonly Probe[] = [
  draft(
    "wintertc.half-close",
    "writer.close() with allowHalfOpen true: does the echo still arrive after our FIN?",
    halfClose,
    classifyHalfClose,
  ),
  draft(
    "wintertc.allow-half-open-default",
    "allowHalfOpen's default: what a write after the peer's FIN does",
    halfOpenDefault,
    classifyHalfOpenDefault,
  ),
  draft(
    "wintertc.closed-on-peer-fin",
    "closed after the peer's FIN (default options), with the readable unread and read",
    closedOnFin,
    classifyClosedOnFin,
  ),
  draft(
    "wintertc.opened-closed-order",
    "the order of opened, close() and closed; and of opened and closed when refused",
    order,
    classifyOrder,
  ),
  draft(
    "wintertc.error-refused",
    "a refused connection: connect() throws, or opened rejects with what",
    refused,
    classifyConnectError,
  ),
  draft(
    "wintertc.error-bad-host",
    "a host that does not resolve (nonexistent.invalid): how connect() fails",
    badHost,
    classifyConnectError,
  ),
  draft(
    "wintertc.starttls",
    'secureTransport "starttls", then startTls(): the echo over TLS and the upgraded flags',
    startTls,
    classifyStartTls,
    true,
  ),
  draft("wintertc.alpn", 'secureTransport "on" with alpn: what opened reports', alpn, classifyAlpn, true),
];
