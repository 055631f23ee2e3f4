/** What the node:net probes (net.ts) record: the connections they set up and the evidence they collect. */
import { connect, type Socket, type NetConnectOpts } from "node:net";
import { join } from "node:path";
import type {
  CallbackEvidence,
  ErrorFieldsEvidence,
  EventsEvidence,
  HalfCloseEvidence,
  NotRun,
  ServerCloseEvidence,
  WriteAfterResetEvidence,
} from "./nodeapi-classify.js";
import {
  type Cleanup,
  collect,
  listening,
  nodeError,
  recordEvents,
  until,
  wait,
  type Where,
  withCleanup,
} from "./kit.js";

export type Resettable = Socket & { resetAndDestroy?: () => Socket };

/** resetAndDestroy() where the socket has it; false where it does not. */
export function resetIfAble(s: Resettable): boolean {
  if (typeof s.resetAndDestroy !== "function") return false;
  s.resetAndDestroy();
  return true;
}

export function dial(c: Cleanup, where: Where, extra: Partial<NetConnectOpts> = {}): Socket {
  return c.socket(connect({ ...where, ...extra } as NetConnectOpts));
}

export async function connected(s: Socket, ms = 2000): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error("connect did not finish")), ms);
    s.once("connect", () => {
      clearTimeout(t);
      resolve();
    });
    s.once("error", (e) => {
      clearTimeout(t);
      reject(e);
    });
  });
}

/**
 * The server side of a half-close probe (tcp, unix, tls): records its events and what it read,
 * and in its 'end' handler writes "pong" and ends, recording what the write's callback got.
 */
export function answerAfterEnd(s: Socket, ev: HalfCloseEvidence): void {
  recordEvents(s, ev.serverEvents);
  const got = collect(s);
  s.on("end", () => {
    ev.serverGot = got.text();
    ev.serverSawEnd = true;
    ev.serverWrite = "not called";
    try {
      s.write("pong", (err) => (ev.serverWrite = err ? nodeError(err) : "ok"));
      s.end();
    } catch (e) {
      ev.serverWrite = nodeError(e);
    }
  });
}

/**
 * After a reset the client has seen (its events so far in `events`): a write, its return value
 * or what it threw, its callback, and the events the write brought.
 */
export async function writeAfterReset(client: Socket, events: string[]): Promise<WriteAfterResetEvidence> {
  const eventsBeforeWrite = [...events];
  let callback: CallbackEvidence = "not called";
  let writeReturned: WriteAfterResetEvidence["writeReturned"];
  try {
    writeReturned = client.write("after reset", (err) => (callback = err ? nodeError(err) : "ok"));
  } catch (e) {
    writeReturned = nodeError(e);
  }
  await until(() => callback !== "not called", 500);
  await wait(20);
  return { eventsBeforeWrite, writeReturned, callback, eventsAfterWrite: events.slice(eventsBeforeWrite.length) };
}

/** The server answers "pong" in its 'end' handler; the client half-closes after "ping". */
export async function halfClose(allowHalfOpen: boolean, unix: boolean): Promise<HalfCloseEvidence> {
  return withCleanup(async (c) => {
    const ev: HalfCloseEvidence = {
      allowHalfOpen,
      serverGot: "",
      serverSawEnd: false,
      serverEvents: [],
      clientGot: "",
      clientSawEnd: false,
    };
    const { where } = await listening(
      c,
      { allowHalfOpen },
      (s) => {
        answerAfterEnd(s, ev);
      },
      unix ? join(c.dir(), "s.sock") : undefined,
    );
    const client = dial(c, where, { allowHalfOpen: true });
    await connected(client);
    const got = collect(client);
    client.end("ping");
    await until(() => got.ended() || client.destroyed, 1500);
    await wait(20);
    ev.clientGot = got.text();
    ev.clientSawEnd = got.ended();
    return ev;
  });
}

/** A connection whose server end's events are recorded while the client does `act`. */
export async function serverEventsWhen(act: (client: Resettable) => boolean): Promise<EventsEvidence | NotRun> {
  return withCleanup(async (c) => {
    const events: string[] = [];
    let server: Socket | undefined;
    const { where } = await listening(c, {}, (s) => {
      server = s;
      recordEvents(s, events);
    });
    const client = dial(c, where) as Resettable;
    await connected(client);
    await until(() => server !== undefined, 1000);
    if (!act(client)) return { notRun: "net.Socket has no resetAndDestroy()" };
    await until(() => events.some((e) => e.startsWith("close")), 1500);
    return { events };
  });
}

/**
 * A connection whose client end's events are recorded while the server does `act`, once it has
 * the client's first bytes (so the client is surely connected: no race with its 'connect').
 */
export async function clientEventsWhen(act: (server: Resettable) => boolean): Promise<EventsEvidence | NotRun> {
  return withCleanup(async (c) => {
    const events: string[] = [];
    let ok = true;
    const { where } = await listening(c, {}, (s) => {
      s.once("data", () => {
        ok = act(s as Resettable);
      });
    });
    const client = dial(c, where);
    recordEvents(client, events);
    client.resume();
    await connected(client);
    client.write("go");
    await until(() => events.some((e) => e.startsWith("close")) || !ok, 1500);
    if (!ok) return { notRun: "net.Socket has no resetAndDestroy()" };
    return { events };
  });
}

export async function serverClose(): Promise<ServerCloseEvidence> {
  return withCleanup(async (c) => {
    const { server, where } = await listening(c, {}, (s) => s.pipe(s));
    const client = dial(c, where);
    await connected(client);
    const got = collect(client);
    let called = false;
    let callbackError: ServerCloseEvidence["callbackError"];
    server.close((err) => {
      called = true;
      if (err) callbackError = nodeError(err);
    });
    await wait(150);
    const callbackWhileOpen = called;
    client.write("still");
    const openStillEchoes = await until(() => got.text() === "still", 1000);
    let newConnect: ServerCloseEvidence["newConnect"] = "pending";
    const late = dial(c, where);
    late.once("connect", () => (newConnect = "connected"));
    late.once("error", (e) => (newConnect = nodeError(e)));
    await until(() => newConnect !== "pending", 1000);
    client.end();
    const callbackAfterClientEnd = await until(() => called, 1500);
    return {
      callbackWhileOpen,
      callbackAfterClientEnd,
      ...(callbackError ? { callbackError } : {}),
      newConnect,
      openStillEchoes,
    };
  });
}

/** The 'error' event of a connect or listen that must fail. */
export async function errorOf(
  start: (c: Cleanup) => Promise<{ on: (ev: "error" | "connect" | "listening", f: (e?: Error) => void) => unknown }>,
): Promise<ErrorFieldsEvidence> {
  return withCleanup(async (c) => {
    const target = await start(c);
    return new Promise<ErrorFieldsEvidence>((resolve) => {
      const t = setTimeout(() => resolve({ noError: "neither error nor success within 2 s" }), 2000);
      target.on("error", (e) => {
        clearTimeout(t);
        resolve({ error: nodeError(e) });
      });
      target.on("connect", () => {
        clearTimeout(t);
        resolve({ noError: "connected" });
      });
      target.on("listening", () => {
        clearTimeout(t);
        resolve({ noError: "listening" });
      });
    });
  });
}

export async function freePort(c: Cleanup): Promise<number> {
  const { server, where } = await listening(c, {}, () => undefined);
  await new Promise<void>((r) => server.close(() => r()));
  return "port" in where ? where.port : 0;
}
