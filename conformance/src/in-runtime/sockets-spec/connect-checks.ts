/**
 * The spec suite's checks of connect() and its arguments: the draft's sections "connect",
 * AnySocketAddress, SocketOptions and SocketInfo.
 */
import { fromUtf8, utf8 } from "@netparity/protocol";
import { assert, skip } from "../common/check.js";
import { sleep, withTimeout } from "../common/timing.js";
import {
  type Ctx,
  connectOrError,
  describe,
  echoOnce,
  isSocketError,
  needPems,
  readText,
  rejection,
  STEP_MS,
  type SpecCheck,
  stateOf,
} from "./harness.js";

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

export const CONNECT_CHECKS: readonly SpecCheck[] = [
  {
    section: "connect-section",
    name: "connect returns a Socket at once, in a pending state",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(ctx.peers.echo());
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
      const port = await ctx.peers.refusedPort();
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const port = await ctx.peers.refusedPort();
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
      const port = await ctx.peers.refusedPort();
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo("::1"));
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
      const srv = await ctx.server(ctx.peers.echo("::1"));
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo("127.0.0.1", {}));
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
      const srv = await ctx.server(ctx.peers.echo("127.0.0.1", { alpn: ["np/1"] }));
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
      const srv = await ctx.server(ctx.peers.echo("127.0.0.1", {}));
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.fin());
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
      const srv = await ctx.server(ctx.peers.fin());
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { allowHalfOpen: true });
      ctx.defer(() => s.close());
      const text = await readText(s.readable, "read to the peer's FIN");
      assert(text === "bye", `read "${text}"`);
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("after fin")), STEP_MS, "write after the peer's FIN");
      await withTimeout(writer.close(), STEP_MS, "close the writable");
      const got = await withTimeout(srv.received(0), STEP_MS, "server end");
      assert(fromUtf8(got) === "after fin", `the server received "${fromUtf8(got)}"`);
    },
  },
  {
    section: "socketinfo-dictionary",
    name: "alpn is null when no protocol was agreed",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(ctx.peers.echo("127.0.0.1", {}));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "on" });
      ctx.defer(() => s.close());
      assert(s.opened instanceof Promise, "opened is a Promise");
      const info = await withTimeout(s.opened, STEP_MS, "opened");
      assert(info.alpn === null, `alpn null, got ${String(info.alpn)}`);
    },
  },
];
