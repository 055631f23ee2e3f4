/** tls-bulk: bulk's roles over TLS with the run's ECDSA certificate. */
import { WRITE_SIZE } from "./bulk.js";
import type { BenchWorkload } from "./types.js";

export const tlsBulk: BenchWorkload = {
  name: "tls-bulk",
  default: true,
  summary: "one TLS stream one way",
  keyTypes: ["ecdsa"],
  specs: ({ p, host, certs }) =>
    certs.ecdsa
      ? [
          {
            workload: "tls-bulk",
            group: "tls-bulk",
            server: { host, port: 0, role: "sink-server", tls: certs.ecdsa },
            client: {
              host,
              port: 0,
              role: "bulk-client",
              tls: certs.ecdsa,
              bytes: p.tlsBulkBytes,
              warmup: p.tlsBulkWarmup,
            },
            kind: "bytes",
            roles: "both",
            python: false,
          },
        ]
      : [],
  title: () => ({ title: "Bulk one-way TLS stream (ECDSA P-256 certificate)", unit: "bytes/s" }),
  params: (_, p) => ({
    bytes: p.tlsBulkBytes,
    warmupBytes: p.tlsBulkWarmup,
    writeSize: WRITE_SIZE,
    certificate: "ECDSA P-256",
  }),
};
