/**
 * Hello over UDP, the datagram lesson: each datagram X (UTF-8) is answered by one datagram
 * "Hello, X!" sent to the sender's address. UDP may lose a datagram or deliver a stale
 * answer late, so the client sends with a timeout and retries, and matches every reply to
 * its request by content.
 *
 * With `--broadcast` the client is the lesson that greets a whole subnet: it enables
 * SO_BROADCAST, sends one name to the broadcast address given as --host and collects the
 * answers of every server that heard it. It also records, as data, what the runtime does
 * with SO_BROADCAST off (Linux refuses the send with EACCES; Deno has it on always).
 */
import { receiverOf, serveDatagrams } from "./udp-util.js";
import { NetError, fromUtf8, isNetError, utf8, type Runtime } from "@netparity/protocol";
import { clientBindAddress } from "./echo.js";
import {
  Checks,
  mutationOf,
  type Check,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";
import { greeting } from "./greet.js";

const MUTATIONS = {
  "no-bang": 'the server answers "Hello, X" without the "!"',
} as const;

async function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const answer = mutationOf(options, "hello-udp", MUTATIONS) === "no-bang" ? (n: string) => `Hello, ${n}` : greeting;
  return serveDatagrams(rt, options, log, (d) => {
    try {
      return utf8(answer(fromUtf8(d.data)));
    } catch {
      log(`datagram from ${d.from.hostname}:${d.from.port} is not UTF-8; ignored`);
      return null;
    }
  });
}

export const HELLO_NAMES = [
  "Ada",
  "Grace",
  "Linus",
  "Zoë",
  "Łukasz",
  "李雷",
  "Ελένη",
  "Алёна",
  "🌍🚀",
  "",
  "O'Brien & co",
  "x".repeat(1200),
];

async function client(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  if (options.extra.broadcast === true) return broadcastClient(rt, options);
  const checks = new Checks();
  const timeoutMs = Number(options.extra.replyTimeout ?? 500);
  const retries = Number(options.extra.retries ?? 5);
  const lossy = options.extra.lossy === true;
  const sock = await rt.bindDatagram({ hostname: clientBindAddress(options.host), port: 0 });
  const receive = receiverOf(sock);
  const sentNames = new Set<string>();
  const answered: string[] = [];
  const wrong: string[] = [];
  let resent = 0;
  let stale = 0;
  let lost = 0;
  const rtts: number[] = [];
  try {
    for (const name of HELLO_NAMES) {
      sentNames.add(name);
      let done = false;
      for (let attempt = 0; attempt <= retries && !done; attempt++) {
        if (attempt > 0) resent++;
        const t0 = rt.host.now();
        await sock.send(utf8(name), { hostname: options.host, port: options.port });
        while (!done) {
          const d = await receive(t0 + timeoutMs - rt.host.now());
          if (d === undefined) break;
          if (d === null) throw new NetError("CLOSED", "datagram socket closed");
          const text = safeText(d.data);
          if (text === greeting(name)) {
            done = true;
            answered.push(name);
            rtts.push(rt.host.now() - t0);
          } else if (text !== null && [...sentNames].some((n) => text === greeting(n))) {
            stale++; // the answer to an earlier retry, arriving late
          } else {
            wrong.push(JSON.stringify((text ?? "<not UTF-8>").slice(0, 40)));
            // On a lossy path (--lossy) a cut-short answer is ignored and the real one awaited.
            if (!lossy) done = true;
          }
        }
      }
      if (!done) lost++;
      if (lost >= 3) break;
    }
  } finally {
    sock.close();
  }
  checks.expect(
    `${HELLO_NAMES.length} names answered "Hello, X!"`,
    answered.length === HELLO_NAMES.length,
    `${answered.length} of ${HELLO_NAMES.length} answered; ${lost} without reply after ${retries} retries; wrong: ${wrong.join(", ") || "none"}`,
  );
  if (lossy) checks.pass("no wrong replies", `--lossy: ${wrong.length} replies matching no request were ignored`);
  else checks.expect("no wrong replies", wrong.length === 0, `replies matching no request: ${wrong.join(", ")}`);
  rtts.sort((a, b) => a - b);
  return {
    ok: checks.ok,
    checks: checks.list,
    metrics: {
      names: HELLO_NAMES.length,
      answered: answered.length,
      lost,
      resent,
      stale,
      wrong: wrong.length,
      rttMedianMs: rtts[Math.floor(rtts.length / 2)] ?? -1,
    },
  };
}

function safeText(b: Uint8Array): string | null {
  try {
    return fromUtf8(b);
  } catch {
    return null;
  }
}

/**
 * Greets a whole subnet: one datagram to the broadcast address (--host) with SO_BROADCAST
 * on, then every answer within the window. Before that it records what the runtime does
 * with SO_BROADCAST off, because the runtimes differ there (denoland/deno#12860).
 */
async function broadcastClient(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const windowMs = Number(options.extra.replyTimeout ?? 1000);
  const name = "subnet";
  const to = { hostname: options.host, port: options.port };
  const sock = await rt.bindDatagram({ hostname: clientBindAddress(options.host), port: 0 });
  const receive = receiverOf(sock);
  const info: Check[] = [];
  const responders = new Set<string>();
  let wrong = 0;
  try {
    // What happens without asking for broadcast: recorded, not judged.
    let offSend: string;
    try {
      await sock.send(utf8("unannounced"), to);
      offSend = "sent";
    } catch (e) {
      offSend = isNetError(e) ? e.code : "ERROR";
    }
    info.push({ name: "send to broadcast address before setBroadcast(true)", ok: true, detail: offSend });
    let off: string;
    try {
      sock.setBroadcast(false);
      off = "ok";
    } catch (e) {
      off = isNetError(e) ? `${e.code}: ${e.message}` : String(e);
    }
    info.push({ name: "setBroadcast(false)", ok: true, detail: off });
    if (!rt.features.broadcast) {
      checks.pass("broadcast", `unsupported by ${rt.runtime} ${rt.version}`);
      return { ok: true, checks: [...checks.list, ...info], metrics: { responders: 0 }, output: "unsupported" };
    }
    sock.setBroadcast(true);
    // Answers to the unannounced datagram (where it went out) count too: drain them first.
    const t0 = rt.host.now();
    await sock.send(utf8(name), to);
    for (;;) {
      const d = await receive(t0 + windowMs - rt.host.now());
      if (d === undefined || d === null) break;
      const text = safeText(d.data);
      if (text === greeting(name) || text === greeting("unannounced")) responders.add(d.from.hostname);
      else wrong++;
    }
  } finally {
    sock.close();
  }
  checks.expect(
    "a server on the subnet answered the broadcast",
    responders.size > 0,
    `no answer within ${windowMs} ms from ${options.host}:${options.port}`,
  );
  checks.expect("no wrong replies", wrong === 0, `${wrong} replies were not "Hello, ${name}!"`);
  return {
    ok: checks.ok,
    checks: [...checks.list, ...info],
    metrics: { responders: responders.size },
    output: [...responders].sort().join(","),
  };
}

export const helloUdp: Scenario = {
  name: "hello-udp",
  summary:
    'UDP hello: each datagram X answered "Hello, X!"; the client retries and matches replies (--broadcast greets a subnet)',
  transports: ["udp"],
  options: [
    {
      flag: "--reply-timeout <ms>",
      key: "replyTimeout",
      type: "int",
      roles: ["client"],
      description:
        "UDP clients (hello-udp, echo, time): reply timeout per attempt (default 500); hello-udp --broadcast: the answer window (default 1000)",
    },
    {
      flag: "--retries <n>",
      key: "retries",
      type: "int",
      roles: ["client"],
      description: "UDP clients (hello-udp, echo, time): resends before a request counts as lost (default 5)",
    },
    {
      flag: "--broadcast",
      key: "broadcast",
      type: "boolean",
      roles: ["client"],
      description: "hello-udp: send to the broadcast address --host with SO_BROADCAST and collect every answer",
    },
  ],
  mutations: MUTATIONS,
  serve,
  client,
};
