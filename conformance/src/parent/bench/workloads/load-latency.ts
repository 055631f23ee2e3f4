/** load-latency: the closed-loop maximum, then fixed offered rates below it (wrk2-style latency). */
import type { BenchWorkload } from "./types.js";

export const loadLatency: BenchWorkload = {
  name: "load-latency",
  default: false,
  summary: "latency at 25/50/75 % of the closed-loop maximum (wrk2-style)",
  specs: ({ p, host }) => [
    {
      workload: "load-latency",
      group: "load-latency",
      server: { host, port: 0, role: "echo-server" },
      client: {
        host,
        port: 0,
        role: "load-client",
        connections: p.loadConnections,
        size: p.echoSize,
        seconds: p.seconds,
        warmup: p.warmup,
        fractions: p.loadFractions,
      },
      kind: "load",
      roles: "server",
      python: false,
      peerImpl: "adapter",
    },
  ],
  title: () => ({
    title:
      "Latency under load: 16 echo connections, the closed-loop maximum, then 25/50/75 % of it offered at a fixed rate (wrk2-style, coordinated omission corrected)",
    unit: "max requests/s",
  }),
  params: (_, p) => ({
    connections: p.loadConnections,
    messageBytes: p.echoSize,
    offeredFractionsOfMax: p.loadFractions.join(" "),
    secondsPerPhase: p.seconds,
  }),
};
