/**
 * The fault proxy: placed between any client runtime and any server runtime, in the Node
 * parent process (node:net / node:dgram). `startFaultProxy` picks the stream or the
 * datagram half for the server's transport; the syntax of the faults is in spec.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FaultSpec } from "./spec.js";
import { startStreamProxy, type StreamProxyStats } from "./tcp.js";
import { startDatagramProxy, type DatagramProxyStats } from "./udp.js";

export * from "./spec.js";
export { StreamCorrupter, corruptDatagram, gapBeforeFlip, hasCorruption } from "./corrupt.js";
export { startStreamProxy, type StreamProxy, type StreamEndpoint, type StreamProxyStats } from "./tcp.js";
export { startDatagramProxy, type DatagramProxy, type DatagramProxyStats } from "./udp.js";

export type ProxyTarget =
  | { transport: "tcp" | "udp"; host: string; port: number }
  | { transport: "unix"; path: string };

export interface FaultProxy {
  /** Where the client goes instead of the server. */
  readonly target: ProxyTarget;
  stats(): StreamProxyStats | DatagramProxyStats;
  close(): Promise<void>;
}

/** Starts a proxy in front of `server` that applies `spec`, listening on the server's loopback. */
export async function startFaultProxy(server: ProxyTarget, spec: FaultSpec): Promise<FaultProxy> {
  if (server.transport === "udp") {
    const p = await startDatagramProxy({ host: server.host, port: server.port }, spec, server.host);
    return {
      target: { transport: "udp", host: p.address.host, port: p.address.port },
      stats: () => ({ ...p.stats }),
      close: () => p.close(),
    };
  }
  if (server.transport === "unix") {
    const dir = mkdtempSync(join(tmpdir(), "netparity-proxy-"));
    const path = join(dir, "proxy.sock");
    const p = await startStreamProxy({ transport: "unix", path: server.path }, spec, { transport: "unix", path });
    return {
      target: { transport: "unix", path },
      stats: () => ({ ...p.stats }),
      async close() {
        await p.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const p = await startStreamProxy({ transport: "tcp", host: server.host, port: server.port }, spec, {
    transport: "tcp",
    host: server.host,
    port: 0,
  });
  const a = p.address as { host: string; port: number };
  return {
    target: { transport: "tcp", host: a.host, port: a.port },
    stats: () => ({ ...p.stats }),
    close: () => p.close(),
  };
}
