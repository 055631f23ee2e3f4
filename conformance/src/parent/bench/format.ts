/** Short numbers and sizes for progress lines and titles, and each workload's title and unit. */

const MiB = 1024 * 1024;

export function fmt(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return v.toFixed(a >= 10 ? 0 : 2);
}

export function sizeLabel(n: number): string {
  return n >= MiB && n % MiB === 0 ? `${n / MiB} MiB` : n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`;
}

const TITLES: Record<string, { title: string; unit: string }> = {
  bulk: { title: "Bulk one-way TCP stream", unit: "bytes/s" },
  transfer: { title: "Framed transfer with sha256 verification", unit: "bytes/s" },
  echo: { title: "Echo round trips, 64 B messages, one connection", unit: "round trips/s" },
  udp: { title: "UDP request/reply (echo of a short request), 8 in flight", unit: "replies/s" },
  "tls-handshake-ecdsa": {
    title: "TLS handshakes, ECDSA P-256 certificate: new connection, full handshake, 64 B echoed, 4 in flight",
    unit: "handshakes/s",
  },
  "tls-handshake-rsa": {
    title: "TLS handshakes, RSA-2048 certificate: new connection, full handshake, 64 B echoed, 4 in flight",
    unit: "handshakes/s",
  },
  "tls-bulk": { title: "Bulk one-way TLS stream (ECDSA P-256 certificate)", unit: "bytes/s" },
  "wintertc-bulk": { title: "Bulk one-way TCP stream, client on @netparity/sockets vs the adapter", unit: "bytes/s" },
  "wintertc-echo": {
    title: "Echo round trips, 64 B messages, client on @netparity/sockets vs the adapter",
    unit: "round trips/s",
  },
};

/** Title and unit of a workload by its report name ("echo", "concurrency-1000", "decoder-64"). */
export function workloadTitle(name: string, concSize: number): { title: string; unit: string } {
  const conc = /^concurrency-(\d+)$/.exec(name);
  const dec = /^decoder-(\d+)$/.exec(name);
  return conc
    ? { title: `Concurrency: ${conc[1]} clients echoing ${concSize} B messages`, unit: "messages/s" }
    : dec
      ? { title: `Frame decoder: ${sizeLabel(Number(dec[1]))} frames in 64 KiB chunks`, unit: "frames/s" }
      : (TITLES[name] ?? { title: name, unit: "" });
}
