/** udp: request/reply with a window of requests in flight, losses counted. */
import type { BenchWorkload } from "./types.js";

export const udp: BenchWorkload = {
  name: "udp",
  default: false,
  summary: "UDP request/reply rate, losses and latency",
  specs: ({ p, host }) => [
    {
      workload: "udp",
      group: "udp",
      server: { host, port: 0, role: "udp-server", udpMode: "echo" },
      client: { host, port: 0, role: "udp-client", window: p.udpWindow, seconds: p.seconds, warmup: p.warmup / 2 },
      kind: "messages",
      roles: "both",
      python: true,
    },
  ],
  title: () => ({ title: "UDP request/reply (echo of a short request), 8 in flight", unit: "replies/s" }),
  params: (_, p) => ({ window: p.udpWindow, seconds: p.seconds, lossTimeoutMs: 200 }),
};
