/**
 * Fuzzing the frame decoder: well over 100 000 generated inputs (the runs of the properties
 * below add up to 130 000). Random byte streams in random splits either decode or fail with
 * FRAME_TOO_LARGE / UNEXPECTED_EOF NetErrors and nothing else; no allocation is ever larger
 * than the maximum frame length, whatever a header declares (0x80000000-0xFFFFFFFF included);
 * the piece form (`pushPieces`) gives the same frames and errors and allocates nothing.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FrameDecoder, NetError, encodeFrames, type HeaderFormat } from "../src/index.js";
import { fcRuns } from "./fc-config.js";

/** Records the largest `new Uint8Array(n)` made while a test runs (the decoder's only allocation). */
let largestAllocation = 0;
const RealUint8Array = globalThis.Uint8Array;
beforeEach(() => {
  largestAllocation = 0;
  globalThis.Uint8Array = new Proxy(RealUint8Array, {
    construct(target, args: unknown[]) {
      if (typeof args[0] === "number") largestAllocation = Math.max(largestAllocation, args[0]);
      return Reflect.construct(target, args);
    },
  });
});
afterEach(() => {
  globalThis.Uint8Array = RealUint8Array;
});

/** Splits `data` at the given cut points (any order, duplicates allowed). */
function split(data: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => c % (data.byteLength + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of at) {
    out.push(data.subarray(prev, c));
    prev = c;
  }
  out.push(data.subarray(prev));
  return out;
}

type Outcome = { frames: number[][]; error?: string };

/** Feeds chunks, then end(); returns the frames (copied) and the error code, if any. */
function decodeAll(chunks: Uint8Array[], max: number, header: HeaderFormat = "be32"): Outcome {
  const d = new FrameDecoder({ maxFrameLength: max, header });
  const frames: number[][] = [];
  try {
    for (const c of chunks) d.push(c, (f) => frames.push([...f]));
    d.end();
    return { frames };
  } catch (e) {
    if (!(e instanceof NetError)) throw new Error(`not a NetError: ${String(e)}`);
    return { frames, error: e.code };
  }
}

/** The same through `pushPieces`, frames put back together from their pieces (as plain arrays). */
function decodeAllPieces(
  chunks: Uint8Array[],
  max: number,
  header: HeaderFormat = "be32",
): Outcome & { views: boolean } {
  const d = new FrameDecoder({ maxFrameLength: max, header });
  // From here on nothing may be allocated (the constructor made the 4-byte header buffer).
  largestAllocation = 0;
  const frames: number[][] = [];
  let current: number[] = [];
  let views = true;
  try {
    for (const c of chunks) {
      d.pushPieces(c, (piece, offset, length) => {
        views &&= piece.buffer === c.buffer && offset === current.length;
        for (const b of piece) current.push(b);
        if (offset + piece.byteLength === length) {
          frames.push(current);
          current = [];
        }
      });
    }
    d.end();
    return { frames, views };
  } catch (e) {
    if (!(e instanceof NetError)) throw new Error(`not a NetError: ${String(e)}`);
    return { frames, error: e.code, views };
  }
}

const MAX = 64;

describe("frame decoder fuzz", () => {
  it("random byte streams in random splits: frames, FRAME_TOO_LARGE or UNEXPECTED_EOF, never more, never a big allocation (40 000 runs)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 12 }),
        fc.constantFrom<HeaderFormat>("be32", "le32"),
        (data, cuts, header) => {
          const whole = decodeAll([data], MAX, header);
          const parts = decodeAll(split(data, cuts), MAX, header);
          expect(
            whole.error === undefined || whole.error === "FRAME_TOO_LARGE" || whole.error === "UNEXPECTED_EOF",
          ).toBe(true);
          // The split never changes the outcome.
          expect(parts).toEqual(whole);
          expect(largestAllocation).toBeLessThanOrEqual(Math.max(MAX, data.byteLength));
        },
      ),
      fcRuns(40_000),
    );
  });

  it("pushPieces: the same frames and errors as push in any split, every piece a view into its chunk, no allocation (20 000 runs)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.nat({ max: 300 }), { maxLength: 12 }),
        fc.constantFrom<HeaderFormat>("be32", "le32"),
        (data, cuts, header) => {
          const chunks = split(data, cuts);
          const expected = decodeAll(chunks, MAX, header);
          const { views, ...got } = decodeAllPieces(chunks, MAX, header);
          expect(largestAllocation).toBe(0);
          expect(got).toEqual(expected);
          expect(views).toBe(true);
        },
      ),
      fcRuns(20_000),
    );
  });

  it("valid frame streams decode to the same frames in any split (25 000 runs)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: MAX }), { maxLength: 8 }),
        fc.array(fc.nat({ max: 8 * (4 + MAX) }), { maxLength: 16 }),
        (payloads, cuts) => {
          const r = decodeAll(split(encodeFrames(payloads), cuts), MAX);
          expect(r.error).toBeUndefined();
          expect(r.frames).toEqual(payloads.map((p) => [...p]));
        },
      ),
      fcRuns(25_000),
    );
  });

  it("declared lengths above the maximum, 0x80000000-0xFFFFFFFF included: FRAME_TOO_LARGE before any allocation (25 000 runs)", () => {
    const big = fc.oneof(
      fc.integer({ min: MAX + 1, max: 0xffff_ffff }),
      fc.integer({ min: 0x8000_0000, max: 0xffff_ffff }),
      fc.constantFrom(0x8000_0000, 0xffff_ffff, 0x7fff_ffff, MAX + 1),
    );
    fc.assert(
      fc.property(
        big,
        fc.uint8Array({ maxLength: 32 }),
        fc.array(fc.nat({ max: 4 + 32 }), { maxLength: 6 }),
        fc.constantFrom<HeaderFormat>("be32", "le32"),
        (length, tail, cuts, header) => {
          const h = new RealUint8Array(4);
          new DataView(h.buffer).setUint32(0, length, header === "le32");
          const stream = new RealUint8Array(4 + tail.byteLength);
          stream.set(h);
          stream.set(tail, 4);
          largestAllocation = 0;
          const r = decodeAll(split(stream, cuts), MAX, header);
          expect(r.error).toBe("FRAME_TOO_LARGE");
          expect(r.frames).toEqual([]);
          expect(largestAllocation).toBeLessThanOrEqual(4 + 32);
        },
      ),
      fcRuns(25_000),
    );
  });

  it("a header split at every byte offset decodes; EOF inside it or inside the body is UNEXPECTED_EOF (20 000 runs)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: MAX }),
        fc.integer({ min: 0, max: 3 }),
        (payload, offset) => {
          const stream = encodeFrames([payload]);
          // Split inside the header at `offset + 1`.
          expect(decodeAll([stream.subarray(0, offset + 1), stream.subarray(offset + 1)], MAX).frames).toEqual([
            [...payload],
          ]);
          // EOF inside the header, then inside the body.
          expect(decodeAll([stream.subarray(0, offset + 1)], MAX).error).toBe("UNEXPECTED_EOF");
          expect(decodeAll([stream.subarray(0, 4 + payload.byteLength - 1)], MAX).error).toBe("UNEXPECTED_EOF");
        },
      ),
      fcRuns(20_000),
    );
  });

  it("the allocation spy sees the decoder's one allocation (a frame straddling two chunks)", () => {
    const stream = encodeFrames([new RealUint8Array(50)]);
    largestAllocation = 0;
    decodeAll([stream.subarray(0, 10), stream.subarray(10)], MAX);
    expect(largestAllocation).toBe(50);
  });

  it("a header split at every byte offset, one byte at a time and in two pieces, for every length class", () => {
    for (const length of [0, 1, 255, 256, 65_535, 65_536, 1 << 20]) {
      const payload = new RealUint8Array(length).fill(7);
      const stream = encodeFrames([payload]);
      for (let cut = 0; cut <= 4; cut++) {
        const d = new FrameDecoder({ maxFrameLength: 1 << 20 });
        const got: number[] = [];
        d.push(stream.subarray(0, cut), (f) => got.push(f.byteLength));
        for (let i = cut; i < 4; i++) d.push(stream.subarray(i, i + 1), (f) => got.push(f.byteLength));
        d.push(stream.subarray(4), (f) => got.push(f.byteLength));
        d.end();
        expect(got).toEqual([length]);
      }
    }
  });
});
