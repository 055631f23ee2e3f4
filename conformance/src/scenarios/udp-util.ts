import { isNetError, withTimeout, type Datagram, type DatagramSocket } from "@netparity/protocol";

/**
 * `receive()` with a deadline that keeps the one pending receive across timeouts: adapters
 * allow a single pending receive, so a timed-out one must be the one awaited next time.
 */
export function receiverOf(sock: DatagramSocket): (ms: number) => Promise<Datagram | null | undefined> {
  let pending: Promise<Datagram | null> | undefined;
  return async (ms) => {
    const p = (pending ??= sock.receive());
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
