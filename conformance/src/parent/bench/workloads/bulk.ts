/** bulk: one TCP stream one way into a sink that answers the byte count (plus iperf3, the loopback limit). */
import { apiNames } from "../../../in-runtime/common/apis.js";
import type { BenchWorkload } from "./types.js";

export const WRITE_SIZE = 256 * 1024;

export const bulk: BenchWorkload = {
  name: "bulk",
  default: true,
  summary: "one TCP stream one way, against iperf3 over loopback",
  // Every API: a client-only one (wintertc; workerd's client) measures its client end.
  specs: ({ p, host }) => [
    {
      workload: "bulk",
      group: "bulk",
      server: { host, port: 0, role: "sink-server" },
      client: { host, port: 0, role: "bulk-client", bytes: p.bulkBytes, warmup: p.bulkWarmup },
      kind: "bytes",
      roles: "both",
      python: true,
      apis: apiNames(),
    },
  ],
  title: () => ({ title: "Bulk one-way TCP stream", unit: "bytes/s" }),
  params: (_, p) => ({ bytes: p.bulkBytes, warmupBytes: p.bulkWarmup, writeSize: WRITE_SIZE }),
};
