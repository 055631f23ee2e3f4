/** tls-handshake: new connections, full handshakes, once per key type (plus openssl s_time). */
import type { KeyType } from "../../certs/generate.js";
import type { BenchWorkload } from "./types.js";

/** ECDSA P-256 and RSA-2048 cost very different signatures. */
export const HANDSHAKE_KEYS: readonly KeyType[] = ["ecdsa", "rsa"];

const CERT: Record<KeyType, string> = { ecdsa: "ECDSA P-256", rsa: "RSA-2048" };

export const tlsHandshake: BenchWorkload = {
  name: "tls-handshake",
  default: false,
  summary: "TLS handshakes/s with ECDSA and RSA certificates (about 5 minutes more)",
  keyTypes: HANDSHAKE_KEYS,
  // The same roles as echo, with the run's throwaway certificates; there is no Python TLS server.
  specs: ({ p, host, certs }) =>
    HANDSHAKE_KEYS.flatMap((k) => {
      const tls = certs[k];
      if (!tls) return [];
      return [
        {
          workload: `tls-handshake-${k}`,
          group: `tls-handshake-${k}`,
          server: { host, port: 0, role: "echo-server", tls },
          client: {
            host,
            port: 0,
            role: "handshake-client",
            tls,
            connections: p.handshakeInFlight,
            size: p.handshakeSize,
            seconds: p.seconds,
            warmup: p.warmup,
          },
          kind: "handshakes",
          roles: "both",
          python: false,
        },
      ];
    }),
  title: (name) => {
    const k = name.slice("tls-handshake-".length) as KeyType;
    return {
      title: `TLS handshakes, ${CERT[k]} certificate: new connection, full handshake, 64 B echoed, 4 in flight`,
      unit: "handshakes/s",
    };
  },
  params: (name, p) => ({
    certificate: CERT[name.slice("tls-handshake-".length) as KeyType],
    inFlight: p.handshakeInFlight,
    messageBytes: p.handshakeSize,
    seconds: p.seconds,
    warmupSeconds: p.warmup,
  }),
  order: HANDSHAKE_KEYS.map((k) => `tls-handshake-${k}`),
};
