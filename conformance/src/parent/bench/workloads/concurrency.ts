/** concurrency: N clients echoing at once against each runtime's server (10 and 1000 with --quick). */
import type { BenchWorkload } from "./types.js";

export const concurrency: BenchWorkload = {
  name: "concurrency",
  default: true,
  summary: "1 to 1000 clients echoing against one server",
  specs: ({ p, host }) =>
    p.concLevels.map((n) => ({
      workload: `concurrency-${n}`,
      group: "concurrency",
      server: { host, port: 0, role: "echo-server" },
      client: {
        host,
        port: 0,
        role: "conc-client",
        connections: n,
        size: p.concSize,
        seconds: p.seconds,
        warmup: p.warmup,
      },
      kind: "messages",
      roles: "server",
      python: true,
      apis: ["native", "node"],
    })),
  title: (name, p) => ({
    title: `Concurrency: ${name.slice("concurrency-".length)} clients echoing ${p.concSize} B messages`,
    unit: "messages/s",
  }),
  params: (_, p) => ({ messageBytes: p.concSize, seconds: p.seconds, warmupSeconds: p.warmup }),
};
