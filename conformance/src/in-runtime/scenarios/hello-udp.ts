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
 *
 * With `--group 239.x.y.z` the server joins that IPv4 multicast group and answers every
 * datagram sent to it (to the sender's address, as always); the client sends to the group
 * and collects the answers of every member, as for broadcast. `--encoding gbk` puts gbk
 * text on the wire both ways.
 */
import { receiverOf, serveDatagrams } from "./udp-util.js";
import { NetError, isNetError, type DatagramSocket, type Runtime } from "@netparity/protocol";
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
import { ENCODING_OPTION, codecOf, type TextCodec } from "./text-codec.js";

/** `--group`: an IPv4 multicast address (224.0.0.0/4), or undefined without the option. */
export function groupOf(options: RoleOptions): string | undefined {
  const g = options.extra.group;
  if (g === undefined || g === "") return undefined;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(String(g));
  if (!m || m.slice(1).some((o) => Number(o) > 255) || Number(m[1]) < 224 || Number(m[1]) > 239)
    throw new NetError(
      "EINVAL",
      `--group must be an IPv4 multicast address (224.0.0.0-239.255.255.255), not ${String(g)}`,
    );
  return String(g);
}

function interfaceOf(options: RoleOptions): string | undefined {
  const i = options.extra.groupInterface;
  return typeof i === "string" && i !== "" ? i : undefined;
}

const MUTATIONS = {
  "no-bang": 'the server answers "Hello, X" without the "!"',
} as const;

function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const codec = codecOf(options);
  const answer = mutationOf(options, "hello-udp", MUTATIONS) === "no-bang" ? (n: string) => `Hello, ${n}` : greeting;
  const group = groupOf(options);
  const iface = interfaceOf(options);
  if (group && !rt.features.multicast)
    throw new NetError("ENOTSUP", `${rt.runtime} ${rt.version} has no multicast (--group)`);
  return serveDatagrams(
    rt,
    options,
    log,
    (d) => {
      try {
        return codec.encode(answer(codec.decode(d.data)));
      } catch {
        log(`datagram from ${d.from.hostname}:${d.from.port} is not ${codec.name}; ignored`);
        return null;
      }
    },
    group ? (sock) => sock.addMembership(group, iface) : undefined,
  );
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
  "张三",
];

/** The names sent in `codec`: those it has bytes for (gbk has no "Ł" and no emoji). */
export function helloNames(codec: TextCodec): string[] {
  return HELLO_NAMES.filter((n) => codec.canEncode(n));
}

async function client(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  if (options.extra.broadcast === true) return broadcastClient(rt, options);
  if (groupOf(options)) return groupClient(rt, options);
  const checks = new Checks();
  const codec = codecOf(options);
  const names = helloNames(codec);
  const safeText = (b: Uint8Array): string | null => decodeOrNull(codec, b);
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
    for (const name of names) {
      sentNames.add(name);
      let done = false;
      for (let attempt = 0; attempt <= retries && !done; attempt++) {
        if (attempt > 0) resent++;
        const t0 = rt.host.now();
        await sock.send(codec.encode(name), { hostname: options.host, port: options.port });
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
            wrong.push(JSON.stringify((text ?? `<not ${codec.name}>`).slice(0, 40)));
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
    `${names.length} names answered "Hello, X!"${codec.name === "utf-8" ? "" : ` in ${codec.name}`}`,
    answered.length === names.length,
    `${answered.length} of ${names.length} answered; ${lost} without reply after ${retries} retries; wrong: ${wrong.join(", ") || "none"}`,
  );
  if (lossy) checks.pass("no wrong replies", `--lossy: ${wrong.length} replies matching no request were ignored`);
  else checks.expect("no wrong replies", wrong.length === 0, `replies matching no request: ${wrong.join(", ")}`);
  rtts.sort((a, b) => a - b);
  return {
    ok: checks.ok,
    checks: checks.list,
    metrics: {
      names: names.length,
      answered: answered.length,
      lost,
      resent,
      stale,
      wrong: wrong.length,
      rttMedianMs: rtts[Math.floor(rtts.length / 2)] ?? -1,
    },
  };
}

function decodeOrNull(codec: TextCodec, b: Uint8Array): string | null {
  try {
    return codec.decode(b);
  } catch {
    return null;
  }
}

/**
 * Sends `name` to `to` and collects, within the window, the address of every server that
 * answered it (or one of `alsoAccepted`); any other reply is counted as wrong.
 */
async function collectAnswers(
  rt: Runtime,
  sock: DatagramSocket,
  to: { hostname: string; port: number },
  name: string,
  codec: TextCodec,
  windowMs: number,
  alsoAccepted: readonly string[] = [],
): Promise<{ responders: Set<string>; wrong: number }> {
  const receive = receiverOf(sock);
  const responders = new Set<string>();
  const accepted = new Set([greeting(name), ...alsoAccepted.map(greeting)]);
  let wrong = 0;
  const t0 = rt.host.now();
  await sock.send(codec.encode(name), to);
  for (;;) {
    const d = await receive(t0 + windowMs - rt.host.now());
    if (d === undefined || d === null) break;
    const text = decodeOrNull(codec, d.data);
    if (text !== null && accepted.has(text)) responders.add(d.from.hostname);
    else wrong++;
  }
  return { responders, wrong };
}

/**
 * Greets every member of a multicast group: one datagram to --group (TTL 1, this subnet),
 * then every answer within the window. Turning multicast loopback on is recorded, not judged
 * (Deno can set it only on a socket that joined a group).
 */
async function groupClient(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const codec = codecOf(options);
  const group = groupOf(options)!;
  const windowMs = Number(options.extra.replyTimeout ?? 1000);
  const name = codec.canEncode("组播") ? "组播" : "group";
  if (!rt.features.multicast) {
    checks.pass("multicast", `unsupported by ${rt.runtime} ${rt.version}`);
    return { ok: true, checks: checks.list, metrics: { responders: 0 }, output: "unsupported" };
  }
  const sock = await rt.bindDatagram({ hostname: "0.0.0.0", port: 0 });
  const info: Check[] = [];
  let result: { responders: Set<string>; wrong: number };
  try {
    for (const [label, set] of [
      ["setMulticastTTL(1)", () => sock.setMulticastTTL(1)],
      ["setMulticastLoopback(true)", () => sock.setMulticastLoopback(true)],
    ] as const) {
      let detail = "ok";
      try {
        await set();
      } catch (e) {
        detail = isNetError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      info.push({ name: label, ok: true, detail });
    }
    result = await collectAnswers(rt, sock, { hostname: group, port: options.port }, name, codec, windowMs);
  } finally {
    sock.close();
  }
  checks.expect(
    `a member of ${group} answered`,
    result.responders.size > 0,
    `no answer within ${windowMs} ms from ${group}:${options.port}`,
  );
  checks.expect("no wrong replies", result.wrong === 0, `${result.wrong} replies were not "${greeting(name)}"`);
  return {
    ok: checks.ok,
    checks: [...checks.list, ...info],
    metrics: { responders: result.responders.size },
    output: [...result.responders].sort().join(","),
  };
}

/**
 * Greets a whole subnet: one datagram to the broadcast address (--host) with SO_BROADCAST
 * on, then every answer within the window. Before that it records what the runtime does
 * with SO_BROADCAST off, because the runtimes differ there (denoland/deno#12860).
 */
async function broadcastClient(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const codec = codecOf(options);
  const windowMs = Number(options.extra.replyTimeout ?? 1000);
  const name = "subnet";
  const to = { hostname: options.host, port: options.port };
  const sock = await rt.bindDatagram({ hostname: clientBindAddress(options.host), port: 0 });
  const info: Check[] = [];
  let responders = new Set<string>();
  let wrong = 0;
  try {
    // What happens without asking for broadcast: recorded, not judged.
    let offSend: string;
    try {
      await sock.send(codec.encode("unannounced"), to);
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
    // Answers to the unannounced datagram (where it went out) count too.
    ({ responders, wrong } = await collectAnswers(rt, sock, to, name, codec, windowMs, ["unannounced"]));
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
    'UDP hello: each datagram X answered "Hello, X!"; the client retries and matches replies (--broadcast greets a subnet, --group a multicast group)',
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
    {
      flag: "--group <addr>",
      key: "group",
      type: "string",
      roles: ["server", "client"],
      description:
        "hello-udp: an IPv4 multicast group (239.x.y.z); the server joins it and answers on it (bind --host 0.0.0.0), the client sends to it and collects every member's answer",
    },
    {
      flag: "--group-interface <addr>",
      key: "groupInterface",
      type: "string",
      roles: ["server"],
      description: "hello-udp --group: the local address of the interface to join the group on (default: by route)",
    },
    ENCODING_OPTION,
  ],
  mutations: MUTATIONS,
  serve,
  client,
};
