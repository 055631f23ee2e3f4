/**
 * The spec suite's checks of an open Socket: the draft's sections on the readable, writable,
 * opened and closed attributes and the close() method.
 */
import { fromUtf8, utf8 } from "@netparity/protocol";
import { assert } from "../common/check.js";
import { withTimeout } from "../common/timing.js";
import { describe, isSocketError, needPems, readText, rejection, STEP_MS, type SpecCheck, stateOf } from "./harness.js";

export const SOCKET_CHECKS: readonly SpecCheck[] = [
  {
    section: "readable-attribute",
    name: "readable is a default (not byte) ReadableStream of the server's bytes",
    kind: "normative",
    async run(ctx) {
      const srv = await ctx.server(ctx.peers.fin());
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
      const srv = await ctx.server(ctx.peers.fin());
      const s = ctx.connect(`127.0.0.1:${srv.port}`, { allowHalfOpen: true });
      ctx.defer(() => s.close());
      const writer = s.writable.getWriter();
      await withTimeout(writer.write(utf8("to the server")), STEP_MS, "write");
      await withTimeout(writer.close(), STEP_MS, "close the writable");
      const got = await withTimeout(srv.received(0), STEP_MS, "server end");
      assert(fromUtf8(got) === "to the server", `the server received "${fromUtf8(got)}"`);
    },
  },
  {
    section: "opened-attribute",
    name: "a failed TLS handshake rejects opened with a SocketError",
    kind: "normative",
    async run(ctx) {
      needPems(ctx);
      const srv = await ctx.server(ctx.peers.echo("127.0.0.1", {}));
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
      const srv = await ctx.server(ctx.peers.fin());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.fin());
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
      const srv = await ctx.server(ctx.peers.fin());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo());
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
      const srv = await ctx.server(ctx.peers.echo());
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
];
