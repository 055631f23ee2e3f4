/** transfer: the framed transfer of wire contract v1, sha256 verified by the server. */
import type { BenchWorkload } from "./types.js";

export const transfer: BenchWorkload = {
  name: "transfer",
  default: true,
  summary: "framed transfer with sha256 verification",
  specs: ({ p, host }) => [
    {
      workload: "transfer",
      group: "transfer",
      server: { host, port: 0, role: "transfer-server" },
      client: {
        host,
        port: 0,
        role: "transfer-client",
        bytes: p.transferBytes,
        warmup: p.transferWarmup,
        size: p.frame,
      },
      kind: "bytes",
      roles: "both",
      python: false,
      apis: ["native", "node"],
    },
  ],
  title: () => ({ title: "Framed transfer with sha256 verification", unit: "bytes/s" }),
  params: (_, p) => ({ bytes: p.transferBytes, warmupBytes: p.transferWarmup, frameSize: p.frame }),
};
