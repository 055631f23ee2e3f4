/**
 * IPMsg (IP Messenger; FeiQ speaks it too), the lesson that sends one message to port 2425 of
 * every address of a /24. A packet is text: `version:packetNo:user:host:command:message`,
 * where `command` is a decimal number whose low byte is the mode (IPMSG_SENDMSG = 0x20) and
 * whose upper bits are options (IPMSG_SENDCHECKOPT = 0x100: "tell me you got it"). After the
 * fifth colon everything up to a NUL is the message (colons included); what follows a NUL is
 * the protocol's extended section. The receiver of a SENDMSG with SENDCHECKOPT answers
 * IPMSG_RECVMSG (0x21) whose message is the received packet number, as the IP Messenger
 * protocol defines (ipmsg.h, "IP Messenger communication protocol"). The lesson's own
 * packet, `1:12345:user:host:32:您好，欢迎进入飞秋` in gbk, has no SENDCHECKOPT and gets no answer.
 *
 * Server (the receiver): every packet that parses and whose text is valid in --encoding is
 * logged; a SENDMSG with SENDCHECKOPT is acknowledged. Anything else is logged and not
 * answered.
 *
 * Client (the sender): with `--subnet 10.a.b.0/24` it sweeps the /24 as the lesson does (every
 * host address but its own, at most 254 datagrams, at --rate per second) with SENDCHECKOPT
 * set, and collects the acknowledgements; then, with each receiver found (or with --host
 * without --subnet), it checks the protocol: a message with colons and an extended section
 * is acknowledged with its own packet number, the lesson's packet without SENDCHECKOPT and
 * a malformed one are not answered. The sweep belongs on a subnet of network namespaces (the
 * runner makes one): never point it at a real network.
 */
import { NetError, isNetError, type NetAddress, type Runtime } from "@netparity/protocol";
import { sleep } from "../common/timing.js";
import { clientBindAddress } from "./echo.js";
import { ENCODING_OPTION, codecOf, type TextCodec } from "./text-codec.js";
import {
  Checks,
  mutationOf,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";
import { receiverOf, serveDatagrams } from "./udp-util.js";

export const IPMSG_VERSION = 1;
export const IPMSG_DEFAULT_PORT = 2425;
export const IPMSG_SENDMSG = 0x20;
export const IPMSG_RECVMSG = 0x21;
export const IPMSG_SENDCHECKOPT = 0x100;
/** The lesson's message: "Hello, welcome to FeiQ". */
export const LESSON_MESSAGE = "您好，欢迎进入飞秋";

export interface IpmsgPacket {
  version: number;
  packetNo: string;
  user: string;
  host: string;
  command: number;
  /** The message (additional section) up to the first NUL. */
  message: string;
  /** What follows the first NUL (the extended section), or undefined. */
  extra?: string;
}

/** The mode of a command (its low byte), e.g. IPMSG_SENDMSG. */
export const modeOf = (command: number): number => command & 0xff;

/**
 * Parses one packet's text; null when it is not `version:packetNo:user:host:command:...`
 * with a numeric version, packet number and command.
 * @example parseIpmsg("1:12345:user:host:32:您好") // { version: 1, packetNo: "12345", command: 32, message: "您好", ... }
 */
export function parseIpmsg(text: string): IpmsgPacket | null {
  const fields: string[] = [];
  let at = 0;
  for (let i = 0; i < 5; i++) {
    const colon = text.indexOf(":", at);
    if (colon < 0) return null;
    fields.push(text.slice(at, colon));
    at = colon + 1;
  }
  const [version, packetNo, user, host, command] = fields as [string, string, string, string, string];
  if (!/^\d{1,9}$/.test(version) || !/^\d{1,20}$/.test(packetNo) || !/^\d{1,10}$/.test(command)) return null;
  const rest = text.slice(at);
  const nul = rest.indexOf("\0");
  return {
    version: Number(version),
    packetNo,
    user,
    host,
    command: Number(command),
    message: nul < 0 ? rest : rest.slice(0, nul),
    ...(nul < 0 ? {} : { extra: rest.slice(nul + 1) }),
  };
}

/** The packet's text (the inverse of parseIpmsg). */
export function formatIpmsg(p: IpmsgPacket): string {
  return `${p.version}:${p.packetNo}:${p.user}:${p.host}:${p.command}:${p.message}${p.extra === undefined ? "" : `\0${p.extra}`}`;
}

/** The receiver's answer to `p`: RECVMSG with its packet number when it asked for one, else null. */
export function answerTo(p: IpmsgPacket, self: { packetNo: string; user: string; host: string }): IpmsgPacket | null {
  if (modeOf(p.command) !== IPMSG_SENDMSG || (p.command & IPMSG_SENDCHECKOPT) === 0) return null;
  return { version: IPMSG_VERSION, ...self, command: IPMSG_RECVMSG, message: p.packetNo };
}

const MUTATIONS = {
  "wrong-ack": "the receiver acknowledges with a packet number one higher than the one it received",
} as const;

function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const codec = codecOf(options);
  const wrongAck = mutationOf(options, "ipmsg", MUTATIONS) === "wrong-ack";
  let packetNo = Math.floor(Date.now() / 1000);
  const self = { user: "netparity", host: rt.runtime };
  return serveDatagrams(rt, options, log, (d) => {
    let text: string;
    try {
      text = codec.decode(d.data);
    } catch {
      log(
        `ipmsg from ${d.from.hostname}:${d.from.port}: ${d.data.byteLength} bytes that are not ${codec.name}; ignored`,
      );
      return null;
    }
    const p = parseIpmsg(text);
    if (!p) {
      log(`ipmsg from ${d.from.hostname}:${d.from.port}: not an IPMsg packet: ${JSON.stringify(text.slice(0, 60))}`);
      return null;
    }
    log(
      `ipmsg from ${p.user}@${p.host} (${d.from.hostname}) #${p.packetNo} command 0x${p.command.toString(16)}: ${JSON.stringify(p.message.slice(0, 80))}`,
    );
    const answer = answerTo(p, { ...self, packetNo: String(++packetNo) });
    if (answer && wrongAck) answer.message = String(BigInt(answer.message) + 1n);
    return answer ? codec.encode(formatIpmsg(answer)) : null;
  });
}

/** The host addresses of an IPv4 /24 ("10.1.2.0/24" → 10.1.2.1 … 10.1.2.254). */
export function sweepAddresses(cidr: string): string[] {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}\/24$/.exec(cidr);
  if (!m || m.slice(1).some((o) => Number(o) > 255))
    throw new NetError("EINVAL", `--subnet must be an IPv4 /24 such as 10.1.2.0/24, not ${cidr}`);
  return Array.from({ length: 254 }, (_, i) => `${m[1]}.${m[2]}.${m[3]}.${i + 1}`);
}

const DEFAULT_RATE = 200;

interface Sent {
  packetNo: string;
  to: string;
}

async function client(rt: Runtime, options: RoleOptions, log: Logger): Promise<ClientResult> {
  const checks = new Checks();
  const codec = codecOf(options);
  const windowMs = Number(options.extra.replyTimeout ?? 1000);
  const rate = Math.min(1000, Math.max(1, Number(options.extra.rate ?? DEFAULT_RATE)));
  const subnet = typeof options.extra.subnet === "string" ? options.extra.subnet : undefined;
  const port = options.port || IPMSG_DEFAULT_PORT;
  const sock = await rt.bindDatagram({ hostname: subnet ? "0.0.0.0" : clientBindAddress(options.host), port: 0 });
  const receive = receiverOf(sock);
  const user = "netparity";
  const hostName = `${rt.runtime}-sender`;
  let seq = Math.floor(Date.now() / 1000) * 1000;
  const packet = (command: number, message: string, extra?: string): IpmsgPacket => ({
    version: IPMSG_VERSION,
    packetNo: String(++seq),
    user,
    host: hostName,
    command,
    message,
    ...(extra === undefined ? {} : { extra }),
  });
  const metrics: Record<string, number> = {};
  let receivers: string[] = [];
  try {
    if (subnet) {
      const targets = sweepAddresses(subnet);
      const sent: Sent[] = [];
      let sendErrors = 0;
      const t0 = rt.host.now();
      const acks = new Map<string, string[]>();
      const wrong: string[] = [];
      let deadline = Number.POSITIVE_INFINITY;
      // The acknowledgements are read while the sweep goes on, so none waits in a full queue.
      const collector = collect(receive, codec, acks, wrong, () => rt.host.now() < deadline);
      for (let i = 0; i < targets.length; i++) {
        const to = targets[i]!;
        const p = packet(IPMSG_SENDMSG | IPMSG_SENDCHECKOPT, LESSON_MESSAGE);
        sent.push({ packetNo: p.packetNo, to });
        // A host that does not exist fails only in the kernel (ARP); a send error is counted.
        await sock.send(codec.encode(formatIpmsg(p)), { hostname: to, port }).catch((e: unknown) => {
          sendErrors++;
          if (sendErrors <= 3) log(`send to ${to}: ${isNetError(e) ? e.code : String(e)}`);
        });
        const due = t0 + ((i + 1) * 1000) / rate;
        const wait = due - rt.host.now();
        if (wait > 0) await sleep(wait);
      }
      deadline = rt.host.now() + windowMs;
      await collector;
      metrics.swept = targets.length;
      metrics.sendErrors = sendErrors;
      metrics.sweepMs = Math.round(rt.host.now() - t0);
      const bad: string[] = [...wrong];
      for (const [from, numbers] of acks) {
        const mine = sent.find((s) => s.to === from);
        if (!mine) bad.push(`${from} answered but was not swept`);
        else if (!numbers.every((n) => n === mine.packetNo))
          bad.push(`${from} acknowledged ${numbers.join(",")} for packet ${mine.packetNo}`);
      }
      receivers = [...acks.keys()].sort(compareAddresses);
      metrics.receivers = receivers.length;
      checks.expect(
        `sweep of ${subnet}: a receiver acknowledged with IPMSG_RECVMSG`,
        receivers.length > 0,
        `no IPMSG_RECVMSG within ${windowMs} ms after ${targets.length} datagrams to port ${port}`,
      );
      checks.expect(
        "every acknowledgement names the packet sent to that host",
        bad.length === 0,
        bad.slice(0, 5).join("; "),
      );
    } else {
      receivers = [options.host];
    }
    for (const r of receivers) await exchange(r);
  } finally {
    sock.close();
  }
  return { ok: checks.ok, checks: checks.list, metrics, output: receivers.join(",") };

  /** The protocol checks against one receiver. */
  async function exchange(to: string): Promise<void> {
    const target = { hostname: to, port };
    const checked = packet(IPMSG_SENDMSG | IPMSG_SENDCHECKOPT, "会议改到3:30: 请回复", "extended section");
    const acks = await ask(target, checked, windowMs);
    checks.expect(
      `${to}: SENDMSG|SENDCHECKOPT with colons and an extended section acknowledged with its packet number`,
      acks.length > 0 && acks.every((a) => a.command === IPMSG_RECVMSG && a.message === checked.packetNo),
      acks.length === 0
        ? `no answer within ${windowMs} ms`
        : `answers: ${acks.map((a) => `command ${a.command} message ${JSON.stringify(a.message)}`).join("; ")}`,
    );
    const lesson = packet(IPMSG_SENDMSG, LESSON_MESSAGE);
    const quiet = await ask(target, lesson, Math.min(windowMs, 500));
    checks.expect(
      `${to}: the lesson's packet (command 32, no SENDCHECKOPT) is not answered`,
      quiet.length === 0,
      `answered: ${quiet.map((a) => formatIpmsg(a)).join("; ")}`,
    );
    const junk = await askRaw(target, codec.encode("not an ipmsg packet"), Math.min(windowMs, 500));
    checks.expect(`${to}: a malformed packet is not answered`, junk === 0, `${junk} answers`);
  }

  /**
   * Sends to a receiver that answered the sweep. A sweep leaves ARP failures for the absent
   * hosts of the /24 behind, and a runtime may report such an earlier "host unreachable" on a
   * later send to another address (EHOSTUNREACH; seen with a Bun 1.4.5 client, intermittently):
   * an error that is not about `to`, so the send is repeated, at most 3 times, each one logged.
   */
  async function sendTo(bytes: Uint8Array, to: { hostname: string; port: number }): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await sock.send(bytes, to);
        return;
      } catch (e) {
        if (attempt >= 4 || !isNetError(e, "EHOSTUNREACH")) throw e;
        metrics.deferredUnreachable = (metrics.deferredUnreachable ?? 0) + 1;
        log(`send to ${to.hostname}: EHOSTUNREACH left by the sweep (a host that does not exist), sent again`);
      }
    }
  }

  /** Sends `p` and returns the packets that came back from `to` within `ms` (retrying once without one). */
  async function ask(to: { hostname: string; port: number }, p: IpmsgPacket, ms: number): Promise<IpmsgPacket[]> {
    const out: IpmsgPacket[] = [];
    for (let attempt = 0; attempt < 2 && out.length === 0; attempt++) {
      await sendTo(codec.encode(formatIpmsg(p)), to);
      const until = rt.host.now() + ms;
      for (;;) {
        const d = await receive(until - rt.host.now());
        if (!d) break;
        if (!sameHost(d.from, to.hostname)) continue;
        let parsed: IpmsgPacket | null = null;
        try {
          parsed = parseIpmsg(codec.decode(d.data));
        } catch {
          // counted as a malformed answer below
        }
        out.push(parsed ?? { ...p, command: -1, message: "<malformed answer>" });
      }
      if ((p.command & IPMSG_SENDCHECKOPT) === 0) break; // nothing to wait for: one try
    }
    return out;
  }

  async function askRaw(to: { hostname: string; port: number }, bytes: Uint8Array, ms: number): Promise<number> {
    await sendTo(bytes, to);
    let n = 0;
    const until = rt.host.now() + ms;
    for (;;) {
      const d = await receive(until - rt.host.now());
      if (!d) break;
      if (sameHost(d.from, to.hostname)) n++;
    }
    return n;
  }
}

/** Reads acknowledgements into `acks` (sender address → packet numbers) while `more()`. */
async function collect(
  receive: (ms: number) => Promise<{ data: Uint8Array; from: NetAddress } | null | undefined>,
  codec: TextCodec,
  acks: Map<string, string[]>,
  wrong: string[],
  more: () => boolean,
): Promise<void> {
  while (more()) {
    const d = await receive(100);
    if (d === null) return;
    if (d === undefined) continue;
    let p: IpmsgPacket | null = null;
    try {
      p = parseIpmsg(codec.decode(d.data));
    } catch {
      // not text in this encoding
    }
    if (!p || p.command !== IPMSG_RECVMSG) {
      wrong.push(`${d.from.hostname} sent ${d.data.byteLength} bytes that are not an IPMSG_RECVMSG`);
      continue;
    }
    const list = acks.get(d.from.hostname) ?? [];
    list.push(p.message);
    acks.set(d.from.hostname, list);
  }
}

function sameHost(from: NetAddress, hostname: string): boolean {
  return from.hostname === hostname || from.hostname === `::ffff:${hostname}`;
}

function compareAddresses(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < 4; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

export const ipmsg: Scenario = {
  name: "ipmsg",
  summary:
    "IPMsg/FeiQ over UDP: the receiver acknowledges SENDMSG|SENDCHECKOPT with RECVMSG; the sender sweeps a /24 (namespaces only)",
  transports: ["udp"],
  subnet: true,
  options: [
    {
      flag: "--subnet <cidr>",
      key: "subnet",
      type: "string",
      roles: ["client"],
      description:
        "ipmsg: sweep this IPv4 /24 (e.g. 10.1.2.0/24) as the lesson does, one SENDMSG to --port of every host address; only on a private test subnet",
    },
    {
      flag: "--rate <n>",
      key: "rate",
      type: "int",
      roles: ["client"],
      description: `ipmsg --subnet: datagrams per second of the sweep (default ${DEFAULT_RATE}, at most 1000)`,
    },
    ENCODING_OPTION,
  ],
  mutations: MUTATIONS,
  serve,
  client,
};
