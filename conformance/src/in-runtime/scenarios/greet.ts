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
 *
 * `--wire raw` is the lesson's own unframed wire, for its Python programs: one read is one
 * message. It is exposed to the sticky-packet problem by construction; the client therefore
 * talks in lock step (one message, then its whole answer) and knows how long each answer
 * is, which is all that keeps it correct. `--encoding gbk` puts gbk text on either wire.
 */
import { FrameReader, NetError, writeFrame, type Connection, type Runtime } from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import {
  SERVER_LIMIT_OPTIONS,
  connectStream,
  listenStream,
  serveConnections,
  type ServeContext,
} from "./serve-util.js";
import { ENCODING_OPTION, codecOf, textCodec, type TextCodec } from "./text-codec.js";
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

/** How greet messages travel: one frame each (the default), or the lesson's unframed writes. */
export type GreetWire = "framed" | "raw";

export function wireOf(options: RoleOptions): GreetWire {
  const w = options.extra.wire ?? "framed";
  if (w !== "framed" && w !== "raw") throw new NetError("EINVAL", `--wire must be framed or raw, not ${String(w)}`);
  return w;
}

const MUTATIONS = {
  "no-bang": 'the server answers "Hello, X" without the "!"',
} as const;

export async function greetConnection(
  conn: Connection,
  ctx?: ServeContext,
  codec: TextCodec = textCodec("utf-8"),
  answer: (name: string) => string = greeting,
): Promise<void> {
  await writeFrame(conn, codec.encode(WELCOME));
  const frames = ctx
    ? ctx.frames({ maxFrameLength: MAX_MESSAGE })
    : new FrameReader(conn, { maxFrameLength: MAX_MESSAGE });
  for (;;) {
    const frame = await frames.read();
    if (frame === null) break;
    const text = codec.decode(frame);
    if (text === EXIT) break;
    await writeFrame(conn, codec.encode(answer(text)));
  }
  await conn.closeWrite();
}

/**
 * The lesson's server loop on the raw wire: `Welcome!`, then each read is taken as one
 * message, as `recv(1024)` took it. Two messages that arrive in one read are greeted as one
 * (`Hello, AliceBob!`): that is the sticky-packet bug this wire keeps for compatibility.
 */
export async function greetRawConnection(
  conn: Connection,
  codec: TextCodec,
  answer: (name: string) => string = greeting,
): Promise<void> {
  await conn.write(codec.encode(WELCOME));
  for (;;) {
    const chunk = await conn.read();
    if (chunk === null) break;
    const text = codec.decode(chunk);
    if (text === EXIT) break;
    await conn.write(codec.encode(answer(text)));
  }
  await conn.closeWrite();
}

async function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const codec = codecOf(options);
  const wire = wireOf(options);
  const answer = mutationOf(options, "greet", MUTATIONS) === "no-bang" ? (n: string) => `Hello, ${n}` : greeting;
  const listener = await listenStream(rt, options);
  return serveConnections(rt, listener, options, log, (conn, ctx) =>
    wire === "raw" ? greetRawConnection(conn, codec, answer) : greetConnection(conn, ctx, codec, answer),
  );
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
  "张三",
];

/**
 * The names a client sends on `wire` in `codec`: those the encoding has bytes for, and on the
 * raw wire not the empty one (an empty write sends nothing a reader could see).
 */
export function greetNames(codec: TextCodec, wire: GreetWire): string[] {
  return NAMES.filter((n) => codec.canEncode(n) && (wire === "framed" || n !== ""));
}

/** One client's side of the wire: send a message, read the next one (null: the server closed). */
interface Session {
  conn: Connection;
  send(text: string): Promise<void>;
  /** `expected`: what the raw wire waits for (it has no lengths); the framed wire ignores it. */
  readText(expected: string): Promise<string | null>;
}

function framedSession(conn: Connection, codec: TextCodec): Session {
  const frames = new FrameReader(conn, { maxFrameLength: MAX_MESSAGE });
  return {
    conn,
    send: (text) => writeFrame(conn, codec.encode(text)),
    async readText() {
      const f = await frames.read();
      return f === null ? null : codec.decode(f);
    },
  };
}

/**
 * The raw wire has no boundaries, so the client reads until it holds as many bytes as the
 * answer it expects (or the server closes): one answer split over several reads is still read
 * whole, and in lock step nothing else can be merged into it.
 */
function rawSession(conn: Connection, codec: TextCodec): Session {
  let held = new Uint8Array(0);
  return {
    conn,
    send: (text) => conn.write(codec.encode(text)),
    async readText(expected) {
      const want = codec.encode(expected).byteLength;
      if (want === 0 && held.byteLength === 0) {
        // Nothing expected (after "exit"): whatever comes next, or the close.
        const chunk = await conn.read();
        if (chunk === null) return null;
        held = chunk.slice();
      }
      while (held.byteLength < want) {
        const chunk = await conn.read();
        if (chunk === null) break;
        const next = new Uint8Array(held.byteLength + chunk.byteLength);
        next.set(held);
        next.set(chunk, held.byteLength);
        held = next;
      }
      if (held.byteLength === 0) return null;
      const text = held.subarray(0, want === 0 ? held.byteLength : Math.min(want, held.byteLength));
      held = held.slice(text.byteLength);
      try {
        return codec.decode(text);
      } catch {
        return `<${text.byteLength} bytes, not ${codec.name}>`;
      }
    },
  };
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
  const codec = codecOf(options);
  const wire = wireOf(options);
  const names = greetNames(codec, wire);
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
        const s = wire === "raw" ? rawSession(conn, codec) : framedSession(conn, codec);
        sessions.push(s);
        const w = await withTimeout(s.readText(WELCOME), 10_000, "welcome");
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
          const name = names[(i + m) % names.length]!;
          await s.send(name);
          const reply = await withTimeout(s.readText(greeting(name)), 10_000, "reply");
          if (reply === greeting(name)) replies++;
          else {
            wrong++;
            note(
              `client ${i} sent ${JSON.stringify(name.slice(0, 20))}, got ${JSON.stringify(reply?.slice(0, 40) ?? null)}`,
            );
          }
        }
        await s.send(EXIT);
        const after = await withTimeout(s.readText(""), 10_000, "close after exit");
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
    output: `${wire} wire, ${codec.name}`,
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
    {
      flag: "--wire <wire>",
      key: "wire",
      type: "string",
      choices: ["framed", "raw"],
      roles: ["server", "client"],
      description:
        "greet: framed (default; one 4-byte-length frame per message) or raw, the lesson's unframed wire where one read is one message (exposed to sticky packets)",
    },
    ENCODING_OPTION,
    ...SERVER_LIMIT_OPTIONS,
  ],
  mutations: MUTATIONS,
  serve,
  client,
};
