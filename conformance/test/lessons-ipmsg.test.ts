/**
 * IPMsg (FeiQ) and multicast, the lessons that reach a whole subnet. The packet codec is
 * tested everywhere; the rest runs only between network namespaces this file creates (a
 * private 10.x.y.0/24 behind a bridge, see parent/process/netns.ts), needs root and is
 * skipped with the reason otherwise. Python peers stand for the lesson's programs.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeName } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../src/in-runtime/agent-protocol.js";
import {
  IPMSG_RECVMSG,
  LESSON_MESSAGE,
  answerTo,
  formatIpmsg,
  parseIpmsg,
  sweepAddresses,
} from "../src/in-runtime/scenarios/ipmsg.js";
import { spawnHarness, type Harness } from "../src/parent/process/harness.js";
import { SUBNET_HOST, createSubnet, netnsSupport, type Subnet } from "../src/parent/process/netns.js";
import { startAgent, type AgentProcess } from "../src/parent/runner/agent-process.js";
import { FULL_MATRIX, RUNTIMES, lazyMatrix, matrixPairs } from "./helpers.js";
import { PEERS, hasPython } from "./peer-helpers.js";

describe("IPMsg packets", () => {
  it("parses the lesson's packet; command 32 (no SENDCHECKOPT) gets no answer", () => {
    const p = parseIpmsg(`1:12345:user:host:32:${LESSON_MESSAGE}`);
    expect(p).toEqual({
      version: 1,
      packetNo: "12345",
      user: "user",
      host: "host",
      command: 32,
      message: LESSON_MESSAGE,
    });
    expect(answerTo(p!, { packetNo: "9", user: "u", host: "h" })).toBeNull();
  });

  it("keeps colons in the message, splits the extended section at NUL, and round-trips", () => {
    const p = parseIpmsg("1:7:a:b:288:meet at 3:30\0ext:x");
    expect(p).toMatchObject({ command: 288, message: "meet at 3:30", extra: "ext:x" });
    expect(formatIpmsg(p!)).toBe("1:7:a:b:288:meet at 3:30\0ext:x");
    // 288 = IPMSG_SENDMSG | IPMSG_SENDCHECKOPT: answered RECVMSG with the packet number.
    expect(answerTo(p!, { packetNo: "8", user: "u", host: "h" })).toMatchObject({
      command: IPMSG_RECVMSG,
      message: "7",
    });
  });

  it("rejects what is not a packet", () => {
    for (const bad of ["", "hello", "1:2:3:4", "x:1:u:h:32:m", "1:2:u:h:thirty-two:m"])
      expect(parseIpmsg(bad)).toBeNull();
  });

  it("a sweep is one /24: 254 host addresses, nothing wider", () => {
    const a = sweepAddresses("10.9.8.0/24");
    expect(a).toHaveLength(254);
    expect([a[0], a[253]]).toEqual(["10.9.8.1", "10.9.8.254"]);
    expect(() => sweepAddresses("10.9.0.0/16")).toThrow(/\/24/);
  });
});

const support = netnsSupport();
const canRun = support.ok && hasPython;
const why = !support.ok ? support.reason : "needs python3";

describe.skipIf(!canRun)(`IPMsg and multicast between network namespaces${canRun ? "" : ` (skipped: ${why})`}`, () => {
  let net: Subnet;
  let pyReceiver: Harness<Record<string, unknown>> | undefined;
  const prefix = (): string => net.cidr.replace(/\.0\/24$/, "");

  beforeAll(async () => {
    net = createSubnet(3);
    // The lesson's other end on host 3: a Python receiver on port 2425.
    pyReceiver = spawnHarness("python3", [join(PEERS, "ipmsg_receiver.py"), "--port", "2425"], {
      wrap: { netns: net.hosts[2]!.netns },
      detached: true,
    });
    const ready = await pyReceiver.next(10_000, "port line");
    expect(ready).toMatchObject({ port: 2425 });
  });

  afterAll(() => {
    pyReceiver?.kill();
    net?.remove();
  });

  function agentOn(host: number, runtime: RuntimeName, spec: AgentSpec): AgentProcess {
    return startAgent(runtime, spec, {}, { wrap: { netns: net.hosts[host]!.netns }, detached: true });
  }

  async function first(a: AgentProcess): Promise<AgentEvent> {
    const e = await a.next(20_000, "line");
    if (!e) throw new Error(`${a.name} exited ${await a.exited}: ${a.stderr().slice(-400)}`);
    return e;
  }

  function pythonOn(host: number, script: string, args: string[]) {
    const r = spawnSync("ip", ["netns", "exec", net.hosts[host]!.netns, "python3", join(PEERS, script), ...args], {
      encoding: "utf8",
      timeout: 30_000,
    });
    return { code: r.status, out: r.stdout + r.stderr, json: JSON.parse(r.stdout || "{}") as Record<string, unknown> };
  }

  for (const runtime of RUNTIMES) {
    it(`${runtime} receiver on port 2425: the lesson's Python sweep in gbk is acknowledged with SENDCHECKOPT, not without`, async () => {
      const receiver = agentOn(0, runtime, {
        role: "server",
        scenario: "ipmsg",
        transport: "udp",
        host: "0.0.0.0",
        port: 2425,
        extra: { encoding: "gbk" },
      });
      try {
        expect(await first(receiver)).toMatchObject({ event: "listening", port: 2425 });
        const checked = pythonOn(1, "ipmsg_sender.py", [prefix(), "2425", "--sendcheck"]);
        expect(checked.code, checked.out).toBe(0);
        // Host 1 (ours) and host 3 (the Python receiver) answered, each with its own packet number.
        expect(Object.keys(checked.json.acks as object).sort()).toEqual([net.hosts[0]!.address, net.hosts[2]!.address]);
        const plain = pythonOn(1, "ipmsg_sender.py", [prefix(), "2425"]);
        expect(plain.code, plain.out).toBe(0);
        expect(plain.json.acks).toEqual({});
      } finally {
        await receiver.stop();
      }
    });

    it(`${runtime} sender sweeps the /24 in gbk: the Python receiver acknowledges, the checks pass`, async () => {
      const sender = agentOn(1, runtime, {
        role: "client",
        scenario: "ipmsg",
        transport: "udp",
        host: net.hosts[2]!.address,
        port: 2425,
        extra: { subnet: net.cidr, encoding: "gbk", rate: 500 },
        timeoutMs: 30_000,
      });
      try {
        const r = await first(sender);
        if (r.event !== "result") throw new Error(JSON.stringify(r));
        expect(r.ok, JSON.stringify(r.checks)).toBe(true);
        expect(r.output).toBe(net.hosts[2]!.address);
        expect(r.metrics).toMatchObject({ swept: 254, receivers: 1 });
      } finally {
        await sender.stop();
      }
    });
  }

  /** The multicast clients of a server: the next runtime (each once server, once client), or every one. */
  const clientsOf = (server: RuntimeName): RuntimeName[] =>
    FULL_MATRIX ? RUNTIMES : [RUNTIMES[(RUNTIMES.indexOf(server) + 1) % RUNTIMES.length]!];

  describe.each(RUNTIMES)("hello-udp --group 239.77.1.1, %s server", (server) => {
    let agent: AgentProcess;
    let port = 0;
    beforeAll(async () => {
      agent = agentOn(0, server, {
        role: "server",
        scenario: "hello-udp",
        transport: "udp",
        host: "0.0.0.0",
        port: 0,
        extra: { group: "239.77.1.1" },
      });
      const ready = await first(agent);
      if (ready.event !== "listening") throw new Error(JSON.stringify(ready));
      port = ready.port ?? 0;
    });
    afterAll(async () => {
      await agent?.stop();
    });
    it.each(clientsOf(server))(`client %s on another host greets the group and hears the member`, async (client) => {
      const c = agentOn(1, client, {
        role: "client",
        scenario: "hello-udp",
        transport: "udp",
        host: "239.77.1.1",
        port,
        extra: { group: "239.77.1.1", replyTimeout: 800 },
        timeoutMs: 20_000,
      });
      try {
        const r = await first(c);
        if (r.event !== "result") throw new Error(JSON.stringify(r));
        expect(r.ok, JSON.stringify(r.checks)).toBe(true);
        expect(r.output).toBe(net.hosts[0]!.address);
      } finally {
        await c.stop();
      }
    });
  });
});

describe.skipIf(!support.ok)(`ipmsg in the matrix (${support.ok ? "root" : `skipped: ${why}`})`, () => {
  const matrix = lazyMatrix({
    scenarios: ["ipmsg"],
    transports: ["udp"],
    hosts: ["127.0.0.1"],
    pairs: () => matrixPairs(0),
  });
  it(`runs only on the subnet: the ${FULL_MATRIX ? "9 pairs" : "smoke pairs"} pass`, async () => {
    const { cells } = await matrix();
    expect(cells.map((c) => `${c.server}->${c.client}`).sort()).toEqual(
      matrixPairs(0)
        .map(([s, c]) => `${s}->${c}`)
        .sort(),
    );
    for (const c of cells) {
      expect(c.host).toBe(SUBNET_HOST);
      expect(c.status, `${c.server}->${c.client}: ${c.reason}`).toBe("pass");
      expect(c.metrics).toMatchObject({ swept: 254, receivers: 1 });
    }
  }, 300_000);
});

// The udp.multicast-* probes inside a namespace of their own are `npm run conformance`'s: a
// default run (as root) compares each runtime's outcome with its expectation entry.
