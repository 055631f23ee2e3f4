/** idle-memory: the server's RSS per idle connection, 1 000 and 10 000 held open. */
import type { BenchWorkload } from "./types.js";

export const idleMemory: BenchWorkload = {
  name: "idle-memory",
  default: false,
  summary: "server RSS per idle connection, 1 000 and 10 000 held open",
  specs: ({ p, host }) =>
    p.idleLevels.map((n) => ({
      workload: `idle-memory-${n}`,
      group: "idle-memory",
      // No idle deadline and room for every connection: the adapter's server defaults would close them.
      server: { host, port: 0, role: "echo-server", maxConnections: n + 1024, idleTimeoutMs: 0 },
      client: { host, port: 0, role: "idle-client", connections: n, seconds: p.idleHoldSeconds },
      kind: "idle",
      roles: "server",
      python: false,
      fixedPeer: {
        runtime: "node",
        impl: "adapter",
        reason: "memory, not speed, is measured: the client only holds connections open",
      },
    })),
  title: (name) => ({
    title: `Idle memory: ${name.slice("idle-memory-".length)} idle connections held open`,
    unit: "bytes RSS/connection",
  }),
  params: (name, p) => ({ connections: Number(name.slice("idle-memory-".length)), holdSeconds: p.idleHoldSeconds }),
  lowerIsBetter: true,
};
