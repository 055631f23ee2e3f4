/**
 * Time service of wire contract v1. The request is a strftime format (UTF-8), the reply the
 * server's current local time in that format (TZ honoured); an empty request means
 * "%Y-%m-%d %X". UDP: one datagram each way. TCP/Unix: one frame each way, many per
 * connection.
 *
 * The client tags every format with a literal nonce prefix, which strftime copies through:
 * a reply is matched to its request by that prefix, so a late UDP reply to an earlier request
 * is recognised and never taken for the answer to a later one.
 *
 * `--encoding gbk` (the lessons' Python) carries format and reply as gbk text instead of UTF-8.
 */
import { receiverOf, serveDatagrams } from "./udp-util.js";
import {
  FrameReader,
  NetError,
  localTime,
  strftime,
  utf8,
  writeFrame,
  type Connection,
  type Runtime,
} from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import { clientBindAddress } from "./echo.js";
import {
  SERVER_LIMIT_OPTIONS,
  connectStream,
  listenStream,
  serveConnections,
  type ServeContext,
} from "./serve-util.js";
import { ENCODING_OPTION, codecOf, type TextCodec } from "./text-codec.js";
import { DEFAULT_TIME_FORMAT, type Exchange, judge, PROBES } from "./time-judge.js";
import {
  Checks,
  mutationOf,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";

export { DEFAULT_TIME_FORMAT };
/** Largest request frame a time server reads: a format, not a file. */
export const TIME_REQUEST_MAX = 64 * 1024;

/**
 * Formats the server's current local time. The format is taken as bytes: they are mapped one
 * to one onto code points 0-255, formatted, and mapped back, so text that is not a directive
 * comes back byte for byte (UTF-8 or not), as glibc's strftime copies it. Directives only
 * produce ASCII. A format strftime refuses (a field width above its limit) gives an empty reply.
 */
export function formatTime(request: Uint8Array, now: Date = new Date()): Uint8Array {
  const format = request.byteLength === 0 ? DEFAULT_TIME_FORMAT : latin1(request);
  let text: string;
  try {
    text = strftime(format, localTime(now));
  } catch {
    return new Uint8Array(0);
  }
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) return utf8(text); // cannot happen with ASCII zone names; stay correct anyway
    out[i] = c;
  }
  return out;
}

/**
 * `formatTime` for a request in `codec`. UTF-8 keeps the byte-transparent path; another
 * encoding is decoded (bytes that are not text in it give an empty reply, like a format
 * strftime refuses), formatted, and encoded back: directives only add ASCII, which every
 * encoding here has.
 */
export function formatTimeIn(codec: TextCodec, request: Uint8Array, now: Date = new Date()): Uint8Array {
  if (codec.name === "utf-8") return formatTime(request, now);
  let format: string;
  try {
    format = request.byteLength === 0 ? DEFAULT_TIME_FORMAT : codec.decode(request);
  } catch {
    return new Uint8Array(0);
  }
  try {
    return codec.encode(strftime(format, localTime(now)));
  } catch {
    return new Uint8Array(0);
  }
}

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.byteLength; i += 4096) s += String.fromCharCode(...bytes.subarray(i, i + 4096));
  return s;
}

async function serveFramed(conn: Connection, ctx: ServeContext, codec: TextCodec, now: () => Date): Promise<void> {
  const reader = ctx.frames({ maxFrameLength: TIME_REQUEST_MAX });
  for (;;) {
    const request = await reader.read();
    if (request === null) break;
    await writeFrame(conn, formatTimeIn(codec, request, now()));
  }
  await conn.closeWrite();
}

const MUTATIONS = {
  "hour-off": "the server's clock runs one hour ahead (its UTC offset stays right)",
} as const;

async function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const codec = codecOf(options);
  const skew = mutationOf(options, "time", MUTATIONS) === "hour-off" ? 3_600_000 : 0;
  const now = (): Date => new Date(Date.now() + skew);
  if (options.transport === "udp") return serveDatagrams(rt, options, log, (d) => formatTimeIn(codec, d.data, now()));
  const listener = await listenStream(rt, options);
  return serveConnections(rt, listener, options, log, (conn, ctx) => serveFramed(conn, ctx, codec, now));
}

// ---------------------------------------------------------------------------------------
// Client

/** Sends one request and waits for its reply; a transport-specific implementation. */
type Ask = (format: string, nonce: string) => Promise<Exchange>;

function decodeReply(
  codec: TextCodec,
  bytes: Uint8Array,
  nonce: string,
  end = "",
): { text?: string; problem?: string } {
  let text: string;
  try {
    text = codec.decode(bytes);
  } catch {
    return { problem: `reply is not valid ${codec.name}` };
  }
  if (!text.startsWith(nonce))
    return {
      problem: `reply does not start with the request's literal text ${JSON.stringify(nonce)}: ${JSON.stringify(text.slice(0, 80))}`,
    };
  if (!text.endsWith(end) || text.length < nonce.length + end.length)
    return { problem: `reply does not end with the request's literal text ${JSON.stringify(end)} (truncated?)` };
  return { text: text.slice(nonce.length, text.length - end.length) };
}

/** The literal a UDP request ends with, so a truncated reply is told from a whole one. */
function endMark(nonce: string): string {
  return ` ${nonce.trim()}`;
}

function streamAsk(conn: Connection, reader: FrameReader, codec: TextCodec): Ask {
  return async (format, nonce) => {
    const sentMs = Date.now();
    await writeFrame(conn, codec.encode(nonce + format));
    const frame = await withTimeout(reader.read(), 10_000, "time reply frame");
    const receivedMs = Date.now();
    if (frame === null) throw new NetError("UNEXPECTED_EOF", "server closed the connection instead of replying");
    const r = decodeReply(codec, frame, nonce);
    return { reply: r.text ?? null, ...(r.problem ? { problem: r.problem } : {}), sentMs, receivedMs };
  };
}

interface UdpStats {
  resent: number;
  stale: number;
  unmatched: number;
  lost: number;
}

const UDP_TIMEOUT_MS = 500;
const UDP_RETRIES = 5;

/** Reply timeout per attempt and resends (`--reply-timeout`, `--retries`, shared with hello-udp and echo). */
function udpPatience(options: RoleOptions): { timeoutMs: number; retries: number } {
  const t = options.extra.replyTimeout;
  const r = options.extra.retries;
  return {
    timeoutMs: typeof t === "number" && t > 0 ? t : UDP_TIMEOUT_MS,
    retries: typeof r === "number" ? r : UDP_RETRIES,
  };
}

/**
 * UDP request/reply with timeout and retry. A reply carries its request's nonce; a reply
 * carrying an earlier request's nonce (a late answer to a retried request) is counted as
 * stale and ignored, one carrying no known nonce (or cut short: every UDP request ends with
 * a literal end mark) as unmatched; both are ignored and the request is retried.
 */
function udpAsk(
  rt: Runtime,
  sock: Awaited<ReturnType<Runtime["bindDatagram"]>>,
  options: RoleOptions,
  stats: UdpStats,
  earlier: string[],
  codec: TextCodec,
): Ask {
  // One pending receive is kept across timeouts (adapters allow only one at a time).
  const receive = receiverOf(sock);
  const { timeoutMs, retries } = udpPatience(options);
  return async (format, nonce) => {
    const end = endMark(nonce);
    const request = codec.encode(nonce + format + end);
    const firstSentMs = Date.now();
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) stats.resent++;
      await sock.send(request, { hostname: options.host, port: options.port });
      const deadline = rt.host.now() + timeoutMs;
      for (;;) {
        const left = deadline - rt.host.now();
        if (left <= 0) break;
        const d = await receive(left);
        if (d === undefined) break;
        if (d === null) throw new NetError("CLOSED", "datagram socket closed");
        const r = decodeReply(codec, d.data, nonce, end);
        if (r.text !== undefined) return { reply: r.text, sentMs: firstSentMs, receivedMs: Date.now() };
        let text = "";
        try {
          text = codec.decode(d.data);
        } catch {
          // counted below
        }
        if (earlier.some((n) => text.startsWith(n))) stats.stale++;
        else stats.unmatched++;
      }
    }
    stats.lost++;
    return {
      reply: null,
      problem: `no reply after ${retries} retries of ${timeoutMs} ms`,
      sentMs: firstSentMs,
      receivedMs: Date.now(),
    };
  };
}

async function client(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const codec = codecOf(options);
  const tag = `np${Math.floor(Math.random() * 1e9).toString(36)}`;
  let seq = 0;
  const nextNonce = (): string => `[${tag}.${seq++}] `;
  const userFormat = options.extra.format;
  const stats: UdpStats = { resent: 0, stale: 0, unmatched: 0, lost: 0 };
  const earlier: string[] = [];
  const state: { offset?: number } = {};
  let output: string | undefined;
  let conn: Connection | undefined;
  let sock: Awaited<ReturnType<Runtime["bindDatagram"]>> | undefined;
  const rtts: number[] = [];
  try {
    let ask: Ask;
    let reader: FrameReader | undefined;
    if (options.transport === "udp") {
      sock = await rt.bindDatagram({ hostname: clientBindAddress(options.host), port: 0 });
      ask = udpAsk(rt, sock, options, stats, earlier, codec);
    } else {
      conn = await connectStream(rt, options);
      conn.setNoDelay(true);
      reader = new FrameReader(conn);
      ask = streamAsk(conn, reader, codec);
    }
    const run = async (format: string): Promise<Exchange> => {
      const nonce = nextNonce();
      const ex = await ask(format, nonce);
      earlier.push(nonce);
      if (ex.reply !== null) rtts.push(ex.receivedMs - ex.sentMs);
      return ex;
    };

    if (typeof userFormat === "string") {
      const ex = await run(userFormat);
      if (ex.reply === null) checks.fail(`format ${JSON.stringify(userFormat)}`, ex.problem ?? "no reply");
      else {
        checks.pass(`format ${JSON.stringify(userFormat)}`, `a ${codec.name} reply came back`);
        output = ex.reply;
      }
    } else {
      for (const probe of PROBES.filter((p) => codec.canEncode(p.format)))
        judge(checks, probe, await run(probe.format), state);
      if (conn && reader) {
        // Several requests in flight on one connection: replies come back in order.
        const nonces = [nextNonce(), nextNonce(), nextNonce()];
        for (const n of nonces) await writeFrame(conn, codec.encode(`${n}%H:%M`));
        const got: string[] = [];
        for (let i = 0; i < nonces.length; i++) {
          const f = await withTimeout(reader.read(), 10_000, "pipelined time reply");
          got.push(f === null ? "<eof>" : codec.decode(f));
        }
        checks.expect(
          "3 pipelined requests answered in order",
          got.every((g, i) => g.startsWith(nonces[i]!) && /^\d{2}:\d{2}$/.test(g.slice(nonces[i]!.length))),
          `got ${JSON.stringify(got)}`,
        );
        // The empty request: the default format, and the stream stays in step.
        await writeFrame(conn, new Uint8Array(0));
        const e = await withTimeout(reader.read(), 10_000, "reply to the empty request");
        const text = e === null ? "<eof>" : codec.decode(e);
        checks.expect(
          'empty request means "%Y-%m-%d %X"',
          /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(text),
          `reply ${JSON.stringify(text)}`,
        );
        await conn.closeWrite();
        const end = await withTimeout(reader.read(), 10_000, "server close after half-close");
        checks.expect("server closes after the client half-closes", end === null, "another frame came instead of EOF");
      }
    }
  } finally {
    conn?.close();
    sock?.close();
  }
  if (options.transport === "udp" && typeof userFormat !== "string") {
    // The empty request cannot carry a nonce: ask it on a fresh socket, so no late reply is on it.
    const s = await rt.bindDatagram({ hostname: clientBindAddress(options.host), port: 0 });
    try {
      let text: string | null = null;
      let last: string | null = null;
      const receiveEmpty = receiverOf(s);
      const { timeoutMs, retries } = udpPatience(options);
      const whole = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
      // Without a nonce a cut-short reply is told by its shape: it is counted and retried.
      for (let attempt = 0; attempt <= retries && text === null; attempt++) {
        if (attempt > 0) stats.resent++;
        await s.send(new Uint8Array(0), { hostname: options.host, port: options.port });
        const deadline = rt.host.now() + timeoutMs;
        for (;;) {
          const d = await receiveEmpty(deadline - rt.host.now());
          if (!d) break;
          last = new TextDecoder().decode(d.data);
          if (whole.test(last)) {
            text = last;
            break;
          }
          stats.unmatched++;
        }
      }
      if (text === null) stats.lost++;
      checks.expect('empty request means "%Y-%m-%d %X"', text !== null, `reply ${JSON.stringify(last)}`);
    } catch (e) {
      checks.fail('empty request means "%Y-%m-%d %X"', (e as Error).message);
    } finally {
      s.close();
    }
  }
  if (options.transport === "udp" && typeof userFormat !== "string") {
    // On a clean path a reply that matches no request is the server's (or the path's) fault:
    // retrying hid it, so it is reported here; a lossy path (--lossy) may cut replies short.
    if (options.extra.lossy === true)
      checks.pass("no corrupted replies", `--lossy: ${stats.unmatched} replies matching no request were ignored`);
    else
      checks.expect(
        "no corrupted replies",
        stats.unmatched === 0,
        `${stats.unmatched} replies matched no request (a changed nonce, end mark or shape)`,
      );
  }
  rtts.sort((a, b) => a - b);
  return {
    ok: checks.ok,
    checks: checks.list,
    metrics: {
      requests: seq,
      rttMedianMs: rtts[Math.floor(rtts.length / 2)] ?? -1,
      ...(options.transport === "udp"
        ? { resent: stats.resent, stale: stats.stale, unmatched: stats.unmatched, lost: stats.lost }
        : {}),
    },
    ...(output !== undefined ? { output } : {}),
  };
}

export const time: Scenario = {
  name: "time",
  summary: "strftime time service: format in, the server's local time out (UDP datagram, TCP/Unix frame)",
  transports: ["tcp", "udp", "unix", "tls"],
  options: [
    {
      flag: "--format <strftime>",
      key: "format",
      type: "string",
      roles: ["client"],
      description: "time: ask for this one format and print the server's reply in the result's \"output\"",
    },
    ENCODING_OPTION,
    ...SERVER_LIMIT_OPTIONS,
  ],
  mutations: MUTATIONS,
  serve,
  client,
};
