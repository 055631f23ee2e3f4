/**
 * The stream half of the fault proxy (TCP and Unix sockets), in the Node parent process.
 * Every accepted connection gets its own upstream connection; bytes in each direction go
 * through a queue that applies latency, bandwidth and re-segmentation (slicer) in order,
 * with backpressure (the source is paused while the queue holds more than 1 MiB). Resets
 * are passed on as resets (`resetAndDestroy`, Node >= 16.17), FINs as FINs (optionally late).
 */
import { connect, createServer, type Server, type Socket } from "node:net";
import { Prng } from "@netparity/protocol";
import { sleep } from "../../in-runtime/common/timing.js";
import { StreamCorrupter } from "./corrupt.js";
import type { FaultSpec } from "./spec.js";

export type StreamEndpoint = { transport: "tcp"; host: string; port: number } | { transport: "unix"; path: string };

export interface StreamProxyStats {
  connections: number;
  bytesUp: number;
  bytesDown: number;
  /** Connections this proxy reset on purpose (`reset=N`). */
  resets: number;
  /** Resets that came from one side and were passed on to the other. */
  passedResets: number;
  /** Bits flipped by `corrupt=P`. */
  corrupted: number;
  /** Bytes replaced by `replace=N`. */
  replaced: number;
}

export interface StreamProxy {
  /** Where clients connect instead of the server. */
  readonly address: StreamEndpoint;
  readonly stats: StreamProxyStats;
  close(): Promise<void>;
}

const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
/** Bandwidth pacing works on pieces of at most this size. */
const PACE_PIECE = 16 * 1024;
const PACE_MIN_SLEEP_MS = 4;

const nextTick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Resets a socket (RST) where Node can, destroys it otherwise.
 *
 * Not while a FIN is on its way (`end()` called, 'finish' not yet emitted): libuv refuses
 * `uv_tcp_close_reset` on a handle with a pending `uv_shutdown` (UV_EINVAL, "mixing of
 * uv_shutdown and uv_tcp_close_reset calls is not allowed", libuv's tcp docs), and Node's
 * `TCPWrap::Reset` then marks the handle closing without closing it (src/tcp_wrap.cc, Node
 * 20–24): no 'close' event, and at exit `Environment::CleanupHandles` waits for that handle
 * forever, spinning one core after the run's report was written. `destroy()` closes it.
 */
function reset(s: Socket): void {
  if (s.destroyed) return;
  const r = (s as Socket & { resetAndDestroy?: () => Socket }).resetAndDestroy;
  const finPending = s.writableEnded && !s.writableFinished;
  if (typeof r === "function" && s.readyState !== "opening" && !finPending) r.call(s);
  else s.destroy();
}

/** One direction of one proxied connection. */
class Pipe {
  #queue: Array<{ at: number; data: Buffer }> = [];
  #queued = 0;
  #paused = false;
  #pumping = false;
  #ended = false;
  #endAt = 0;
  #nextSend = 0;
  #dead = false;
  /** Resolves once everything (and the FIN, if one came) was passed on, or the pipe died. */
  readonly done: Promise<void>;
  #finish!: () => void;

  constructor(
    readonly src: Socket,
    readonly dst: Socket,
    readonly spec: FaultSpec,
    readonly prng: Prng,
    readonly onBytes: (n: number) => boolean,
    readonly corrupter?: StreamCorrupter,
  ) {
    this.done = new Promise((r) => (this.#finish = r));
    src.on("data", (chunk: Buffer) => this.#push(chunk));
    src.on("end", () => {
      this.#ended = true;
      this.#endAt = Date.now() + (spec.latencyMs ?? 0) + (spec.slowCloseMs ?? 0);
      void this.#pump();
    });
  }

  kill(): void {
    this.#dead = true;
    this.#queue = [];
    this.#finish();
  }

  #push(chunk: Buffer): void {
    if (this.#dead) return;
    // `onBytes` says false once the reset budget is spent; the proxy then resets both sides.
    if (!this.onBytes(chunk.byteLength)) return;
    if (this.corrupter) {
      const c = this.corrupter.apply(chunk);
      if (c !== chunk) chunk = Buffer.from(c.buffer, c.byteOffset, c.byteLength);
    }
    this.#queue.push({ at: Date.now() + (this.spec.latencyMs ?? 0), data: chunk });
    this.#queued += chunk.byteLength;
    if (!this.#paused && this.#queued > HIGH_WATER) {
      this.#paused = true;
      this.src.pause();
    }
    void this.#pump();
  }

  #pieces(data: Buffer): Buffer[] {
    const max = this.spec.slicer?.maxPiece;
    const limit = max ?? (this.spec.bandwidthBytesPerSec ? PACE_PIECE : data.byteLength);
    if (data.byteLength <= limit && max === undefined) return [data];
    const out: Buffer[] = [];
    for (let off = 0; off < data.byteLength; ) {
      const n = max === undefined ? limit : this.prng.nextU32() % 4 === 0 ? 1 : this.prng.int(1, max);
      out.push(data.subarray(off, Math.min(data.byteLength, off + n)));
      off += n;
    }
    return out;
  }

  async #write(piece: Buffer): Promise<void> {
    const rate = this.spec.bandwidthBytesPerSec;
    if (rate) {
      const now = Date.now();
      const at = Math.max(now, this.#nextSend);
      this.#nextSend = at + (piece.byteLength * 1000) / rate;
      // Timers cannot wait less than a millisecond: small pieces run up a debt that is paid
      // in one sleep once it reaches a few milliseconds, so the average rate holds.
      if (at - now >= PACE_MIN_SLEEP_MS) await sleep(at - now);
    }
    if (this.#dead || this.dst.destroyed) return;
    if (!this.dst.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.dst.off("drain", done);
          this.dst.off("close", done);
          resolve();
        };
        this.dst.on("drain", done);
        this.dst.on("close", done);
      });
    }
    // Give the event loop a turn so each piece leaves as its own segment.
    if (this.spec.slicer) await nextTick();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#dead && this.#queue.length) {
        const head = this.#queue[0]!;
        const wait = head.at - Date.now();
        if (wait > 0) await sleep(wait);
        for (const piece of this.#pieces(head.data)) {
          if (this.#dead) return;
          await this.#write(piece);
        }
        this.#queue.shift();
        this.#queued -= head.data.byteLength;
        if (this.#paused && this.#queued < LOW_WATER) {
          this.#paused = false;
          this.src.resume();
        }
      }
      if (this.#ended && !this.#dead) {
        const wait = this.#endAt - Date.now();
        if (wait > 0) await sleep(wait);
        if (!this.#dead && !this.dst.destroyed) {
          await new Promise<void>((resolve) => {
            this.dst.once("close", resolve);
            this.dst.end(resolve);
          });
        }
        this.#finish();
      }
    } finally {
      this.#pumping = false;
    }
  }
}

export async function startStreamProxy(
  target: StreamEndpoint,
  spec: FaultSpec,
  listenOn: StreamEndpoint,
): Promise<StreamProxy> {
  const prng = new Prng(spec.seed);
  const stats: StreamProxyStats = {
    connections: 0,
    bytesUp: 0,
    bytesDown: 0,
    resets: 0,
    passedResets: 0,
    corrupted: 0,
    replaced: 0,
  };
  const sockets = new Set<Socket>();
  const track = (s: Socket): Socket => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
    // Errors are handled through 'close' below; an unhandled 'error' would crash the parent.
    s.on("error", () => {});
    return s;
  };

  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    stats.connections++;
    track(client);
    client.setNoDelay(true);
    if (spec.blackhole) {
      // Accepted, read and dropped: no upstream, no answer, no close.
      client.resume();
      return;
    }
    const upstream = track(
      target.transport === "unix"
        ? connect({ path: target.path, allowHalfOpen: true })
        : connect({ host: target.host, port: target.port, allowHalfOpen: true }),
    );
    upstream.setNoDelay(true);
    let total = 0;
    let tripped = false;
    // One corrupter for both directions: replace=N counts the bytes of both together.
    const corrupter =
      spec.corrupt || spec.replaceByte !== undefined
        ? new StreamCorrupter(spec, prng, (bits, bytes) => {
            stats.corrupted += bits;
            stats.replaced += bytes;
          })
        : undefined;
    const budget = (n: number): boolean => {
      if (tripped) return false;
      total += n;
      if (spec.resetAfterBytes !== undefined && total > spec.resetAfterBytes) {
        tripped = true;
        stats.resets++;
        up.kill();
        down.kill();
        reset(client);
        reset(upstream);
        return false;
      }
      return true;
    };
    const up = new Pipe(
      client,
      upstream,
      spec,
      prng,
      (n) => {
        stats.bytesUp += n;
        return budget(n);
      },
      corrupter,
    );
    const down = new Pipe(
      upstream,
      client,
      spec,
      prng,
      (n) => {
        stats.bytesDown += n;
        return budget(n);
      },
      corrupter,
    );
    // One side gone: a reset is passed on as a reset at once; a clean close once the
    // bytes (and FIN) that side sent were delivered.
    const gone = (from: Socket, to: Socket, pipe: Pipe, other: Pipe) => (hadError: boolean) => {
      if (to.destroyed) return;
      if (hadError || !from.readableEnded) {
        stats.passedResets++;
        pipe.kill();
        other.kill();
        reset(to);
        return;
      }
      void pipe.done.then(() => {
        other.kill();
        to.destroy();
      });
    };
    client.once("close", gone(client, upstream, up, down));
    upstream.once("close", gone(upstream, client, down, up));
  });
  server.on("error", () => {});

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    if (listenOn.transport === "unix") server.listen({ path: listenOn.path }, resolve);
    else server.listen({ host: listenOn.host, port: listenOn.port }, resolve);
  });
  const a = server.address();
  const address: StreamEndpoint =
    listenOn.transport === "unix"
      ? listenOn
      : {
          transport: "tcp",
          host: typeof a === "object" && a ? a.address : listenOn.host,
          port: typeof a === "object" && a ? a.port : 0,
        };
  return {
    address,
    stats,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
