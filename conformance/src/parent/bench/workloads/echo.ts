/** echo: ping-pong round trips of 64 B messages on one connection, against the conformance echo server. */
import { apiNames } from "../../../in-runtime/common/apis.js";
import type { BenchWorkload } from "./types.js";

export const echo: BenchWorkload = {
  name: "echo",
  default: true,
  summary: "round trips of 64 B messages on one connection",
  specs: ({ p, host }) => [
    {
      workload: "echo",
      group: "echo",
      server: { host, port: 0, role: "echo-server" },
      client: { host, port: 0, role: "rtt-client", size: p.echoSize, seconds: p.seconds, warmup: p.warmup },
      kind: "messages",
      roles: "both",
      python: true,
      apis: apiNames(),
    },
  ],
  title: () => ({ title: "Echo round trips, 64 B messages, one connection", unit: "round trips/s" }),
  params: (_, p) => ({ messageBytes: p.echoSize, seconds: p.seconds, warmupSeconds: p.warmup }),
};
