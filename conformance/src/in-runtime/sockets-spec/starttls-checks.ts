/**
 * The spec suite's checks of the upgrade and of errors: the draft's sections on the upgraded
 * attribute, startTls() and SocketError.
 */
import { fromUtf8, utf8 } from "@netparity/protocol";
import { assert } from "../common/check.js";
import { withTimeout } from "../common/timing.js";
import {
  type Ctx,
  describe,
  echoOnce,
  isSocketError,
  needPems,
  rejection,
  type SocketLike,
  STEP_MS,
  type SpecCheck,
  stateOf,
} from "./harness.js";

export const STARTTLS_CHECKS: readonly SpecCheck[] = [
  {
    section: "upgraded-attribute",
    name: "upgraded is false, then true once startTls() was called",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(ctx.peers.startTls());
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
      const srv = await ctx.server(ctx.peers.echo());
      const s = ctx.connect(`127.0.0.1:${srv.port}`);
      ctx.defer(() => s.close());
      const error = await startTlsFailure(ctx, s);
      assert(isSocketError(error), `failed with ${describe(error)}`);
    },
  },
  {
    section: "starttls-method",
    name: 'startTls() fails with a SocketError on a TLS socket (secureTransport "on")',
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(ctx.peers.echo("127.0.0.1", {}));
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "on" });
      ctx.defer(() => s.close());
      const error = await startTlsFailure(ctx, s);
      assert(isSocketError(error), `failed with ${describe(error)}`);
    },
  },
  {
    section: "starttls-method",
    name: "startTls() returns a new TLS socket over the same connection; the old one is closed",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(ctx.peers.startTls());
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "starttls" });
      ctx.defer(() => s.close());
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("STARTTLS\n")), STEP_MS, "write STARTTLS");
      const reader = s.readable.getReader();
      const ok = await withTimeout(reader.read(), STEP_MS, "read OK");
      assert(!ok.done && fromUtf8(ok.value) === "OK\n", "the server answered OK");
      // The locks are released first: what an upgrade with them held does is a probe (below).
      writer.releaseLock();
      reader.releaseLock();
      const t = s.startTls();
      ctx.defer(() => t.close());
      assert(t !== s, "a new socket");
      if (t.opened) await withTimeout(t.opened, STEP_MS, "the TLS socket's opened");
      assert((await echoOnce(t, "inside tls")) === "inside tls", "echo through the upgraded socket");
      await withTimeout(s.closed, STEP_MS, "the original socket's closed");
      let late: string;
      try {
        late = await stateOf(s.writable.getWriter().write(utf8("x")), STEP_MS);
      } catch {
        late = "rejected";
      }
      assert(late === "rejected", `the original writable still works (${late})`);
    },
  },
  {
    section: "starttls-method",
    name: "probe: startTls() while the plaintext socket's reader and writer are held",
    kind: "probe",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(ctx.peers.startTls());
      const s = ctx.impl.trusting(pems.ca)(`localhost:${srv.port}`, { secureTransport: "starttls" });
      ctx.defer(() => s.close());
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("STARTTLS\n")), STEP_MS, "write STARTTLS");
      const reader = s.readable.getReader();
      await withTimeout(reader.read(), STEP_MS, "read OK");
      const t = s.startTls();
      ctx.defer(() => t.close());
      const echoed = await echoOnce(t, "inside tls").then(
        (text) => (text === "inside tls" ? "echoed" : `read "${text}"`),
        (e: unknown) => `failed: ${describe(e)}`,
      );
      ctx.observe(`the new socket's echo: ${echoed}`);
    },
  },
  {
    section: "starttls-method",
    name: "startTls() fails with a SocketError on the socket startTls() returned",
    kind: "normative",
    async run(ctx) {
      const pems = needPems(ctx);
      const srv = await ctx.server(ctx.peers.startTls());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const port = await ctx.peers.refusedPort();
      const s = ctx.connect(`127.0.0.1:${port}`);
      const e = await rejection(s.opened ?? s.closed, "opened");
      assert(e instanceof TypeError, `${describe(e)} is not a TypeError`);
      assert(e.message.startsWith("SocketError: "), `message "${e.message}"`);
    },
  },
];

/** What `startTls()` on `s` failed with: the error it threw, or its upgraded socket's rejection. */
async function startTlsFailure(ctx: Ctx, s: SocketLike): Promise<unknown> {
  try {
    const t = s.startTls();
    ctx.defer(() => t.close());
    return await rejection(t.opened ?? t.closed, "the upgraded socket's opened");
  } catch (e) {
    return e;
  }
}
