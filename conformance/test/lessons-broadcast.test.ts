/**
 * UDP broadcast, the lesson that greets a whole subnet, between two network namespaces
 * joined by a veth pair: hello-udp servers bind 0.0.0.0 in one, a `--broadcast` client in
 * the other sends to 10.213.0.255. The 10.213.0.0/24 addresses exist only inside the two
 * namespaces this test creates, and the namespaces are always deleted afterwards. Needs
 * root and iproute2; skipped with the reason otherwise.
 */
import { spawnSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeName } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../src/in-runtime/agent-protocol.js";
import { startAgent, type AgentProcess } from "../src/parent/runner/agent-process.js";
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

/** Runs an agent inside a namespace (`ip netns exec` execs, so the agent keeps the PID). */
function agentIn(ns: string, runtime: RuntimeName, spec: AgentSpec): AgentProcess {
  return startAgent(runtime, spec, {}, { wrap: { netns: ns }, name: `${runtime} agent in ${ns}` });
}

/** The agent's first JSON line; rejects when it exits first or gives none within 20 s. */
async function first(a: AgentProcess): Promise<AgentEvent> {
  const e = await a.next(20_000, "line");
  if (!e) throw new Error(`${a.name} exited ${await a.exited}: ${a.stderr().slice(-400)}`);
  return e;
}

describe.skipIf(!canNetns)(
  `UDP broadcast between two network namespaces${canNetns ? "" : ` (skipped: ${reason})`}`,
  () => {
    const servers = new Map<RuntimeName, { agent: AgentProcess; port: number }>();

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
        for (const [ns, dev] of [
          [NS_SERVER, VETH_SERVER],
          [NS_CLIENT, VETH_CLIENT],
        ] as const) {
          ip("-n", ns, "link", "set", "lo", "up");
          ip("-n", ns, "link", "set", dev, "up");
        }
        // One hello-udp server per runtime, each on the wildcard address so it hears broadcasts.
        await Promise.all(
          RUNTIMES.map(async (rt) => {
            const a = agentIn(NS_SERVER, rt, {
              role: "server",
              scenario: "hello-udp",
              transport: "udp",
              host: "0.0.0.0",
              port: 0,
              extra: {},
            });
            servers.set(rt, { agent: a, port: 0 });
            const ready = await first(a);
            servers.set(rt, { agent: a, port: ready.event === "listening" ? (ready.port ?? 0) : 0 });
          }),
        );
      } catch (e) {
        for (const s of servers.values()) s.agent.kill();
        deleteNamespaces();
        throw e;
      }
    });

    afterAll(() => {
      for (const s of servers.values()) s.agent.kill();
      deleteNamespaces();
    });

    const pairs = RUNTIMES.flatMap((s) => RUNTIMES.map((c) => [s, c] as const));
    it.each(pairs)(
      `server=%s client=%s: a datagram to ${SUBNET_BROADCAST} is answered from 10.213.0.1`,
      async (server, client) => {
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
          const r = await first(a);
          if (r.event !== "result") throw new Error(`expected a result, got ${JSON.stringify(r)}`);
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
          a.kill();
        }
      },
    );
  },
);
