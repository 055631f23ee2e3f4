/**
 * The sticky-packet lesson as a probe. One side makes several quick writes without any
 * framing (three short messages and one large one, the way the lesson's client called
 * send() in a row); the other side waits a moment and then records the size of every
 * read. TCP is a byte stream, so reads need not match writes: several writes can arrive
 * in one read ("merged", the lesson's "hellohello"), or one write can take several reads
 * ("split", what a small recv(n) sees; here the runtime's own read size plays that part,
 * so the large message is bigger than any runtime's read buffer).
 *
 * Then the same messages are sent framed (wire contract v1: 4-byte big-endian length)
 * and read with FrameReader: every message comes back whole, which is the fix.
 */
import {
  FrameReader,
  Prng,
  equalBytes,
  utf8,
  writeFrame,
  type Connection,
  type Listener,
  type Runtime,
} from "@netparity/protocol";
import { sleep, TIMED_OUT, within } from "../common/timing.js";
import { classify, classifySticky, type StickyEvidence } from "./sticky-classify.js";
import type { Probe } from "./types.js";

export { classify };

const SMALL = ["hello", "world", "sticky!"];
/** Larger than any runtime's read chunk (Node reads 64 KiB at a time), so it must split. */
const LARGE = 256 * 1024;
/** The reader's pause before its first read: the quick writes are all queued by then. */
const READER_DELAY_MS = 50;
const DEADLINE_MS = 5_000;

function messages(): Uint8Array[] {
  return [...SMALL.map((s) => utf8(s)), new Prng(7).bytes(LARGE)];
}

/** Reads until `total` bytes arrived (or EOF/deadline) and returns the bytes and every read's size. */
async function readAll(rt: Runtime, conn: Connection, total: number): Promise<{ bytes: Uint8Array; reads: number[] }> {
  const bytes = new Uint8Array(total);
  const reads: number[] = [];
  let got = 0;
  const deadline = rt.host.now() + DEADLINE_MS;
  while (got < total && rt.host.now() < deadline) {
    // The read stays pending after the deadline; the connection is closed afterwards.
    const chunk = await within(conn.read(), Math.max(1, deadline - rt.host.now()));
    if (chunk === null || chunk === TIMED_OUT) break;
    const n = Math.min(chunk.byteLength, total - got);
    bytes.set(chunk.subarray(0, n), got);
    got += chunk.byteLength;
    reads.push(chunk.byteLength);
  }
  return { bytes: bytes.subarray(0, Math.min(got, total)), reads };
}

async function pair(rt: Runtime): Promise<{ listener: Listener; writer: Connection; reader: Connection }> {
  const listener = await rt.listen({ transport: "tcp", hostname: "127.0.0.1", port: 0 });
  const port = listener.address.transport === "unix" ? 0 : listener.address.port;
  try {
    const [writer, reader] = await Promise.all([
      rt.connect({ transport: "tcp", hostname: "127.0.0.1", port }),
      listener.accept(),
    ]);
    if (!reader) throw new Error("accept() returned null on an open listener");
    return { listener, writer, reader };
  } catch (e) {
    await listener.close();
    throw e;
  }
}

async function unframed(
  rt: Runtime,
  msgs: Uint8Array[],
  delayMs = READER_DELAY_MS,
): Promise<{ reads: number[]; intact: boolean }> {
  const { listener, writer, reader } = await pair(rt);
  try {
    const total = msgs.reduce((s, m) => s + m.byteLength, 0);
    // Every write issued at once, as the lesson's client did; none awaited before the next.
    const reading = delayMs === 0 ? readAll(rt, reader, total) : undefined;
    const writes = Promise.all(msgs.map((m) => writer.write(m)));
    if (delayMs > 0) await sleep(delayMs);
    const [r] = await Promise.all([reading ?? readAll(rt, reader, total), writes]);
    const expected = new Uint8Array(total);
    let at = 0;
    for (const m of msgs) {
      expected.set(m, at);
      at += m.byteLength;
    }
    return { reads: r.reads, intact: equalBytes(r.bytes, expected) };
  } finally {
    writer.close();
    reader.close();
    await listener.close();
  }
}

async function framed(rt: Runtime, msgs: Uint8Array[]): Promise<{ frames: number; intact: number; reads: number[] }> {
  const { listener, writer, reader } = await pair(rt);
  try {
    const writes = Promise.all(msgs.map((m) => writeFrame(writer, m)));
    await sleep(READER_DELAY_MS);
    const reads: number[] = [];
    const frames = new FrameReader({
      read: async () => {
        const c = await reader.read();
        if (c) reads.push(c.byteLength);
        return c;
      },
    });
    let intact = 0;
    let count = 0;
    const deadline = rt.host.now() + DEADLINE_MS;
    const readFrames = (async () => {
      for (const m of msgs) {
        const f = await within(frames.read(), Math.max(1, deadline - rt.host.now()));
        if (f === null || f === TIMED_OUT) return;
        count++;
        if (equalBytes(f, m)) intact++;
      }
    })();
    await Promise.all([readFrames, writes]);
    return { frames: count, intact, reads };
  } finally {
    writer.close();
    reader.close();
    await listener.close();
  }
}

export const stickyProbe: Probe<StickyEvidence> = {
  id: "tcp.sticky",
  title: "Sticky packets: quick unframed writes vs. the reads that receive them; framing as the fix",
  needs: ["tcp"],
  classify: classifySticky,
  async collect(rt: Runtime): Promise<StickyEvidence> {
    const msgs = messages();
    const writeSizes = msgs.map((m) => m.byteLength);
    const u = await unframed(rt, msgs);
    const f = await framed(rt, msgs);
    // The lesson's exact case as a side note: only the short messages, reader already waiting.
    const eager = await unframed(rt, msgs.slice(0, SMALL.length), 0);
    const evidence: StickyEvidence = {
      runtime: rt.runtime,
      writeSizes,
      readSizes: u.reads,
      reads: u.reads.length,
      unframedBytesIntact: u.intact,
      readerDelayMs: READER_DELAY_MS,
      eagerReaderSmallWrites: {
        writeSizes: writeSizes.slice(0, SMALL.length),
        readSizes: eager.reads,
        shape: classify(writeSizes.slice(0, SMALL.length), eager.reads),
      },
      framed: { frames: f.frames, intact: f.intact, readSizes: f.reads },
    };
    return evidence;
  },
};
