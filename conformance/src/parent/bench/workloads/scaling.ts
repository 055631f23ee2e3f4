/** scaling: 1 and N server processes sharing one port (SO_REUSEPORT), not pinned. */
import type { BenchWorkload } from "./types.js";

export const scaling: BenchWorkload = {
  name: "scaling",
  default: false,
  summary: "SO_REUSEPORT speed-up, 1 and N server processes",
  specs: ({ p, host }) =>
    p.scalingServers.map((n) => ({
      workload: `scaling-${n}`,
      group: "scaling",
      server: { host, port: 0, role: "echo-server", reusePort: true },
      client: {
        host,
        port: 0,
        role: "conc-client",
        connections: p.scalingConnections,
        size: p.concSize,
        seconds: p.seconds,
        warmup: p.warmup,
      },
      kind: "messages",
      roles: "server",
      python: false,
      servers: n,
      pin: false,
    })),
  title: (name, p) => ({
    title: `Scaling: ${name.slice("scaling-".length)} server process(es) on one port (SO_REUSEPORT), concurrent clients echoing ${p.concSize} B messages`,
    unit: "messages/s",
  }),
  params: (name, p) => ({
    serverProcesses: Number(name.slice("scaling-".length)),
    connections: p.scalingConnections,
    messageBytes: p.concSize,
    seconds: p.seconds,
    warmupSeconds: p.warmup,
    placement: "not pinned (the servers share the CPUs with the client)",
  }),
};
