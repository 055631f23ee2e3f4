/**
 * The fault proxy: its syntax, each fault against an in-process Node peer, and the pairings of
 * two different runtimes for echo, time and transfer through slicer + latency + bandwidth (and
 * echo over UDP through drop/dup/reorder/truncate), small sizes to keep time down. The
 * same-runtime pairings through these faults are the reliability cases faults.stream and
 * faults.udp of `npm run conformance`; NETPARITY_FULL_MATRIX=1 runs all nine here.
 */
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prng } from "@netparity/protocol";
import {
  FaultSyntaxError,
  StreamCorrupter,
  corruptDatagram,
  formatFaults,
  parseFaults,
  startFaultProxy,
  type FaultProxy,
} from "../src/parent/faults/index.js";
import { crossPairs, lazyMatrix } from "./helpers.js";

describe("--faults syntax", () => {
  it("parses every fault, with units", () => {
    expect(
      parseFaults(
        "slicer,latency=20ms,bandwidth=1MiB/s,reset=64KiB,slow-close=1.5s,drop=0.2,dup=0.1,reorder=0.05,truncate=0.3,seed=7",
      ),
    ).toEqual({
      slicer: { maxPiece: 512 },
      latencyMs: 20,
      bandwidthBytesPerSec: 1024 * 1024,
      resetAfterBytes: 64 * 1024,
      slowCloseMs: 1500,
      drop: 0.2,
      duplicate: 0.1,
      reorder: 0.05,
      truncate: 0.3,
      seed: 7,
    });
    expect(parseFaults("slicer=1, blackhole ,duplicate=1")).toEqual({
      slicer: { maxPiece: 1 },
      blackhole: true,
      duplicate: 1,
      seed: 1,
    });
    expect(formatFaults(parseFaults("latency=5,drop=0.5"))).toBe("latency=5ms,drop=0.5,seed=1");
  });
  it.each([
    "",
    "nope",
    "latency",
    "latency=fast",
    "drop=1.5",
    "drop=-1",
    "blackhole=1",
    "bandwidth=0",
    "seed=x",
    "slicer=0",
    "corrupt",
    "corrupt=2",
    "replace",
    "replace=0",
    "replace=x",
  ])("refuses %j with a one-line reason", (text) => {
    expect(() => parseFaults(text)).toThrow(FaultSyntaxError);
  });
  it("parses and writes back corrupt=P and replace=N", () => {
    expect(parseFaults("corrupt=0.01,replace=7,seed=3")).toEqual({ corrupt: 0.01, replaceByte: 7, seed: 3 });
    expect(formatFaults(parseFaults("replace=1,corrupt=0.5"))).toBe("corrupt=0.5,replace=1,seed=1");
  });
});

describe("the corrupters (pure)", () => {
  const data = new Uint8Array(100_000).fill(0x55);
  const diff = (a: Uint8Array, b: Uint8Array): number[] => {
    const at: number[] = [];
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) at.push(i);
    return at;
  };
  it("corrupt=0.01 flips one bit in about 1% of 100 000 bytes, the same ones for the same seed, in any chunking", () => {
    const whole = new StreamCorrupter({ corrupt: 0.01 }, new Prng(5)).apply(data);
    const flips = diff(data, whole);
    // Binomial(100 000, 0.01): mean 1000, sd about 31.
    expect(flips.length).toBeGreaterThan(850);
    expect(flips.length).toBeLessThan(1150);
    for (const i of flips) expect([1, 2, 4, 8, 16, 32, 64, 128]).toContain(whole[i]! ^ 0x55);
    const c = new StreamCorrupter({ corrupt: 0.01 }, new Prng(5));
    const pieces = [c.apply(data.subarray(0, 1)), c.apply(data.subarray(1, 40_000)), c.apply(data.subarray(40_000))];
    expect(Buffer.concat(pieces).equals(Buffer.from(whole))).toBe(true);
    expect(diff(data, new StreamCorrupter({ corrupt: 0.01 }, new Prng(6)).apply(data))).not.toEqual(flips);
    expect(data.every((b) => b === 0x55)).toBe(true); // the input is left alone
  });
  it("corrupt=0 changes nothing; replace=N complements exactly the Nth byte across chunks", () => {
    expect(diff(data, new StreamCorrupter({ corrupt: 0 }, new Prng(1)).apply(data))).toEqual([]);
    const c = new StreamCorrupter({ replaceByte: 1500 }, new Prng(1));
    const a = c.apply(data.subarray(0, 1000));
    const b = c.apply(data.subarray(1000, 2000));
    const d = c.apply(data.subarray(2000, 3000));
    expect(diff(data.subarray(0, 1000), a)).toEqual([]);
    expect(diff(data.subarray(1000, 2000), b)).toEqual([499]);
    expect(b[499]).toBe(0xaa);
    expect(diff(data.subarray(2000, 3000), d)).toEqual([]);
  });
  it("datagrams: corrupt=0.5 flips one bit in about half of 1000 datagrams, never an empty one", () => {
    const prng = new Prng(9);
    const dg = new Uint8Array(20).fill(7);
    let changed = 0;
    for (let i = 0; i < 1000; i++) {
      const out = corruptDatagram(dg, 0.5, prng);
      if (!out) continue;
      changed++;
      const at = diff(dg, out);
      expect(at).toHaveLength(1);
    }
    expect(changed).toBeGreaterThan(420);
    expect(changed).toBeLessThan(580);
    expect(corruptDatagram(new Uint8Array(0), 1, prng)).toBeUndefined();
    expect(corruptDatagram(dg, undefined, prng)).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------
// Each fault against a Node echo server in this process.

describe("stream faults against a Node echo server", () => {
  let server: Server;
  let port: number;
  const sockets = new Set<Socket>();
  /** Chunk sizes the server received per connection. */
  const seen: number[][] = [];
  beforeAll(async () => {
    server = createServer({ allowHalfOpen: true }, (s) => {
      sockets.add(s);
      const chunks: number[] = [];
      seen.push(chunks);
      s.on("data", (d) => {
        chunks.push(d.length);
        s.write(d);
      });
      s.on("end", () => s.end());
      s.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => server.close(r));
  });

  /** Sends `data`, half-closes, collects the echo; how the connection ended and when. */
  async function echoVia(
    proxy: FaultProxy,
    data: Buffer,
    timeoutMs = 10_000,
  ): Promise<{ got: Buffer; end: string; ms: number }> {
    const t = proxy.target as { host: string; port: number };
    const t0 = Date.now();
    return new Promise((resolve) => {
      const s = connect({ host: t.host, port: t.port, allowHalfOpen: true });
      const parts: Buffer[] = [];
      let done = false;
      const finish = (end: string): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        s.destroy();
        resolve({ got: Buffer.concat(parts), end, ms: Date.now() - t0 });
      };
      const timer = setTimeout(() => finish("timeout"), timeoutMs);
      s.on("data", (d) => parts.push(d));
      s.on("end", () => finish("eof"));
      s.on("error", (e: NodeJS.ErrnoException) => finish(e.code ?? "error"));
      s.on("connect", () => s.end(data));
    });
  }

  async function withProxy<T>(faults: string, f: (p: FaultProxy) => Promise<T>): Promise<T> {
    const p = await startFaultProxy({ transport: "tcp", host: "127.0.0.1", port }, parseFaults(faults));
    try {
      return await f(p);
    } finally {
      await p.close();
    }
  }

  const data = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i & 0xff));

  it("slicer=8 re-segments 5 000 bytes into writes of 1-8 bytes (over 200 reads at the server), bytes intact", async () => {
    // Every piece waits for a turn of the event loop, each way: 5 000 bytes (some 900 pieces)
    // keep that work small enough for a busy machine.
    const some = data.subarray(0, 5_000);
    await withProxy("slicer=8", async (p) => {
      seen.length = 0;
      const r = await echoVia(p, some);
      expect(r.end).toBe("eof");
      expect(r.got.equals(some)).toBe(true);
      // 5 000 bytes in pieces of at most 8 bytes: far more than a handful of reads.
      expect(seen[0]!.length).toBeGreaterThan(200);
    });
  });

  it("latency=50ms holds each direction back by 50 ms", async () => {
    await withProxy("latency=50ms", async (p) => {
      const r = await echoVia(p, Buffer.from("x"));
      expect(r.got.toString()).toBe("x");
      expect(r.ms).toBeGreaterThanOrEqual(95);
    });
  });

  it("bandwidth=200KiB/s paces 100 KiB (each way, at once) to about half a second", async () => {
    await withProxy("bandwidth=200KiB", async (p) => {
      const big = Buffer.alloc(100 * 1024, 1);
      const r = await echoVia(p, big);
      expect(r.got.equals(big)).toBe(true);
      // Both directions at once: about 0.5 s. No upper bound: a busy machine may take longer,
      // and how fast the proxy is belongs in a benchmark, not in a test.
      expect(r.ms).toBeGreaterThanOrEqual(450);
    });
  });

  it("reset=10000 resets the client's connection after 10 000 bytes", async () => {
    await withProxy("reset=10000", async (p) => {
      const r = await echoVia(p, data);
      expect(r.end).toBe("ECONNRESET");
      expect(r.got.length).toBeLessThan(data.length);
      expect(p.stats()).toMatchObject({ resets: 1 });
    });
  });

  it("slow-close=300ms passes the FIN 300 ms late", async () => {
    await withProxy("slow-close=300ms", async (p) => {
      const r = await echoVia(p, Buffer.from("fin"));
      expect(r).toMatchObject({ end: "eof" });
      expect(r.got.toString()).toBe("fin");
      // The client's FIN waits 300 ms to reach the server, the server's 300 ms to come back.
      expect(r.ms).toBeGreaterThanOrEqual(550);
    });
  });

  it("replace=5 changes the 5th byte of the connection once (both directions counted): the echo differs at byte 5 only", async () => {
    await withProxy("replace=5", async (p) => {
      const r = await echoVia(p, data);
      expect(r.end).toBe("eof");
      expect(r.got.length).toBe(data.length);
      const at = [...r.got.keys()].filter((i) => r.got[i] !== data[i]);
      expect(at).toEqual([4]);
      expect(p.stats()).toMatchObject({ replaced: 1, corrupted: 0 });
    });
  });
  it("corrupt=0.001 flips bits in the echo of 20 000 bytes (both ways), counted in the stats", async () => {
    await withProxy("corrupt=0.001,seed=3", async (p) => {
      const r = await echoVia(p, data);
      expect(r.got.length).toBe(data.length);
      const wrong = [...r.got.keys()].filter((i) => r.got[i] !== data[i]).length;
      expect(wrong).toBeGreaterThan(0);
      expect((p.stats() as { corrupted: number }).corrupted).toBeGreaterThanOrEqual(wrong);
    });
  });
  it("blackhole accepts and never answers", async () => {
    await withProxy("blackhole", async (p) => {
      const r = await echoVia(p, Buffer.from("anyone?"), 700);
      expect(r).toMatchObject({ end: "timeout" });
      expect(r.got.length).toBe(0);
    });
  });
});

describe("datagram faults against a Node echo socket", () => {
  let echo: UdpSocket;
  let port: number;
  beforeAll(async () => {
    echo = createSocket("udp4");
    echo.on("message", (m, r) => echo.send(m, r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, "127.0.0.1", r));
    port = echo.address().port;
  });
  afterAll(() => echo.close());

  /**
   * Waits until the proxy has counted `n` datagrams, then until nothing moves (no datagram
   * through the proxy, no reply) for 150 ms, at most 10 s in all. A busy machine delays the
   * traffic on loopback, it does not lose it; each wait also lets pending I/O be read
   * (setImmediate) before it looks, so a stalled process does not look like a quiet path.
   */
  async function settled(p: FaultProxy, n: number, replies: () => number): Promise<void> {
    const deadline = Date.now() + 10_000;
    const datagrams = (): number => (p.stats() as { datagrams: number }).datagrams;
    const tick = async (ms: number): Promise<void> => {
      await new Promise((r) => setTimeout(r, ms));
      await new Promise((r) => setImmediate(r));
    };
    while (datagrams() < n && Date.now() < deadline) await tick(10);
    let last = `${datagrams()} ${replies()}`;
    let quietSince = Date.now();
    while (Date.now() - quietSince < 150 && Date.now() < deadline) {
      await tick(25);
      const now = `${datagrams()} ${replies()}`;
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
    }
  }

  /** Sends `n` numbered datagrams one by one (3 ms apart) to `to` (the echo socket) and returns what came back. */
  async function traffic(
    faults: string,
    n = 100,
    to = port,
  ): Promise<{ replies: Buffer[]; stats: Record<string, number> }> {
    const p = await startFaultProxy({ transport: "udp", host: "127.0.0.1", port: to }, parseFaults(faults));
    const s = createSocket("udp4");
    const replies: Buffer[] = [];
    s.on("message", (m) => replies.push(m));
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
    try {
      const t = p.target as { host: string; port: number };
      for (let i = 0; i < n; i++) {
        s.send(Buffer.from(`datagram-${String(i).padStart(3, "0")}`), t.port, t.host);
        await new Promise((r) => setTimeout(r, 3));
      }
      await settled(p, n, () => replies.length);
      return { replies, stats: p.stats() as unknown as Record<string, number> };
    } finally {
      s.close();
      await p.close();
    }
  }

  it("drop, dup, reorder and truncate do what they say", async () => {
    const a = await traffic("drop=0.2,dup=0.2,reorder=0.2,truncate=0.2,seed=42");
    expect(a.stats.dropped).toBeGreaterThan(0);
    expect(a.stats.duplicated).toBeGreaterThan(0);
    expect(a.stats.reordered).toBeGreaterThan(0);
    expect(a.stats.truncated).toBeGreaterThan(0);
    const texts = a.replies.map((r) => r.toString());
    expect(texts.some((t) => t.length < "datagram-000".length)).toBe(true);
    const whole = texts.filter((t) => t.length === "datagram-000".length);
    expect(new Set(whole).size).toBeLessThan(whole.length); // duplicates arrived
    expect(whole.some((t, i) => i > 0 && t < whole[i - 1]!)).toBe(true); // out of order
  });

  it("the same seed meets the same faults: one-way traffic to a silent socket counts the same twice, another seed differs", async () => {
    // One direction only. Both directions draw from one Prng, so with replies the order of the
    // draws, and so the counts, depends on how requests and replies interleave in time.
    const sink = createSocket("udp4");
    await new Promise<void>((r) => sink.bind(0, "127.0.0.1", r));
    try {
      const faults = (seed: number): string => `drop=0.2,dup=0.2,reorder=0.2,truncate=0.2,seed=${seed}`;
      const a = await traffic(faults(42), 100, sink.address().port);
      const b = await traffic(faults(42), 100, sink.address().port);
      const c = await traffic(faults(43), 100, sink.address().port);
      expect(a.stats.datagrams).toBe(100);
      expect(b.stats).toEqual(a.stats);
      expect(c.stats).not.toEqual(a.stats);
    } finally {
      sink.close();
    }
  });

  it("corrupt=0.3 changes about 50% of 100 round trips (0.3 each way), counted, none lost", async () => {
    const a = await traffic("corrupt=0.3,seed=4");
    const sent = new Set(Array.from({ length: 100 }, (_, i) => `datagram-${String(i).padStart(3, "0")}`));
    const bad = a.replies.filter((r) => !sent.has(r.toString("latin1"))).length;
    expect(a.replies).toHaveLength(100);
    expect(bad).toBeGreaterThan(25);
    expect(bad).toBeLessThan(75);
    expect(a.stats.corrupted).toBeGreaterThanOrEqual(bad);
  });
  it("without faults every datagram comes back once, in order", async () => {
    const r = await traffic("seed=1", 30);
    expect(r.replies.map((x) => x.toString())).toEqual(
      Array.from({ length: 30 }, (_, i) => `datagram-${String(i).padStart(3, "0")}`),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Pairings of two runtimes, through the proxy.

const pairs = crossPairs();

describe("pairings through slicer,latency=5ms,bandwidth=8MiB/s (echo 1 MiB, time, transfer 1 MiB)", () => {
  const spec = parseFaults("slicer,latency=5ms,bandwidth=8MiB/s,seed=3");
  const get = lazyMatrix({
    scenarios: ["echo", "time", "transfer"],
    transports: ["tcp"],
    extra: { size: 1024 * 1024 },
    clientTimeoutMs: 60_000,
    via: (server) => startFaultProxy(server, spec),
    pairs: () => pairs,
  });
  for (const scenario of ["echo", "time", "transfer"]) {
    it.each(pairs)(`${scenario} server=%s client=%s passes`, async (server, client) => {
      const cell = (await get()).cells.find(
        (c) => c.scenario === scenario && c.server === server && c.client === client,
      );
      expect(cell?.status, cell?.reason).toBe("pass");
    });
  }
  it("ran exactly the selected pairings", async () => {
    expect((await get()).cells).toHaveLength(3 * pairs.length);
  });
});

describe("pairings of echo over UDP through drop=0.2,dup=0.1,reorder=0.1,truncate=0.1 (--lossy)", () => {
  const spec = parseFaults("drop=0.2,dup=0.1,reorder=0.1,truncate=0.1,seed=5");
  const get = lazyMatrix({
    scenarios: ["echo"],
    transports: ["udp"],
    extra: { count: 12, lossy: true, retries: 20, replyTimeout: 100 },
    clientTimeoutMs: 30_000,
    via: (server) => startFaultProxy(server, spec),
    pairs: () => pairs,
  });
  it.each(pairs)("server=%s client=%s: every datagram answered, loss counted", async (server, client) => {
    const cell = (await get()).cells.find((c) => c.server === server && c.client === client);
    expect(cell?.status, cell?.reason).toBe("pass");
    // The path lost something and the client says so.
    expect(cell!.metrics.resent! + cell!.metrics.stale! + cell!.metrics.corrupt!).toBeGreaterThan(0);
  });
});
