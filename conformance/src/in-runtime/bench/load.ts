/**
 * Clients of the bench's load-latency and idle-memory workloads, written against the Runtime
 * interface (the parent runs them in whichever runtime it picked as the fixed peer).
 *
 * load-client measures latency at a fixed offered rate the way wrk2 does
 * (github.com/giltene/wrk2, "coordinated omission"): requests are scheduled at a constant
 * rate, and each one's latency runs from the time it was *meant* to be sent, not from when a
 * busy connection got round to sending it, so a server stall shows up in every request it
 * delayed instead of in one slow sample.
 */
import { Prng, type Connection, type Runtime } from "@netparity/protocol";
import { sleep } from "../common/timing.js";
import { LatencyRecorder } from "./latency.js";
import type { BenchEvent, BenchSpec, LoadLevel } from "./protocol.js";

type ClientOutcome = Omit<Extract<BenchEvent, { event: "result" }>, "event" | "runtime" | "version">;

/** Connections opened at once, as the concurrency clients do. */
const OPEN_AT_ONCE = 64;

function connectTcp(rt: Runtime, spec: BenchSpec): Promise<Connection> {
  return rt.connect({ transport: "tcp", hostname: spec.host, port: spec.port });
}

/** Opens `n` connections, at most OPEN_AT_ONCE at a time; failures are counted. */
async function openMany(rt: Runtime, spec: BenchSpec, n: number): Promise<{ conns: Connection[]; errors: number }> {
  const conns: Connection[] = [];
  let errors = 0;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(OPEN_AT_ONCE, n) }, async () => {
      while (next < n) {
        next++;
        try {
          conns.push(await connectTcp(rt, spec));
        } catch {
          errors++;
        }
      }
    }),
  );
  return { conns, errors };
}

/**
 * `connections` echo connections: warm-up, `start`, the closed-loop maximum over `seconds`
 * (every connection sends its next message as soon as the last came back), then for each
 * fraction an open-loop phase of `seconds` at that fraction of the maximum, spread evenly over
 * the connections, latency from each request's intended send time.
 */
export async function loadClient(rt: Runtime, spec: BenchSpec, start: () => void): Promise<ClientOutcome> {
  const size = spec.size ?? 64;
  const seconds = spec.seconds ?? 2;
  const fractions = spec.fractions ?? [0.25, 0.5, 0.75];
  const msg = new Prng(7).bytes(size);
  const now = (): number => rt.host.now();
  const { conns, errors } = await openMany(rt, spec, Math.max(1, spec.connections ?? 16));
  try {
    if (!conns.length) throw new Error(`no connection opened (${errors} failed)`);
    for (const c of conns) c.setNoDelay(true);
    const roundTrip = async (c: Connection): Promise<void> => {
      await c.write(msg);
      let got = 0;
      while (got < size) {
        const r = await c.read();
        if (r === null) throw new Error("echo server closed the connection");
        got += r.byteLength;
      }
    };
    const closedLoop = async (secs: number): Promise<number> => {
      const until = now() + secs * 1000;
      let n = 0;
      await Promise.all(
        conns.map(async (c) => {
          for (let i = 0; i < 100_000_000 && now() < until; i++) {
            await roundTrip(c);
            n++;
          }
        }),
      );
      return n;
    };
    if (spec.warmup) await closedLoop(spec.warmup);
    start();
    const t0 = now();
    const nMax = await closedLoop(seconds);
    const maxRate = nMax / ((now() - t0) / 1000);
    let total = nMax;
    const levels: LoadLevel[] = [];
    for (const fraction of fractions) {
      const offered = fraction * maxRate;
      // Each connection carries an equal share, staggered so the sends interleave.
      const gap = (1000 * conns.length) / offered;
      const hist = new LatencyRecorder();
      const l0 = now();
      const until = l0 + seconds * 1000;
      // A server that cannot keep up leaves sends scheduled but unsent at `until`; they get
      // one more phase length to go out (and be counted late), no more.
      const hardStop = until + seconds * 1000;
      let done = 0;
      await Promise.all(
        conns.map(async (c, k) => {
          let intended = l0 + (k * gap) / conns.length;
          for (let i = 0; i < 100_000_000 && intended < until && now() < hardStop; i++) {
            const wait = intended - now();
            if (wait > 0) await sleep(wait);
            await roundTrip(c);
            hist.record(now() - intended);
            done++;
            intended += gap;
          }
        }),
      );
      levels.push({
        fraction,
        offeredPerSec: offered,
        achievedPerSec: done / ((now() - l0) / 1000),
        latency: hist.stats(),
      });
      total += done;
    }
    return { ok: errors === 0, seconds: (now() - t0) / 1000, messages: total, maxRate, levels, errors };
  } finally {
    for (const c of conns) c.close();
  }
}

/**
 * Opens `connections` connections and says `start` once all are open; holds them idle for
 * `seconds` (the parent reads the server's memory meanwhile), then reports how many it holds.
 */
export async function idleClient(rt: Runtime, spec: BenchSpec, start: () => void): Promise<ClientOutcome> {
  const t0 = rt.host.now();
  const { conns, errors } = await openMany(rt, spec, Math.max(1, spec.connections ?? 1000));
  try {
    start();
    await sleep((spec.seconds ?? 2) * 1000);
    return { ok: errors === 0, seconds: (rt.host.now() - t0) / 1000, messages: conns.length, errors };
  } finally {
    for (const c of conns) c.close();
  }
}
