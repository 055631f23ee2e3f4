import { isNetError, type Datagram, type DatagramSocket, type Runtime } from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import type { Logger, RoleOptions, RunningServer } from "./types.js";

/**
 * The request/reply UDP server loop shared by echo, time and hello-udp: each datagram gets
 * the reply `answer` returns (none for null), sent to the sender's address. A failed send
 * is logged, never fatal.
 */
export async function serveDatagrams(
  rt: Runtime,
  options: RoleOptions,
  log: Logger,
  answer: (d: Datagram) => Uint8Array | null,
  setup?: (sock: DatagramSocket) => Promise<void>,
): Promise<RunningServer> {
  const sock = await rt.bindDatagram({ hostname: options.host, port: options.port });
  try {
    await setup?.(sock);
  } catch (e) {
    sock.close();
    throw e;
  }
  const loop = (async () => {
    for (;;) {
      const d = await sock.receive();
      if (!d) return;
      const reply = answer(d);
      if (reply === null) continue;
      await sock
        .send(reply, d.from)
        .catch((e: unknown) => log(`udp reply to ${d.from.hostname}:${d.from.port}: ${String(e)}`));
    }
  })();
  return {
    address: sock.address,
    async stop() {
      sock.close();
      await loop;
    },
  };
}

/**
 * `receive()` with a deadline that keeps the one pending receive across timeouts: adapters
 * allow a single pending receive, so a timed-out one must be the one awaited next time.
 */
export function receiverOf(sock: DatagramSocket): (ms: number) => Promise<Datagram | null | undefined> {
  let pending: Promise<Datagram | null> | undefined;
  return async (ms) => {
    pending ??= sock.receive();
    const p = pending;
    try {
      const d = await withTimeout(p, Math.max(1, ms), "udp reply");
      pending = undefined;
      return d;
    } catch (e) {
      if (isNetError(e, "ETIMEDOUT") && pending === p) return undefined;
      pending = undefined;
      throw e;
    }
  };
}
