/**
 * The datagram half of the fault proxy, in the Node parent process. Clients send to the
 * proxy's socket; each client address gets its own upstream socket towards the server, so
 * replies find their way back. Every datagram, in either direction, may be dropped, cut
 * short, duplicated, held back behind the next one, or delayed; every choice comes from one
 * seeded Prng, so the same traffic meets the same faults again.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { Prng } from "@netparity/protocol";
import { corruptDatagram } from "./corrupt.js";
import type { FaultSpec } from "./spec.js";

export interface DatagramProxyStats {
  datagrams: number;
  dropped: number;
  duplicated: number;
  reordered: number;
  truncated: number;
  /** Datagrams with one bit flipped (`corrupt=P`). */
  corrupted: number;
}

export interface DatagramProxy {
  readonly address: { host: string; port: number };
  readonly stats: DatagramProxyStats;
  close(): Promise<void>;
}

/** A held-back datagram goes out after the next one, or after this long without one. */
const REORDER_HOLD_MS = 30;
/** Client addresses remembered at once (each has an upstream socket). */
const MAX_SESSIONS = 256;

interface Lane {
  held?: { data: Buffer; copies: number; timer: ReturnType<typeof setTimeout> };
  /**
   * A datagram of this lane was held back and no datagram has been sent on since: the next one
   * is not held too. Cleared by the next datagram sent, not by the hold's timer, so what is
   * held depends only on the datagrams and the seed, never on how fast they come.
   */
  holding?: boolean;
}

export async function startDatagramProxy(
  target: { host: string; port: number },
  spec: FaultSpec,
  listenHost: string,
): Promise<DatagramProxy> {
  const prng = new Prng(spec.seed);
  const chance = (p: number | undefined): boolean => p !== undefined && p > 0 && prng.nextU32() / 0x1_0000_0000 < p;
  const stats: DatagramProxyStats = {
    datagrams: 0,
    dropped: 0,
    duplicated: 0,
    reordered: 0,
    truncated: 0,
    corrupted: 0,
  };
  const type = listenHost.includes(":") ? "udp6" : "udp4";
  const front = createSocket(type);
  const sessions = new Map<string, { up: Socket; toServer: Lane; toClient: Lane }>();
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let closed = false;
  const later = (ms: number, f: () => void): ReturnType<typeof setTimeout> => {
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) f();
    }, ms);
    timers.add(t);
    return t;
  };

  /** Applies the faults to one datagram and sends what is left with `send`. */
  const forward = (data: Buffer, lane: Lane, send: (b: Buffer) => void): void => {
    stats.datagrams++;
    if (chance(spec.drop)) {
      stats.dropped++;
      return;
    }
    if (data.byteLength > 0 && chance(spec.truncate)) {
      stats.truncated++;
      data = data.subarray(0, prng.int(0, data.byteLength - 1));
    }
    const bad = corruptDatagram(data, spec.corrupt, prng);
    if (bad) {
      stats.corrupted++;
      data = Buffer.from(bad.buffer, bad.byteOffset, bad.byteLength);
    }
    let copies = 1;
    if (chance(spec.duplicate)) {
      stats.duplicated++;
      copies = 2;
    }
    const emit = (d: Buffer, n: number): void => {
      const out = (): void => {
        for (let i = 0; i < n; i++) send(d);
      };
      if (spec.latencyMs) later(spec.latencyMs, out);
      else out();
    };
    // Drawn for every datagram, and judged against `holding`, not `held`: whether the previous
    // one is still held depends on timing, and a seed must give the same faults however busy
    // the machine is.
    const reorder = chance(spec.reorder);
    if (!lane.holding && reorder) {
      stats.reordered++;
      lane.holding = true;
      const held = { data, copies, timer: later(REORDER_HOLD_MS, () => flush()) };
      const flush = (): void => {
        if (lane.held !== held) return;
        lane.held = undefined;
        emit(held.data, held.copies);
      };
      lane.held = held;
      return;
    }
    emit(data, copies);
    lane.holding = false;
    const h = lane.held;
    if (h) {
      lane.held = undefined;
      clearTimeout(h.timer);
      timers.delete(h.timer);
      emit(h.data, h.copies);
    }
  };

  const session = (from: RemoteInfo): { up: Socket; toServer: Lane; toClient: Lane } | undefined => {
    const key = `${from.address}|${from.port}`;
    let s = sessions.get(key);
    if (s) return s;
    if (sessions.size >= MAX_SESSIONS) {
      const [oldest, os] = sessions.entries().next().value as [string, { up: Socket }];
      os.up.close();
      sessions.delete(oldest);
    }
    const up = createSocket(target.host.includes(":") ? "udp6" : "udp4");
    up.on("error", () => {});
    const toClient: Lane = {};
    up.on("message", (reply) => forward(reply, toClient, (b) => front.send(b, from.port, from.address, () => {})));
    up.bind(0, target.host.includes(":") ? "::" : "0.0.0.0");
    s = { up, toServer: {}, toClient };
    sessions.set(key, s);
    return s;
  };

  front.on("error", () => {});
  front.on("message", (msg, from) => {
    const s = session(from);
    if (!s) return;
    forward(msg, s.toServer, (b) => s.up.send(b, target.port, target.host, () => {}));
  });
  await new Promise<void>((resolve, reject) => {
    front.once("error", reject);
    front.bind(0, listenHost, () => {
      front.off("error", reject);
      resolve();
    });
  });
  const a = front.address();
  return {
    address: { host: a.address, port: a.port },
    stats,
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sessions.values()) s.up.close();
      sessions.clear();
      await new Promise<void>((r) => front.close(() => r()));
    },
  };
}
