/**
 * Greet, the thread-per-connection lesson. On connect the server sends "Welcome!"; each
 * message X is answered "Hello, X!"; the message "exit" closes the connection. Many clients
 * are served at once: every connection gets its own handler (a task on the event loop
 * where the lesson started a thread).
 *
 * Every message is one frame of wire contract v1 (4-byte big-endian length + UTF-8). The
 * lesson sent raw `send("hello")` calls, so two quick messages could arrive merged in one
 * `recv` (the sticky-packet bug, see probes/sticky.ts); with framing a message is always
 * read whole, however TCP splits or merges the bytes.
 */
import { FrameReader, NetError, fromUtf8, utf8, writeFrame, type Connection, type Runtime } from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import {
  SERVER_LIMIT_OPTIONS,
  connectStream,
  listenStream,
  serveConnections,
  type ServeContext,
} from "./serve-util.js";
import {
  Checks,
  mutationOf,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";

export const WELCOME = "Welcome!";
export const EXIT = "exit";
export const greeting = (name: string): string => `Hello, ${name}!`;

/** Largest message the server accepts; the lesson's recv(1024) with room for UTF-8 names. */
const MAX_MESSAGE = 64 * 1024;

const MUTATIONS = {
  "no-bang": 'the server answers "Hello, X" without the "!"',
} as const;

export async function greetConnection(
  conn: Connection,
  ctx?: ServeContext,
  answer: (name: string) => string = greeting,
): Promise<void> {
  await writeFrame(conn, utf8(WELCOME));
  const frames = ctx
    ? ctx.frames({ maxFrameLength: MAX_MESSAGE })
    : new FrameReader(conn, { maxFrameLength: MAX_MESSAGE });
  for (;;) {
    const frame = await frames.read();
    if (frame === null) break;
    const text = fromUtf8(frame);
    if (text === EXIT) break;
    await writeFrame(conn, utf8(answer(text)));
  }
  await conn.closeWrite();
}

async function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const answer = mutationOf(options, "greet", MUTATIONS) === "no-bang" ? (n: string) => `Hello, ${n}` : greeting;
  const listener = await listenStream(rt, options);
  return serveConnections(rt, listener, options, log, (conn, ctx) => greetConnection(conn, ctx, answer));
}

/** Names the clients send: ASCII, UTF-8 in several scripts, an empty one, one that looks like a frame header. */
const NAMES = [
  "Ada",
  "Grace",
  "Zoë",
  "Łukasz",
  "李雷",
  "Ελένη",
  "🌍",
  "",
  "exit please",
  "\u0000\u0000\u0000\u0005x",
  "a".repeat(1000),
];

interface Session {
  conn: Connection;
  frames: FrameReader;
}

async function readText(s: Session): Promise<string | null> {
  const f = await s.frames.read();
  return f === null ? null : fromUtf8(f);
}

/**
 * Opens every connection and reads every welcome before any client says a word: a server
 * that handled one client at a time could not greet the second while the first is open.
 * Then all clients talk at once, check every reply, say "exit" and expect the close.
 */
async function client(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const clients = Math.max(1, Number(options.extra.clients ?? 50));
  const messages = Math.max(1, Number(options.extra.messages ?? 5));
  const t0 = rt.host.now();
  const sessions: Session[] = [];
  let welcomed = 0;
  let replies = 0;
  let wrong = 0;
  let closed = 0;
  const problems: string[] = [];
  const note = (p: string): void => {
    if (problems.length < 5) problems.push(p);
  };
  try {
    const opened = await Promise.allSettled(
      Array.from({ length: clients }, async () => {
        const conn = await connectStream(rt, options);
        const s: Session = { conn, frames: new FrameReader(conn, { maxFrameLength: MAX_MESSAGE }) };
        sessions.push(s);
        const w = await withTimeout(readText(s), 10_000, "welcome");
        if (w === WELCOME) welcomed++;
        else note(`first message was ${JSON.stringify(w)}, expected "${WELCOME}"`);
      }),
    );
    for (const r of opened) if (r.status === "rejected") note(describeError(r.reason));
    checks.expect(
      `${clients} clients connected and welcomed at once`,
      welcomed === clients,
      `${welcomed} of ${clients} got "${WELCOME}" while all were connected: ${problems.join("; ")}`,
    );
    const talked = await Promise.allSettled(
      sessions.map(async (s, i) => {
        for (let m = 0; m < messages; m++) {
          const name = NAMES[(i + m) % NAMES.length]!;
          await writeFrame(s.conn, utf8(name));
          const reply = await withTimeout(readText(s), 10_000, "reply");
          if (reply === greeting(name)) replies++;
          else {
            wrong++;
            note(
              `client ${i} sent ${JSON.stringify(name.slice(0, 20))}, got ${JSON.stringify(reply?.slice(0, 40) ?? null)}`,
            );
          }
        }
        await writeFrame(s.conn, utf8(EXIT));
        const after = await withTimeout(readText(s), 10_000, "close after exit");
        if (after === null) closed++;
        else note(`client ${i} got ${JSON.stringify(after.slice(0, 40))} after "${EXIT}" instead of the close`);
      }),
    );
    for (const r of talked) if (r.status === "rejected") note(describeError(r.reason));
    const expected = sessions.length * messages;
    checks.expect(
      `${expected} messages answered "Hello, X!"`,
      replies === expected && wrong === 0 && expected === clients * messages,
      `${replies} of ${clients * messages} replies right, ${wrong} wrong: ${problems.join("; ")}`,
    );
    checks.expect(
      `"${EXIT}" closes the connection`,
      closed === clients,
      `${closed} of ${clients} connections closed after "${EXIT}": ${problems.join("; ")}`,
    );
  } finally {
    for (const s of sessions) s.conn.close();
  }
  return {
    ok: checks.ok,
    checks: checks.list,
    metrics: { clients, messages: clients * messages, replies, ms: Math.round(rt.host.now() - t0) },
  };
}

function describeError(e: unknown): string {
  return e instanceof NetError ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);
}

export const greet: Scenario = {
  name: "greet",
  summary: 'greeting server: "Welcome!", then "Hello, X!" per framed message, "exit" closes; many clients at once',
  transports: ["tcp", "unix", "tls"],
  options: [
    {
      flag: "--clients <n>",
      key: "clients",
      type: "int",
      roles: ["client"],
      description: "greet: concurrent clients (default 50)",
    },
    {
      flag: "--messages <n>",
      key: "messages",
      type: "int",
      roles: ["client"],
      description: "greet: messages per client before exit (default 5)",
    },
    ...SERVER_LIMIT_OPTIONS,
  ],
  mutations: MUTATIONS,
  serve,
  client,
};
