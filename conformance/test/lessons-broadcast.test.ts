/**
 * UDP broadcast, the lesson that greets a whole subnet, between two network namespaces
 * joined by a veth pair: hello-udp servers bind 0.0.0.0 in one, a `--broadcast` client in
 * the other sends to 10.213.0.255. The 10.213.0.0/24 addresses exist only inside the two
 * namespaces this test creates, and the namespaces are always deleted afterwards. Needs
 * root and iproute2; skipped with the reason otherwise.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeName } from "@netparity/protocol";
import type { AgentSpec } from "../src/in-runtime/agent-protocol.js";
import { agentCommand } from "../src/parent/runner/runtimes.js";
import { RUNTIMES } from "./helpers.js";

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasIp = spawnSync("ip", ["-V"]).status === 0;
const canNetns = isRoot && hasIp && spawnSync("ip", ["netns", "list"]).status === 0;
const reason = !isRoot ? "needs root (ip netns)" : !hasIp ? "needs iproute2 (`ip`)" : "ip netns is not available here";

const tag = `${process.pid % 100000}`;
const NS_SERVER = `np-bcast-s-${tag}`;
const NS_CLIENT = `np-bcast-c-${tag}`;
// Interface names are limited to 15 bytes.
const VETH_SERVER = `npbs${tag}`;
const VETH_CLIENT = `npbc${tag}`;
const SUBNET_BROADCAST = "10.213.0.255";

function ip(...args: string[]): void {
  const r = spawnSync("ip", args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`ip ${args.join(" ")}: ${r.stderr.trim()}`);
}

function deleteNamespaces(): void {
  // Deleting a namespace deletes the veth end inside it, and with it the pair.
  for (const ns of [NS_SERVER, NS_CLIENT]) spawnSync("ip", ["netns", "del", ns], { timeout: 10_000 });
}

/** Runs an agent inside a namespace; resolves its first JSON line. */
function agentIn(ns: string, runtime: RuntimeName, spec: AgentSpec): { child: ChildProcess; first: Promise<Record<string, unknown>> } {
  const { cmd, args } = agentCommand(runtime, spec);
  const child = spawn("ip", ["netns", "exec", ns, cmd, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d) => (err += d));
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once("line", (l) => resolve(JSON.parse(l) as Record<string, unknown>));
    child.once("close", (c) => reject(new Error(`${runtime} agent in ${ns} exited ${c}: ${err.slice(-400)}`)));
    setTimeout(() => reject(new Error(`${runtime} agent in ${ns}: no line within 20 s: ${err.slice(-400)}`)), 20_000).unref();
  });
  return { child, first };
}

function kill(child: ChildProcess | undefined): void {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

describe.skipIf(!canNetns)(`UDP broadcast between two network namespaces${canNetns ? "" : ` (skipped: ${reason})`}`, () => {
  const servers = new Map<RuntimeName, { child: ChildProcess; port: number }>();

  beforeAll(async () => {
    deleteNamespaces();
    try {
      ip("netns", "add", NS_SERVER);
      ip("netns", "add", NS_CLIENT);
      ip("link", "add", VETH_SERVER, "type", "veth", "peer", "name", VETH_CLIENT);
      ip("link", "set", VETH_SERVER, "netns", NS_SERVER);
      ip("link", "set", VETH_CLIENT, "netns", NS_CLIENT);
      ip("-n", NS_SERVER, "addr", "add", "10.213.0.1/24", "dev", VETH_SERVER);
      ip("-n", NS_CLIENT, "addr", "add", "10.213.0.2/24", "dev", VETH_CLIENT);
      for (const [ns, dev] of [[NS_SERVER, VETH_SERVER], [NS_CLIENT, VETH_CLIENT]] as const) {
        ip("-n", ns, "link", "set", "lo", "up");
        ip("-n", ns, "link", "set", dev, "up");
      }
      // One hello-udp server per runtime, each on the wildcard address so it hears broadcasts.
      await Promise.all(
        RUNTIMES.map(async (rt) => {
          const a = agentIn(NS_SERVER, rt, { role: "server", scenario: "hello-udp", transport: "udp", host: "0.0.0.0", port: 0, extra: {} });
          servers.set(rt, { child: a.child, port: 0 });
          const ready = await a.first;
          servers.set(rt, { child: a.child, port: Number(ready["port"]) });
        }),
      );
    } catch (e) {
      for (const s of servers.values()) kill(s.child);
      deleteNamespaces();
      throw e;
    }
  });

  afterAll(() => {
    for (const s of servers.values()) kill(s.child);
    deleteNamespaces();
  });

  const pairs = RUNTIMES.flatMap((s) => RUNTIMES.map((c) => [s, c] as const));
  it.each(pairs)(`server=%s client=%s: a datagram to ${SUBNET_BROADCAST} is answered from 10.213.0.1`, async (server, client) => {
    const port = servers.get(server)!.port;
    const a = agentIn(NS_CLIENT, client, {
      role: "client",
      scenario: "hello-udp",
      transport: "udp",
      host: SUBNET_BROADCAST,
      port,
      extra: { broadcast: true, replyTimeout: 400 },
      timeoutMs: 10_000,
    });
    try {
      const r = (await a.first) as { event: string; ok: boolean; output?: string; checks: Array<{ name: string; ok: boolean; detail?: string }> };
      expect(r.event).toBe("result");
      expect(r.ok, JSON.stringify(r.checks)).toBe(true);
      expect(r.output).toBe("10.213.0.1");
      // The runtimes differ with SO_BROADCAST off: recorded as data by the client.
      const before = r.checks.find((c) => c.name.startsWith("send to broadcast address before"))?.detail;
      const off = r.checks.find((c) => c.name === "setBroadcast(false)")?.detail ?? "";
      if (client === "deno") {
        // Deno sets SO_BROADCAST on every UDP socket and cannot clear it (denoland/deno#12860).
        expect(before).toBe("sent");
        expect(off).toMatch(/^ENOTSUP/);
      } else {
        // Linux refuses a broadcast send without SO_BROADCAST.
        expect(before).toBe("EACCES");
        expect(off).toBe("ok");
      }
    } finally {
      kill(a.child);
    }
  });
});
