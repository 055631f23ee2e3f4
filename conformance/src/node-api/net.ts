/**
 * Node API probes over node:net (TCP and Unix): half-close, event order, resets, pause,
 * backpressure, timeouts, server.close(), error objects, byte counters, 'listening' timing.
 */
import { createServer, Socket } from "node:net";
import { join } from "node:path";
import {
  type BackpressureEvidence,
  type BytesEvidence,
  classifyBackpressure,
  classifyBytes,
  classifyErrorFields,
  classifyEvents,
  classifyHalfClose,
  classifyListening,
  classifyMethod,
  classifyPause,
  classifyServerCloseCallback,
  classifyServerCloseConnect,
  classifyServerCloseOpen,
  classifyTimeout,
  classifyWriteAfterReset,
  type ErrorFieldsEvidence,
  type EventsEvidence,
  type ListeningEvidence,
  type NotRun,
  type PauseEvidence,
  type ServerCloseEvidence,
  type TimeoutEvidence,
  type WriteAfterResetEvidence,
} from "./nodeapi-classify.js";
import { listening, recordEvents, until, wait, withCleanup } from "./kit.js";
import {
  clientEventsWhen,
  connected,
  dial,
  errorOf,
  freePort,
  halfClose,
  type Resettable,
  resetIfAble,
  serverClose,
  serverEventsWhen,
  writeAfterReset,
} from "./net-records.js";
import { nodeApiProbe, type NodeApiProbe } from "./types.js";

export const netProbes: NodeApiProbe[] = [
  nodeApiProbe({
    id: "nodeapi.half-close.tcp-allow",
    title: "tcp, allowHalfOpen: true: does the server's reply in 'end' reach the half-closed client?",
    record: () => halfClose(true, false),
    classify: classifyHalfClose,
  }),
  nodeApiProbe({
    id: "nodeapi.half-close.tcp-auto",
    title: "tcp, allowHalfOpen: false: what a write in the server's 'end' handler does",
    record: () => halfClose(false, false),
    classify: classifyHalfClose,
  }),
  nodeApiProbe({
    id: "nodeapi.half-close.unix-allow",
    title: "unix, allowHalfOpen: true: does the server's reply in 'end' reach the half-closed client?",
    record: () => halfClose(true, true),
    classify: classifyHalfClose,
  }),
  nodeApiProbe({
    id: "nodeapi.half-close.unix-auto",
    title: "unix, allowHalfOpen: false: what a write in the server's 'end' handler does",
    record: () => halfClose(false, true),
    classify: classifyHalfClose,
  }),
  nodeApiProbe({
    id: "nodeapi.events.peer-end",
    title: "server socket events, in order, when the client calls end()",
    record: () =>
      serverEventsWhen((cl) => {
        cl.end();
        return true;
      }),
    classify: classifyEvents,
  }),
  nodeApiProbe({
    id: "nodeapi.events.peer-destroy",
    title: "server socket events, in order, when the client calls destroy()",
    record: () =>
      serverEventsWhen((cl) => {
        cl.destroy();
        return true;
      }),
    classify: classifyEvents,
  }),
  nodeApiProbe({
    id: "nodeapi.events.peer-reset",
    title: "server socket events, in order, when the client calls resetAndDestroy()",
    record: () => serverEventsWhen((cl) => resetIfAble(cl)),
    classify: classifyEvents,
  }),
  nodeApiProbe({
    id: "nodeapi.events.server-end",
    title: "client socket events, in order, when the server calls end() at once",
    record: () =>
      clientEventsWhen((s) => {
        s.end();
        return true;
      }),
    classify: classifyEvents,
  }),
  nodeApiProbe({
    id: "nodeapi.events.server-reset",
    title: "client socket events, in order, when the server calls resetAndDestroy() (reset reported as a clean end?)",
    record: () => clientEventsWhen((s) => resetIfAble(s)),
    classify: classifyEvents,
  }),
  nodeApiProbe({
    id: "nodeapi.reset.method",
    title: "net.Socket has resetAndDestroy()",
    record: async () => ({ method: "resetAndDestroy", type: typeof (Socket.prototype as Resettable).resetAndDestroy }),
    classify: classifyMethod,
  }),
  nodeApiProbe<WriteAfterResetEvidence | NotRun>({
    id: "nodeapi.reset.write-after",
    title: "a write after the peer's reset: its callback and the 'error' code",
    record: () =>
      withCleanup(async (c) => {
        const events: string[] = [];
        let ok = true;
        // The server resets once it has the client's first bytes: the client is surely connected.
        const { where } = await listening(c, {}, (s) => {
          s.once("data", () => {
            ok = resetIfAble(s as Resettable);
          });
        });
        const client = dial(c, where);
        recordEvents(client, events);
        client.resume();
        await connected(client);
        client.write("go");
        await until(() => events.length > 0 || !ok, 1000);
        if (!ok) return { notRun: "net.Socket has no resetAndDestroy()" };
        await wait(50);
        return writeAfterReset(client, events);
      }),
    classify: classifyWriteAfterReset,
  }),
  nodeApiProbe<PauseEvidence>({
    id: "nodeapi.pause-in-connection",
    title: "pause() in the 'connection' handler holds 'data' back until resume()",
    record: () =>
      withCleanup(async (c) => {
        let bytes = 0;
        let server: import("node:net").Socket | undefined;
        const { where } = await listening(c, {}, (s) => {
          s.pause();
          s.on("data", (d: Buffer) => {
            bytes += d.length;
          });
          server = s;
        });
        const client = dial(c, where);
        await connected(client);
        const sent = 5000;
        client.write(new Uint8Array(sent));
        await until(() => server !== undefined, 1000);
        await wait(300);
        const bytesWhilePaused = bytes;
        server?.resume();
        await until(() => bytes >= sent, 1000);
        return { sent, bytesWhilePaused, bytesAfterResume: bytes - bytesWhilePaused };
      }),
    classify: classifyPause,
  }),
  nodeApiProbe<BackpressureEvidence>({
    id: "nodeapi.write.backpressure",
    title: "write()'s return value, writableLength and 'drain' against a reader that does not read",
    record: () =>
      withCleanup(async (c) => {
        let server: import("node:net").Socket | undefined;
        const { where } = await listening(c, {}, (s) => {
          s.pause();
          server = s;
        });
        const client = dial(c, where);
        await connected(client);
        let drains = 0;
        client.on("drain", () => void drains++);
        const chunk = new Uint8Array(64 * 1024);
        let falseAfterWrites: number | null = null;
        // At most 64 MiB: enough to fill the kernel's buffers on both ends.
        for (let i = 1; i <= 1024; i++) {
          if (!client.write(chunk)) {
            falseAfterWrites = i;
            break;
          }
          if (i % 16 === 0) await wait(1);
        }
        const writableLength = client.writableLength;
        await wait(300);
        const drainWhileUnread = drains > 0;
        server?.resume();
        const drainAfterRead = await until(() => drains > 0, 2000);
        return { falseAfterWrites, writableLength, drainWhileUnread, drainAfterRead };
      }),
    classify: classifyBackpressure,
  }),
  nodeApiProbe<TimeoutEvidence>({
    id: "nodeapi.timeout",
    title: "setTimeout(100) on an idle socket: 'timeout', and whether the socket stays open",
    record: () =>
      withCleanup(async (c) => {
        const { where } = await listening(c, {}, () => undefined);
        const client = dial(c, where);
        await connected(client);
        const t0 = Date.now();
        let afterMs: number | undefined;
        client.setTimeout(100, () => {
          afterMs = Date.now() - t0;
        });
        const timeoutFired = await until(() => afterMs !== undefined, 1500);
        await wait(50);
        return { timeoutFired, ...(afterMs !== undefined ? { afterMs } : {}), destroyedAfter: client.destroyed };
      }),
    classify: classifyTimeout,
  }),
  nodeApiProbe<ServerCloseEvidence>({
    id: "nodeapi.server-close.callback",
    title: "server.close(cb) with a connection open: when the callback runs",
    record: serverClose,
    classify: classifyServerCloseCallback,
  }),
  nodeApiProbe<ServerCloseEvidence>({
    id: "nodeapi.server-close.new-connect",
    title: "server.close() with a connection open: what a new connect gets",
    record: serverClose,
    classify: classifyServerCloseConnect,
  }),
  nodeApiProbe<ServerCloseEvidence>({
    id: "nodeapi.server-close.open-connection",
    title: "server.close() with a connection open: the open connection still exchanges data",
    record: serverClose,
    classify: classifyServerCloseOpen,
  }),
  nodeApiProbe<ErrorFieldsEvidence>({
    id: "nodeapi.error.refused",
    title: "the error object of a refused connect (code, syscall, errno, address, port)",
    record: () =>
      errorOf(async (c) => {
        const port = await freePort(c);
        return dial(c, { port, host: "127.0.0.1" });
      }),
    classify: classifyErrorFields,
  }),
  nodeApiProbe<ErrorFieldsEvidence>({
    id: "nodeapi.error.eaddrinuse",
    title: "the error object of a listen on a port in use",
    record: () =>
      errorOf(async (c) => {
        const { where } = await listening(c, {}, () => undefined);
        const second = c.server(createServer());
        second.listen("port" in where ? where.port : 0, "127.0.0.1");
        return second;
      }),
    classify: classifyErrorFields,
  }),
  nodeApiProbe<ErrorFieldsEvidence>({
    id: "nodeapi.error.unix-listen-missing-dir",
    title: "the error object of a listen on a Unix path whose directory does not exist",
    record: () =>
      errorOf(async (c) => {
        const server = c.server(createServer());
        server.listen(join(c.dir(), "missing", "s.sock"));
        return server;
      }),
    classify: classifyErrorFields,
  }),
  nodeApiProbe<ErrorFieldsEvidence>({
    id: "nodeapi.error.unix-connect-missing",
    title: "the error object of a connect to a Unix path that does not exist",
    record: () => errorOf(async (c) => dial(c, { path: join(c.dir(), "absent.sock") })),
    classify: classifyErrorFields,
  }),
  nodeApiProbe<BytesEvidence>({
    id: "nodeapi.bytes",
    title: "bytesRead and bytesWritten on both ends after a 1000-byte echo",
    record: () =>
      withCleanup(async (c) => {
        let server: import("node:net").Socket | undefined;
        const { where } = await listening(c, {}, (s) => {
          server = s;
          s.pipe(s);
        });
        const client = dial(c, where);
        await connected(client);
        const sent = 1000;
        let got = 0;
        client.on("data", (d: Buffer) => {
          got += d.length;
        });
        client.write(new Uint8Array(sent));
        await until(() => got >= sent, 1500);
        await wait(20);
        return {
          sent,
          clientWritten: client.bytesWritten,
          clientRead: client.bytesRead,
          serverRead: server?.bytesRead ?? -1,
          serverWritten: server?.bytesWritten ?? -1,
        };
      }),
    classify: classifyBytes,
  }),
  nodeApiProbe<ListeningEvidence>({
    id: "nodeapi.listening.timing",
    title: "server.address() right after listen(), and when 'listening' comes",
    record: () =>
      withCleanup(async (c) => {
        const server = c.server(createServer());
        const order: string[] = [];
        let fired = false;
        server.on("listening", () => {
          fired = true;
          order.push("listening");
        });
        server.listen(0, "127.0.0.1");
        const addressSync = server.address() === null ? "null" : "port";
        const listeningSync = fired;
        queueMicrotask(() => order.push("microtask"));
        setTimeout(() => order.push("timer"), 0);
        await until(() => order.includes("listening") && order.includes("timer"), 1000);
        return { addressSync, listeningSync, order } satisfies ListeningEvidence;
      }),
    classify: classifyListening,
  }),
  nodeApiProbe<EventsEvidence>({
    id: "nodeapi.connect.events",
    title: "a client's events, in order, from connect() to its own end() (connect, ready, end, finish, close)",
    record: () =>
      withCleanup(async (c) => {
        const { where } = await listening(c, {}, (s) => s.resume());
        const events: string[] = [];
        const client = dial(c, where);
        client.on("connect", () => events.push("connect"));
        client.on("ready", () => events.push("ready"));
        client.on("lookup", () => events.push("lookup"));
        recordEvents(client, events);
        client.resume();
        await until(() => events.includes("connect") || events.some((e) => e.startsWith("error")), 1000);
        client.end();
        await until(() => events.some((e) => e.startsWith("close")), 1500);
        return { events };
      }),
    classify: classifyEvents,
  }),
];
