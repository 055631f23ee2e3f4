/**
 * The WinterTC Sockets API spec suite: each normative statement of the draft (index.bs of
 * WinterTC55/proposal-sockets-api) as a check named by its section anchor, run inside a
 * runtime against one implementation of `connect` (netparity's facade, or another one such
 * as @arrowood.dev/socket on Node). The draft's open questions are probes: they record what
 * the implementation does ("observed") and pass or fail nothing.
 */
import { fromUtf8, utf8, type Runtime } from "@netparity/protocol";
import { assert, type CheckResult, type CheckStatus, fail, runBounded, skip } from "../common/check.js";
import { sleep, TIMED_OUT, timeoutDetail, within, withTimeout } from "../common/timing.js";
import { echoServer, finServer, refusedPort, startTlsServer, type PemSet, type TestServer } from "./servers.js";

/** The Socket as the draft defines it, seen structurally: an implementation may lack parts. */
export interface SocketLike {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly opened?: Promise<{ remoteAddress?: string | null; localAddress?: string | null; alpn?: string | null }>;
  readonly closed: Promise<void>;
  readonly upgraded?: boolean;
  close(reason?: unknown): Promise<void>;
  startTls(): SocketLike;
}

export interface ConnectOptionsLike {
  secureTransport?: string;
  allowHalfOpen?: boolean;
  sni?: string;
  alpn?: string[];
}

export type ConnectLike = (address: unknown, options?: ConnectOptionsLike) => SocketLike;

/** One implementation under test. */
export interface SocketsImplementation {
  /** e.g. "@netparity/sockets" or "@arrowood.dev/socket". */
  name: string;
  connect: ConnectLike;
  /** A connect that trusts `ca` (through a binding object, or the process's CA store). */
  trusting(ca: string): ConnectLike;
}

export interface SpecHooks {
  /** How many promise rejections went unhandled so far in this process, where the agent can tell. */
  unhandledRejections?(): number;
}

/** What an agent entry can add for the spec suite: starts counting unhandled rejections (from then on, for the suite only). */
export interface SpecHostHooks {
  watchUnhandledRejections?(): () => number;
}

/** One statement of the draft checked on one implementation (how it ended: common/check.ts). */
export interface SpecResult extends CheckResult {
  /** The draft's section anchor, e.g. "close-method". */
  section: string;
  name: string;
  kind: "normative" | "probe";
  /** A probe is "observed" with its outcome in `detail`. */
  status: CheckStatus;
}

const STEP_MS = 5000;

type State = "resolved" | "rejected" | "pending";

/** Whether `p` settled within `ms` (used only where "pending" is the answer that never changes). */
async function stateOf(p: Promise<unknown> | undefined, ms = 200): Promise<State> {
  if (!p) return "pending";
  const r = await within(
    p.then(
      () => "resolved" as const,
      () => "rejected" as const,
    ),
    ms,
  );
  return r === TIMED_OUT ? "pending" : r;
}

async function rejection(p: Promise<unknown> | undefined, what: string): Promise<unknown> {
  assert(p instanceof Promise, `${what}: not a promise`);
  const r = await within(
    p.then(
      () => ({ rejected: false as const }),
      (error: unknown) => ({ rejected: true as const, error }),
    ),
    STEP_MS,
  );
  if (r === TIMED_OUT) fail(timeoutDetail(what, STEP_MS));
  if (r.rejected) return r.error;
  fail(`${what}: resolved, expected a rejection`);
}

function isSocketError(e: unknown): boolean {
  return e instanceof TypeError && e.message.startsWith("SocketError: ");
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Reads `readable` to its end; the bytes as text. */
async function readText(readable: ReadableStream<Uint8Array>, what: string): Promise<string> {
  const reader = readable.getReader();
  const decoder = new TextDecoder();
  let text = "";
  await withTimeout(
    (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += decoder.decode(value, { stream: true });
      }
    })(),
    STEP_MS,
    what,
  );
  reader.releaseLock();
  return text;
}

/** Writes `text`, half-closes, reads the echo to its end. */
async function echoOnce(socket: SocketLike, text: string): Promise<string> {
  const writer = socket.writable.getWriter();
  await withTimeout(writer.write(utf8(text)), STEP_MS, "write");
  await withTimeout(writer.close(), STEP_MS, "close the writable");
  return readText(socket.readable, "read the echo");
}

interface Ctx {
  rt: Runtime;
  impl: SocketsImplementation;
  pems: PemSet | undefined;
  hooks: SpecHooks;
  /** Sockets and servers to close after the check. */
  defer(f: () => unknown): void;
  server(make: Promise<TestServer>): Promise<TestServer>;
  connect: ConnectLike;
  /** The probe outcome, for kind "probe". */
  observe(outcome: string): void;
}

interface SpecCheck {
  section: string;
  name: string;
  kind: "normative" | "probe";
  run(ctx: Ctx): Promise<void>;
}

const needPems = (ctx: Ctx): PemSet => {
  if (!ctx.pems) skip("no certificates");
  return ctx.pems;
};

/** A socket that errors after being opened rejects; connect() itself may throw. */
function connectOrError(
  connect: ConnectLike,
  address: unknown,
  options?: ConnectOptionsLike,
): SocketLike | { thrown: unknown } {
  try {
    return connect(address, options);
  } catch (e) {
    return { thrown: e };
  }
}

const MALFORMED: ReadonlyArray<[string, unknown]> = [
  ["no port", "127.0.0.1"],
  ["port not a number", "127.0.0.1:http"],
  ["port out of range", "127.0.0.1:70000"],
  ["empty hostname", ":7"],
  ["dictionary without port", { hostname: "127.0.0.1" }],
  ["a number", 7],
];

/** How each malformed address failed: "thrown", "opened", or what happened instead. */
async function malformedOutcomes(ctx: Ctx): Promise<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  for (const [label, address] of MALFORMED) {
    const s = connectOrError(ctx.connect, address);
    if ("thrown" in s) {
      out.push([label, isSocketError(s.thrown) ? "thrown SocketError" : `thrown ${describe(s.thrown)}`]);
      continue;
    }
    ctx.defer(() => s.close());
    s.closed.catch(() => {});
    const p = s.opened ?? s.closed;
    const state = await stateOf(p, STEP_MS);
    if (state !== "rejected") {
      out.push([label, state === "resolved" ? "connected" : "pending"]);
      continue;
    }
    const e = await p.catch((x: unknown) => x);
    out.push([label, isSocketError(e) ? "rejected SocketError" : `rejected ${describe(e)}`]);
  }
  return out;
}

export const SPEC: readonly SpecCheck[] = [
  {
    section: "connect-section",
    name: "connect returns a Socket at once, in a pending state",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      assert(s.readable instanceof ReadableStream, "readable is a ReadableStream");
      assert(s.writable instanceof WritableStream, "writable is a WritableStream");
      assert(s.opened instanceof Promise, "opened is a Promise");
      assert(s.closed instanceof Promise, "closed is a Promise");
      assert(typeof s.close === "function" && typeof s.startTls === "function", "close and startTls are methods");
      assert(s.upgraded === false, `upgraded is false (got ${String(s.upgraded)})`);
      const state = await Promise.race([s.opened.then(() => "resolved"), Promise.resolve("pending")]);
      assert(state === "pending", "opened is pending when connect returns");
    },
  },
  {
    section: "connect-section",
    name: "opened and closed are marked as handled",
    kind: "normative",
    async run(ctx) {
      const count = ctx.hooks.unhandledRejections;
      if (!count) skip("the agent cannot count unhandled rejections here");
      const port = await refusedPort(ctx.rt);
      const before = count();
      const s = connectOrError(ctx.connect, `127.0.0.1:${port}`);
      assert(!("thrown" in s), `connect threw ${"thrown" in s ? describe(s.thrown) : ""}`);
      // Nobody handles opened or closed (not even this check): the readable tells of the failure,
      // then the host gets a few turns to report unhandled rejections.
      const reader = s.readable.getReader();
      await withTimeout(
        reader.read().then(
          () => {},
          () => {},
        ),
        STEP_MS,
        "the refused socket's readable",
      );
      await sleep(100);
      assert(count() === before, `${count() - before} unhandled rejection(s) from a refused connection`);
    },
  },
  {
    section: "connect-section",
    name: "opened resolves with a SocketInfo once connected",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect({ hostname: "127.0.0.1", port: srv.port });
      ctx.defer(() => s.close());
      assert(s.opened instanceof Promise, "opened is a Promise");
      const info = await withTimeout(s.opened, STEP_MS, "opened");
      assert(info && typeof info === "object", "opened resolves to an object");
      assert(
        info.remoteAddress === `127.0.0.1:${srv.port}`,
        `remoteAddress "127.0.0.1:${srv.port}", got ${info.remoteAddress}`,
      );
      assert(
        typeof info.localAddress === "string" && /^127\.0\.0\.1:\d+$/.test(info.localAddress),
        `localAddress "127.0.0.1:<port>", got ${info.localAddress}`,
      );
      assert(info.alpn === null, `alpn is null without TLS, got ${String(info.alpn)}`);
    },
  },
  {
    section: "connect-section",
    name: "a failed connection rejects opened and closed with a SocketError",
    kind: "normative",
    async run(ctx) {
      const port = await refusedPort(ctx.rt);
      const s = ctx.connect(`127.0.0.1:${port}`);
      const opened = await rejection(s.opened, "opened");
      const closed = await rejection(s.closed, "closed");
      assert(isSocketError(opened), `opened rejected with ${describe(opened)}`);
      assert(isSocketError(closed), `closed rejected with ${describe(closed)}`);
      assert(opened === closed, "opened and closed reject with the same error");
    },
  },
  {
    section: "connect-section",
    name: "a failed connection cancels the readable and aborts the writable with the error",
    kind: "normative",
    async run(ctx) {
      const port = await refusedPort(ctx.rt);
      const s = ctx.connect(`127.0.0.1:${port}`);
      const reader = s.readable.getReader();
      const writer = s.writable.getWriter();
      const read = await rejection(reader.read(), "read");
      const write = await rejection(writer.write(utf8("x")), "write");
      assert(isSocketError(read), `the readable errored with ${describe(read)}`);
      assert(isSocketError(write), `the writable errored with ${describe(write)}`);
    },
  },
  {
    section: "connect-section",
    name: "the streams can be used before the socket is open",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      // Nothing awaited before the write: it is sent once the connection is established.
      const text = await echoOnce(s, "written while pending");
      assert(text === "written while pending", `echo "${text}"`);
    },
  },
  {
    section: "connect-section",
    name: "a malformed address fails with a SocketError",
    kind: "normative",
    async run(ctx) {
      const bad = (await malformedOutcomes(ctx)).filter(([, o]) => !o.endsWith(" SocketError"));
      assert(bad.length === 0, bad.map(([l, o]) => `${l}: ${o}`).join("; "));
    },
  },
  {
    section: "connect-section",
    name: "probe: a malformed address is thrown by connect() or rejected through opened",
    kind: "probe",
    async run(ctx) {
      ctx.observe((await malformedOutcomes(ctx)).map(([l, o]) => `${l}: ${o}`).join("; "));
    },
  },
  {
    section: "anysocketaddress-type",
    name: 'a "hostname:port" string',
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`localhost:${srv.port}`);
      ctx.defer(() => s.close());
      assert((await echoOnce(s, "string")) === "string", "echo through a string address");
    },
  },
  {
    section: "anysocketaddress-type",
    name: "a { hostname, port } dictionary",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect({ hostname: "127.0.0.1", port: srv.port });
      ctx.defer(() => s.close());
      assert((await echoOnce(s, "dict")) === "dict", "echo through a dictionary address");
    },
  },
  {
    section: "anysocketaddress-type",
    name: "an IPv6 literal in brackets",
    kind: "normative",
    async run(ctx) {
      if (!ctx.rt.features.ipv6) skip(`features.ipv6 is false`);
      const srv = await ctx.server(echoServer(ctx.rt, "::1"));
      const s = ctx.connect(`[::1]:${srv.port}`);
      ctx.defer(() => s.close());
      assert((await echoOnce(s, "v6")) === "v6", "echo over [::1]");
    },
  },
  {
    section: "anysocketaddress-type",
    name: "probe: an IPv6 literal without brackets in a string",
    kind: "probe",
    async run(ctx) {
      if (!ctx.rt.features.ipv6) skip(`features.ipv6 is false`);
      const srv = await ctx.server(echoServer(ctx.rt, "::1"));
      const s = connectOrError(ctx.connect, `::1:${srv.port}`);
      if ("thrown" in s) return ctx.observe(`thrown ${describe(s.thrown)}`);
      ctx.defer(() => s.close());
      const state = await stateOf(s.opened ?? s.closed, STEP_MS);
      ctx.observe(state === "resolved" ? "connected" : state === "rejected" ? "rejected" : "pending");
    },
  },
  {
    section: "socketoptions-dictionary",
    name: "secureTransport off (the default) is plaintext",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { secureTransport: "off" });
      ctx.defer(() => s.close());
      assert((await echoOnce(s, "plain")) === "plain", "plaintext echo");
    },
  },
  {
    section: "socketoptions-dictionary",
    name: 'secureTransport "on" is TLS, opened once the handshake completed',
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(echoServer(ctx.rt, "127.0.0.1", { pems }));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "on" });
      ctx.defer(() => s.close());
      if (s.opened) await withTimeout(s.opened, STEP_MS, "opened");
      assert((await echoOnce(s, "over tls")) === "over tls", "echo over TLS");
    },
  },
  {
    section: "socketoptions-dictionary",
    name: "alpn: the protocol the server agreed is SocketInfo.alpn",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(echoServer(ctx.rt, "127.0.0.1", { pems, alpn: ["np/1"] }));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "on", alpn: ["np/2", "np/1"] });
      ctx.defer(() => s.close());
      assert(s.opened instanceof Promise, "opened is a Promise");
      const info = await withTimeout(s.opened, STEP_MS, "opened");
      assert(info.alpn === "np/1", `alpn "np/1", got ${String(info.alpn)}`);
    },
  },
  {
    section: "socketoptions-dictionary",
    name: "sni is the name the server's certificate is checked against",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(echoServer(ctx.rt, "127.0.0.1", { pems }));
      // The certificate is valid for localhost and 127.0.0.1, not for this name.
      const s = ctx.impl.trusting(pems.ca)(`127.0.0.1:${srv.port}`, {
        secureTransport: "on",
        sni: "not-in-the-certificate.example",
      });
      ctx.defer(() => s.close());
      const state = await stateOf(s.opened ?? echoOnce(s, "x"), STEP_MS);
      assert(state === "rejected", `a certificate without the sni name was accepted (${state})`);
    },
  },
  {
    section: "socketoptions-dictionary",
    name: "an unknown secureTransport fails with a TypeError",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = connectOrError(ctx.connect, `127.0.0.1:${srv.port}`, { secureTransport: "sometimes" });
      if ("thrown" in s) {
        assert(s.thrown instanceof TypeError, `threw ${describe(s.thrown)}`);
        return;
      }
      ctx.defer(() => s.close());
      const e = await rejection(s.opened ?? s.closed, "opened");
      assert(e instanceof TypeError, `rejected with ${describe(e)}`);
    },
  },
  {
    section: "socketoptions-dictionary",
    name: "probe: sni and alpn with secureTransport off",
    kind: "probe",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = connectOrError(ctx.connect, `127.0.0.1:${srv.port}`, { sni: "localhost", alpn: ["x"] });
      if ("thrown" in s) return ctx.observe(`thrown ${describe(s.thrown)}`);
      ctx.defer(() => s.close());
      const state = await stateOf(s.opened ?? s.closed, STEP_MS);
      ctx.observe(state === "resolved" ? "ignored: connected in plaintext" : state);
    },
  },
  {
    section: "socketoptions-dictionary",
    name: "allowHalfOpen defaults to false: the peer's FIN closes the writable",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(finServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      const text = await readText(s.readable, "read to the peer's FIN");
      assert(text === "bye", `read "${text}"`);
      const writer = s.writable.getWriter();
      const state = await stateOf(writer.write(utf8("after fin")), STEP_MS);
      assert(state === "rejected", `a write after the peer's FIN ${state === "resolved" ? "succeeded" : "hung"}`);
    },
  },
  {
    section: "socketoptions-dictionary",
    name: "allowHalfOpen true: the writable stays open after the peer's FIN",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(finServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { allowHalfOpen: true });
      ctx.defer(() => s.close());
      const text = await readText(s.readable, "read to the peer's FIN");
      assert(text === "bye", `read "${text}"`);
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("after fin")), STEP_MS, "write after the peer's FIN");
      await withTimeout(writer.close(), STEP_MS, "close the writable");
      const got = await withTimeout(
        srv.received[0] ?? Promise.reject(new Error("no connection")),
        STEP_MS,
        "server end",
      );
      assert(fromUtf8(got) === "after fin", `the server received "${fromUtf8(got)}"`);
    },
  },
  {
    section: "socketinfo-dictionary",
    name: "alpn is null when no protocol was agreed",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(echoServer(ctx.rt, "127.0.0.1", { pems }));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "on" });
      ctx.defer(() => s.close());
      assert(s.opened instanceof Promise, "opened is a Promise");
      const info = await withTimeout(s.opened, STEP_MS, "opened");
      assert(info.alpn === null, `alpn null, got ${String(info.alpn)}`);
    },
  },
  {
    section: "readable-attribute",
    name: "readable is a default (not byte) ReadableStream of the server's bytes",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(finServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { allowHalfOpen: true });
      ctx.defer(() => s.close());
      let byob = true;
      try {
        s.readable.getReader({ mode: "byob" }).releaseLock();
      } catch {
        byob = false;
      }
      assert(!byob, "the readable is a byte stream (a BYOB reader was given)");
      assert((await readText(s.readable, "read")) === "bye", "read the server's bytes");
    },
  },
  {
    section: "writable-attribute",
    name: "writable sends its bytes to the server",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(finServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { allowHalfOpen: true });
      ctx.defer(() => s.close());
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("to the server")), STEP_MS, "write");
      await withTimeout(writer.close(), STEP_MS, "close the writable");
      const got = await withTimeout(
        srv.received[0] ?? Promise.reject(new Error("no connection")),
        STEP_MS,
        "server end",
      );
      assert(fromUtf8(got) === "to the server", `the server received "${fromUtf8(got)}"`);
    },
  },
  {
    section: "opened-attribute",
    name: "a failed TLS handshake rejects opened with a SocketError",
    kind: "normative",
    async run(ctx) {
      needPems(ctx);
      const srv = await ctx.server(echoServer(ctx.rt, "127.0.0.1", { pems: needPems(ctx) }));
      // No binding CA: the private CA is unknown to the default store.
      const s = ctx.connect(`localhost:${srv.port}`, { secureTransport: "on" });
      ctx.defer(() => s.close());
      const e = await rejection(s.opened, "opened");
      assert(isSocketError(e), `rejected with ${describe(e)}`);
    },
  },
  {
    section: "closed-attribute",
    name: "a FIN while the readable is read resolves closed (allowHalfOpen false)",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(finServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      await readText(s.readable, "read to the peer's FIN");
      await withTimeout(s.closed, STEP_MS, "closed");
    },
  },
  {
    section: "closed-attribute",
    name: "closing the writable does not resolve closed",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { allowHalfOpen: true });
      ctx.defer(() => s.close());
      await withTimeout(s.writable.close(), STEP_MS, "close the writable");
      const state = await stateOf(s.closed, 300);
      assert(state === "pending", `closed ${state} after the writable was closed`);
    },
  },
  {
    section: "closed-attribute",
    name: "cancelling the readable does not resolve closed",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      if (s.opened) await withTimeout(s.opened, STEP_MS, "opened");
      await withTimeout(s.readable.cancel(), STEP_MS, "cancel the readable");
      const state = await stateOf(s.closed, 300);
      assert(state === "pending", `closed ${state} after the readable was cancelled`);
    },
  },
  {
    section: "closed-attribute",
    name: "probe: closed when the peer closes and the readable is never read",
    kind: "probe",
    async run(ctx) {
      const srv = await ctx.server(finServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      if (s.opened) await withTimeout(s.opened, STEP_MS, "opened");
      ctx.observe(await stateOf(s.closed, 1000));
    },
  },
  {
    section: "closed-attribute",
    name: "probe: closed after the peer's FIN with allowHalfOpen true, the readable read to its end",
    kind: "probe",
    async run(ctx) {
      const srv = await ctx.server(finServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { allowHalfOpen: true });
      ctx.defer(() => s.close());
      await readText(s.readable, "read to the peer's FIN");
      ctx.observe(await stateOf(s.closed, 1000));
    },
  },
  {
    section: "close-method",
    name: "close() resolves closed and returns the closed promise",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      if (s.opened) await withTimeout(s.opened, STEP_MS, "opened");
      const p = s.close();
      assert(p === s.closed, "close() returns the same promise as closed");
      await withTimeout(s.closed, STEP_MS, "closed");
    },
  },
  {
    section: "close-method",
    name: "close(reason) cancels the readable and aborts the writable with the reason",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      if (s.opened) await withTimeout(s.opened, STEP_MS, "opened");
      const reader = s.readable.getReader();
      const writer = s.writable.getWriter();
      const pendingRead = reader.read();
      pendingRead.catch(() => {});
      const reason = new Error("the reason");
      await withTimeout(s.close(reason), STEP_MS, "close(reason)");
      const w = await rejection(writer.write(utf8("x")), "write after close");
      assert(w === reason, `the writable was aborted with ${describe(w)}`);
      const r = await withTimeout(
        pendingRead.then(
          (x) => (x.done ? "done" : "a chunk"),
          (e: unknown) => e,
        ),
        STEP_MS,
        "the pending read",
      );
      assert(r === reason || r === "done", `the pending read gave ${describe(r)}`);
    },
  },
  {
    section: "close-method",
    name: "close(reason) while opened is pending rejects opened with the reason",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      const reason = new Error("closed early");
      void s.close(reason);
      const e = await rejection(s.opened, "opened");
      assert(e === reason, `opened rejected with ${describe(e)}`);
    },
  },
  {
    section: "close-method",
    name: "probe: a read pending when close(reason) is called",
    kind: "probe",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      if (s.opened) await withTimeout(s.opened, STEP_MS, "opened");
      const reader = s.readable.getReader();
      const pending = reader.read();
      const reason = new Error("the reason");
      void s.close(reason);
      const what = await withTimeout(
        pending.then(
          (x) => (x.done ? "resolved done" : "resolved with a chunk"),
          (e: unknown) => (e === reason ? "rejected with the reason" : `rejected with ${describe(e)}`),
        ),
        STEP_MS,
        "the pending read",
      ).catch(() => "still pending");
      ctx.observe(what);
    },
  },
  {
    section: "upgraded-attribute",
    name: "upgraded is false, then true once startTls() was called",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(startTlsServer(ctx.rt, pems));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "starttls" });
      ctx.defer(() => s.close());
      assert(s.upgraded === false, `upgraded before startTls: ${String(s.upgraded)}`);
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("STARTTLS\n")), STEP_MS, "write STARTTLS");
      writer.releaseLock();
      const reader = s.readable.getReader();
      const ok = await withTimeout(reader.read(), STEP_MS, "read OK");
      reader.releaseLock();
      assert(!ok.done && fromUtf8(ok.value) === "OK\n", "the server answered OK");
      const t = s.startTls();
      ctx.defer(() => t.close());
      const after: unknown = s.upgraded;
      assert(after === true, `upgraded after startTls: ${String(after)}`);
    },
  },
  {
    section: "starttls-method",
    name: 'startTls() fails with a SocketError when secureTransport is "off"',
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      let error: unknown;
      try {
        const t = s.startTls();
        ctx.defer(() => t.close());
        error = await rejection(t.opened ?? t.closed, "the upgraded socket's opened");
      } catch (e) {
        error = e;
      }
      assert(isSocketError(error), `failed with ${describe(error)}`);
    },
  },
  {
    section: "starttls-method",
    name: 'startTls() fails with a SocketError on a TLS socket (secureTransport "on")',
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(echoServer(ctx.rt, "127.0.0.1", { pems }));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "on" });
      ctx.defer(() => s.close());
      let error: unknown;
      try {
        const t = s.startTls();
        ctx.defer(() => t.close());
        error = await rejection(t.opened ?? t.closed, "the upgraded socket's opened");
      } catch (e) {
        error = e;
      }
      assert(isSocketError(error), `failed with ${describe(error)}`);
    },
  },
  {
    section: "starttls-method",
    name: "startTls() returns a new TLS socket over the same connection; the old one is closed",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(startTlsServer(ctx.rt, pems));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "starttls" });
      ctx.defer(() => s.close());
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("STARTTLS\n")), STEP_MS, "write STARTTLS");
      const reader = s.readable.getReader();
      const ok = await withTimeout(reader.read(), STEP_MS, "read OK");
      assert(!ok.done && fromUtf8(ok.value) === "OK\n", "the server answered OK");
      const t = s.startTls();
      ctx.defer(() => t.close());
      assert(t !== s, "a new socket");
      if (t.opened) await withTimeout(t.opened, STEP_MS, "the TLS socket's opened");
      assert((await echoOnce(t, "inside tls")) === "inside tls", "echo through the upgraded socket");
      await withTimeout(s.closed, STEP_MS, "the original socket's closed");
      const late = await stateOf(writer.write(utf8("x")), STEP_MS);
      assert(late === "rejected", `the original writer still works (${late})`);
    },
  },
  {
    section: "starttls-method",
    name: "startTls() fails with a SocketError on the socket startTls() returned",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(startTlsServer(ctx.rt, pems));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "starttls" });
      ctx.defer(() => s.close());
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("STARTTLS\n")), STEP_MS, "write STARTTLS");
      const reader = s.readable.getReader();
      await withTimeout(reader.read(), STEP_MS, "read OK");
      const t = s.startTls();
      ctx.defer(() => t.close());
      let error: unknown;
      try {
        const again = t.startTls();
        ctx.defer(() => again.close());
        error = await rejection(again.opened ?? again.closed, "the second upgrade's opened");
      } catch (e) {
        error = e;
      }
      assert(isSocketError(error), `failed with ${describe(error)}`);
    },
  },
  {
    section: "starttls-method",
    name: "probe: startTls() called twice on one plaintext socket",
    kind: "probe",
    async run(ctx) {
      const srv = await ctx.server(echoServer(ctx.rt));
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { secureTransport: "starttls" });
      ctx.defer(() => s.close());
      if (s.opened) await withTimeout(s.opened, STEP_MS, "opened");
      const first = s.startTls();
      ctx.defer(() => first.close());
      try {
        const second = s.startTls();
        ctx.defer(() => second.close());
        ctx.observe("returned a second socket");
      } catch (e) {
        ctx.observe(`thrown ${isSocketError(e) ? "SocketError" : describe(e)}`);
      }
    },
  },
  {
    section: "socket-error",
    name: 'SocketError is a TypeError whose message starts with "SocketError: "',
    kind: "normative",
    async run(ctx) {
      const port = await refusedPort(ctx.rt);
      const s = ctx.connect(`127.0.0.1:${port}`);
      const e = await rejection(s.opened ?? s.closed, "opened");
      assert(e instanceof TypeError, `${describe(e)} is not a TypeError`);
      assert(e.message.startsWith("SocketError: "), `message "${e.message}"`);
    },
  },
];

/** Upper bound of one check of the suite. */
const CHECK_TIMEOUT_MS = 20_000;

/** Runs every check of SPEC (or those whose name contains `only`), each with its own peers. */
export async function runSocketsSpec(
  rt: Runtime,
  impl: SocketsImplementation,
  pems: PemSet | undefined,
  hooks: SpecHooks = {},
  only?: string,
): Promise<SpecResult[]> {
  const results: SpecResult[] = [];
  for (const check of SPEC) {
    if (only && !check.name.includes(only)) continue;
    const cleanups: Array<() => unknown> = [];
    let observed: string | undefined;
    const ctx: Ctx = {
      rt,
      impl,
      pems,
      hooks,
      connect: impl.connect,
      defer: (f) => cleanups.push(f),
      server: async (make) => {
        const s = await make;
        cleanups.push(() => s.close());
        return s;
      },
      observe: (o) => {
        observed = o;
      },
    };
    const t0 = rt.host.now();
    const base = { section: check.section, name: check.name, kind: check.kind };
    const ran = await runBounded(
      () => rt.host.now(),
      () => check.run(ctx),
      CHECK_TIMEOUT_MS,
    );
    // The spec suite words a failure by its message alone (no NetError code before it).
    const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
    const detail =
      ran.state === "failed"
        ? message(ran.error)
        : ran.state === "timeout"
          ? timeoutDetail(check.name, ran.limitMs)
          : "";
    if (ran.state === "done")
      results.push(
        check.kind === "probe"
          ? { ...base, status: "observed", detail: observed ?? "(nothing recorded)", ms: 0 }
          : { ...base, status: "pass", ms: 0 },
      );
    else if (ran.state === "skipped") results.push({ ...base, status: "skip", detail: ran.reason, ms: 0 });
    else if (check.kind === "probe") results.push({ ...base, status: "observed", detail: `error: ${detail}`, ms: 0 });
    else results.push({ ...base, status: "fail", detail, ms: 0 });
    for (const f of cleanups.reverse()) {
      try {
        await withTimeout(
          Promise.resolve(f()).catch(() => {}),
          2000,
          "cleanup",
        );
      } catch {
        // a cleanup that hangs is not this check's verdict
      }
    }
    const last = results[results.length - 1];
    if (last) last.ms = Math.round(rt.host.now() - t0);
  }
  return results;
}
