import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  COALESCE_LIMIT,
  DEFAULT_MAX_FRAME_LENGTH,
  FrameDecoder,
  FrameReader,
  NetError,
  encodeFrame,
  encodeFrames,
  encodeHeader,
  toHex,
  writeFrame,
  type ByteSource,
  type FramePiece,
  type HeaderFormat,
  type NetErrorCode,
} from "../src/index.js";
import { fcRuns } from "./fc-config.js";

const bytes = (...xs: number[]): Uint8Array => new Uint8Array(xs);
const ascii = (s: string): Uint8Array => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

function expectNetError(fn: () => unknown, code: NetErrorCode): NetError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(NetError);
  expect((caught as NetError).code).toBe(code);
  return caught as NetError;
}

/** Feeds `chunks` in order and returns copies of the decoded frames, as hex. */
function decodeChunks(chunks: readonly Uint8Array[], header: HeaderFormat = "be32"): string[] {
  const d = new FrameDecoder({ header });
  const out: string[] = [];
  for (const c of chunks) d.push(c, (f) => out.push(toHex(f)));
  d.end();
  return out;
}

/** Splits `stream` at the given offsets (any order, duplicates and out-of-range ignored). */
function splitAt(stream: Uint8Array, offsets: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < stream.byteLength))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, stream.byteLength]) {
    out.push(stream.slice(prev, c));
    prev = c;
  }
  return out;
}

const byteAtATime = (stream: Uint8Array): Uint8Array[] => Array.from(stream, (b) => bytes(b));

/** Deterministic random split (for the example-based tests; the property test uses fast-check). */
function randomSplits(stream: Uint8Array, seed: number): Uint8Array[] {
  let x = seed >>> 0 || 1;
  const offsets: number[] = [];
  for (let i = 0; i < 1 + (stream.byteLength >> 2); i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    offsets.push((x >>> 0) % (stream.byteLength + 1));
  }
  return splitAt(stream, offsets);
}

function allFeedings(stream: Uint8Array): [string, Uint8Array[]][] {
  return [
    ["whole", [stream]],
    ["one byte at a time", byteAtATime(stream)],
    ["random split 1", randomSplits(stream, 1)],
    ["random split 2", randomSplits(stream, 0xdeadbeef)],
    ["with empty chunks", [new Uint8Array(0), ...randomSplits(stream, 7).flatMap((c) => [c, new Uint8Array(0)])]],
  ];
}

describe("known vectors", () => {
  it("encodes the empty frame as four zero bytes", () => {
    expect(toHex(encodeFrames([bytes()]))).toBe("00000000");
    expect(encodeFrame(bytes()).map(toHex)).toEqual(["00000000"]);
    expect(toHex(encodeFrames([bytes()], "le32"))).toBe("00000000");
  });

  it("encodes 'abc' as 00 00 00 03 61 62 63 (Python struct.pack('!I', 3))", () => {
    expect(toHex(encodeFrames([ascii("abc")]))).toBe("00000003616263");
    expect(encodeFrame(ascii("abc")).map(toHex)).toEqual(["00000003616263"]);
    expect(toHex(encodeFrames([ascii("abc")], "le32"))).toBe("03000000616263");
  });

  // Expected bytes from Python: struct.pack('!I', n).hex() and struct.pack('<I', n).hex()
  // (also struct.pack('<i', n) for n < 2**31, the seed lessons' 'i' on little-endian machines).
  const headerVectors: [number, string, string][] = [
    [0x0, "00000000", "00000000"],
    [0x1, "00000001", "01000000"],
    [0x3, "00000003", "03000000"],
    [0xff, "000000ff", "ff000000"],
    [0x100, "00000100", "00010000"],
    [0x10000, "00010000", "00000100"],
    [0x12345678, "12345678", "78563412"],
    [0x7fffffff, "7fffffff", "ffffff7f"],
    [0x80000000, "80000000", "00000080"],
    [0xffffffff, "ffffffff", "ffffffff"],
  ];
  it.each(headerVectors)("header %i is be32 %s, le32 %s", (n, be, le) => {
    expect(toHex(encodeHeader(n))).toBe(be);
    expect(toHex(encodeHeader(n, "be32"))).toBe(be);
    expect(toHex(encodeHeader(n, "le32"))).toBe(le);
  });

  it.each(headerVectors)("decodes the declared length %i from both header formats", (n, be, le) => {
    const hex = (h: string): Uint8Array => new Uint8Array(h.match(/../g)!.map((b) => parseInt(b, 16)));
    for (const [header, h] of [
      ["be32", be],
      ["le32", le],
    ] as const) {
      const d = new FrameDecoder({ header, maxFrameLength: 0xffffffff });
      if (n <= 0x10000) {
        expect(d.decode(hex(h))).toEqual(n === 0 ? [bytes()] : []);
        expect(d.pending).toBe(n === 0 ? 0 : 4);
      } else {
        // Only the max check is exercised for big lengths: nothing is allocated for them here.
        const small = new FrameDecoder({ header, maxFrameLength: n - 1 });
        const err = expectNetError(() => small.push(hex(h), () => {}), "FRAME_TOO_LARGE");
        expect(err.message).toContain(String(n));
      }
    }
  });

  it("decodes 'abc' and the le32 form of it", () => {
    expect(decodeChunks([bytes(0, 0, 0, 3, 0x61, 0x62, 0x63)])).toEqual(["616263"]);
    expect(decodeChunks([bytes(3, 0, 0, 0, 0x61, 0x62, 0x63)], "le32")).toEqual(["616263"]);
  });

  it("rejects lengths that do not fit a 4-byte header", () => {
    expectNetError(() => encodeHeader(-1), "FRAME_TOO_LARGE");
    expectNetError(() => encodeHeader(0x1_0000_0000), "FRAME_TOO_LARGE");
    expectNetError(() => encodeHeader(1.5), "FRAME_TOO_LARGE");
    expectNetError(() => encodeHeader(Number.NaN), "FRAME_TOO_LARGE");
  });
});

describe("decoding in any split", () => {
  const payloads = [bytes(), ascii("abc"), bytes(), bytes(), new Uint8Array(300).fill(7), bytes(), ascii("x"), bytes()];
  const expected = payloads.map(toHex);

  for (const header of ["be32", "le32"] as const) {
    const stream = encodeFrames(payloads, header);
    for (const [how, chunks] of allFeedings(stream)) {
      it(`${header}: zero-length frames in sequence, fed ${how}`, () => {
        expect(decodeChunks(chunks, header)).toEqual(expected);
      });
    }
  }

  it("only empty frames: each 4-byte header yields one empty frame", () => {
    const stream = encodeFrames([bytes(), bytes(), bytes()]);
    for (const [, chunks] of allFeedings(stream)) {
      expect(decodeChunks(chunks)).toEqual(["", "", ""]);
    }
  });

  it("frames across header/body boundaries are reassembled", () => {
    const stream = encodeFrames([ascii("hello"), ascii("world!")]);
    for (let cut = 0; cut <= stream.byteLength; cut++) {
      for (let cut2 = cut; cut2 <= stream.byteLength; cut2++) {
        const chunks = [stream.slice(0, cut), stream.slice(cut, cut2), stream.slice(cut2)];
        expect(decodeChunks(chunks)).toEqual([toHex(ascii("hello")), toHex(ascii("world!"))]);
      }
    }
  });

  // Property: any sequence of frames, any split of the stream (including byte-at-a-time),
  // decodes to the same frames, for both header formats.
  const frameList = fc.array(fc.uint8Array({ minLength: 0, maxLength: 2000 }), { minLength: 0, maxLength: 12 });
  const splitStrategy = fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .array(fc.nat({ max: 12 * (4 + 2000) }), { maxLength: 40 })
        .map((offs) => ({ kind: "offsets" as const, offs })),
    },
    { weight: 1, arbitrary: fc.constant({ kind: "bytes" as const, offs: [] as number[] }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }).map((size) => ({ kind: "fixed" as const, offs: [size] })) },
  );

  for (const header of ["be32", "le32"] as const) {
    it(`${header}: property — any frames split at arbitrary offsets decode to the same frames`, () => {
      fc.assert(
        fc.property(frameList, splitStrategy, (frames, split) => {
          const stream = encodeFrames(frames, header);
          let chunks: Uint8Array[];
          if (split.kind === "bytes") chunks = byteAtATime(stream);
          else if (split.kind === "fixed") {
            const size = split.offs[0]!;
            chunks = [];
            for (let i = 0; i < stream.byteLength; i += size) chunks.push(stream.slice(i, i + size));
          } else
            chunks = splitAt(
              stream,
              split.offs.map((o) => o % (stream.byteLength + 1)),
            );
          const decoded = decodeChunks(chunks, header);
          expect(decoded).toEqual(frames.map(toHex));
        }),
        fcRuns(1000),
      );
    });
  }

  it("property — encodeFrame parts concatenated equal encodeFrames", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: COALESCE_LIMIT + 100 }),
        fc.constantFrom<HeaderFormat>("be32", "le32"),
        (p, h) => {
          const parts = encodeFrame(p, h);
          const joined = new Uint8Array(parts.reduce((n, x) => n + x.byteLength, 0));
          let at = 0;
          for (const x of parts) {
            joined.set(x, at);
            at += x.byteLength;
          }
          expect(toHex(joined)).toBe(toHex(encodeFrames([p], h)));
        },
      ),
      fcRuns(50),
    );
  });
});

describe("zero-copy", () => {
  it("a frame inside one chunk is a view of that chunk's buffer", () => {
    const chunk = encodeFrames([ascii("first"), bytes(), ascii("second")]);
    const frames = new FrameDecoder().decode(chunk);
    expect(frames).toHaveLength(3);
    for (const f of frames) expect(f.buffer).toBe(chunk.buffer);
    expect(frames[0]!.byteOffset).toBe(chunk.byteOffset + 4);
  });

  it("a view respects the chunk's own byteOffset", () => {
    const backing = new Uint8Array(64);
    const frame = encodeFrames([ascii("xyz")]);
    backing.set(frame, 10);
    const chunk = backing.subarray(10, 10 + frame.byteLength);
    const [f] = new FrameDecoder().decode(chunk);
    expect(f!.buffer).toBe(backing.buffer);
    expect(f!.byteOffset).toBe(14);
    expect(toHex(f!)).toBe(toHex(ascii("xyz")));
  });

  it("a frame whose header straddles but whose body lies in the next chunk is still a view", () => {
    const stream = encodeFrames([ascii("body")]);
    const a = stream.slice(0, 2);
    const b = stream.slice(2);
    const d = new FrameDecoder();
    expect(d.decode(a)).toEqual([]);
    const [f] = d.decode(b);
    expect(f!.buffer).toBe(b.buffer);
  });

  it("a frame straddling chunks is a fresh buffer, not a view of either chunk", () => {
    const stream = encodeFrames([ascii("straddling frame")]);
    const a = stream.slice(0, 8);
    const b = stream.slice(8);
    const d = new FrameDecoder();
    expect(d.decode(a)).toEqual([]);
    expect(d.pending).toBe(8);
    const [f] = d.decode(b);
    expect(f!.buffer).not.toBe(a.buffer);
    expect(f!.buffer).not.toBe(b.buffer);
    expect(f!.byteOffset).toBe(0);
    expect(f!.buffer.byteLength).toBe("straddling frame".length);
    expect(toHex(f!)).toBe(toHex(ascii("straddling frame")));
  });
});

describe("maximum frame length", () => {
  // Allocation spy: while `push` runs, every `new Uint8Array(n)` with a numeric length is
  // recorded (views, made with a buffer argument, are not allocations). Whatever the frames,
  // the split and the maximum, the decoder allocates only for a frame that straddles chunks,
  // exactly its declared length, never above the maximum, and nothing for an oversized header.
  it("property — nothing is allocated above the maximum, in any split", () => {
    const Real = Uint8Array;
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 600 }), { minLength: 1, maxLength: 8 }),
        fc.nat({ max: 600 }),
        fc.array(fc.nat({ max: 8 * 604 + 4 }), { maxLength: 12 }),
        fc.constantFrom<HeaderFormat>("be32", "le32"),
        (lengths, max, cuts, header) => {
          const payloads = lengths.map((l) => new Real(l).fill(l & 0xff));
          const stream = encodeFrames(payloads, header);
          const points = [...new Set(cuts.filter((c) => c > 0 && c < stream.byteLength))].sort((a, b) => a - b);
          const chunks: Uint8Array[] = [];
          let prev = 0;
          for (const p of [...points, stream.byteLength]) {
            chunks.push(stream.slice(prev, p));
            prev = p;
          }
          const allocated: number[] = [];
          const seen: number[] = [];
          const d = new FrameDecoder({ header, maxFrameLength: max });
          let error: unknown = null;
          (globalThis as { Uint8Array: unknown }).Uint8Array = new Proxy(Real, {
            construct(target, args, newTarget) {
              if (typeof args[0] === "number") allocated.push(args[0]);
              return Reflect.construct(target, args, newTarget);
            },
          });
          try {
            for (const c of chunks) d.push(c, (f) => seen.push(f.byteLength));
          } catch (e) {
            error = e;
          } finally {
            (globalThis as { Uint8Array: unknown }).Uint8Array = Real;
          }
          const firstTooLarge = lengths.findIndex((l) => l > max);
          if (firstTooLarge === -1) expect(error).toBeNull();
          else expect((error as NetError).code).toBe("FRAME_TOO_LARGE");
          expect(seen).toEqual(firstTooLarge === -1 ? lengths : lengths.slice(0, firstTooLarge));
          for (const a of allocated) expect(a).toBeLessThanOrEqual(max);
          // One allocation per straddling frame at most, each a declared length.
          expect(allocated.length).toBeLessThanOrEqual(points.length);
          for (const a of allocated) expect(lengths).toContain(a);
        },
      ),
      fcRuns(300),
    );
  });

  const tooLarge: [string, number[], HeaderFormat, number | undefined][] = [
    ["0xFFFFFFFF", [0xff, 0xff, 0xff, 0xff], "be32", undefined],
    ["0x80000000 (be32, would be negative if read signed)", [0x80, 0, 0, 0], "be32", undefined],
    ["0x80000000 (le32)", [0, 0, 0, 0x80], "le32", undefined],
    ["default max + 1", [0x01, 0x00, 0x00, 0x01], "be32", undefined],
    ["custom max + 1 (1001 > 1000)", [0, 0, 0x03, 0xe9], "be32", 1000],
    ["0xFFFFFFFF with max 2^32 - 2", [0xff, 0xff, 0xff, 0xff], "be32", 0xffff_fffe],
  ];

  it.each(tooLarge)("%s throws FRAME_TOO_LARGE on the header alone", (_name, header, format, max) => {
    const d = new FrameDecoder({ header: format, ...(max === undefined ? {} : { maxFrameLength: max }) });
    expectNetError(() => d.push(bytes(...header), () => {}), "FRAME_TOO_LARGE");
  });

  it.each(tooLarge)("%s throws right after the 4th header byte when fed byte by byte", (_name, header, format, max) => {
    const d = new FrameDecoder({ header: format, ...(max === undefined ? {} : { maxFrameLength: max }) });
    for (const b of header.slice(0, 3)) expect(d.decode(bytes(b))).toEqual([]);
    expectNetError(() => d.push(bytes(header[3]!), () => {}), "FRAME_TOO_LARGE");
  });

  it("frames before the oversized header are delivered before the error", () => {
    const stream = new Uint8Array([...encodeFrames([ascii("ok")]), 0xff, 0xff, 0xff, 0xff]);
    const seen: string[] = [];
    const d = new FrameDecoder();
    expectNetError(() => d.push(stream, (f) => seen.push(toHex(f))), "FRAME_TOO_LARGE");
    expect(seen).toEqual([toHex(ascii("ok"))]);
  });

  it("a failed decoder refuses further input", () => {
    const d = new FrameDecoder({ maxFrameLength: 10 });
    expectNetError(() => d.push(bytes(0, 0, 0, 11), () => {}), "FRAME_TOO_LARGE");
    expectNetError(() => d.push(bytes(0, 0, 0, 0), () => {}), "PROTOCOL");
  });

  it("exactly the maximum is accepted", () => {
    const max = 1000;
    const payload = new Uint8Array(max).fill(0x5a);
    for (const [, chunks] of allFeedings(encodeFrames([payload, bytes()]))) {
      const d = new FrameDecoder({ maxFrameLength: max });
      const out: string[] = [];
      for (const c of chunks) d.push(c, (f) => out.push(toHex(f)));
      d.end();
      expect(out).toEqual([toHex(payload), ""]);
    }
  });

  it("exactly the default maximum (16 MiB) is accepted", () => {
    expect(DEFAULT_MAX_FRAME_LENGTH).toBe(16 * 1024 * 1024);
    const d = new FrameDecoder();
    expect(d.decode(encodeHeader(DEFAULT_MAX_FRAME_LENGTH))).toEqual([]);
    expect(d.pending).toBe(4);
    const [f] = d.decode(new Uint8Array(DEFAULT_MAX_FRAME_LENGTH));
    expect(f!.byteLength).toBe(DEFAULT_MAX_FRAME_LENGTH);
  });

  it("maxFrameLength 0 accepts only empty frames", () => {
    const d = new FrameDecoder({ maxFrameLength: 0 });
    expect(d.decode(bytes(0, 0, 0, 0, 0, 0, 0, 0))).toEqual([bytes(), bytes()]);
    expectNetError(() => d.push(bytes(0, 0, 0, 1), () => {}), "FRAME_TOO_LARGE");
  });

  it("rejects an invalid maxFrameLength option", () => {
    expect(() => new FrameDecoder({ maxFrameLength: -1 })).toThrow(RangeError);
    expect(() => new FrameDecoder({ maxFrameLength: 1.5 })).toThrow(RangeError);
  });
});

describe("end of stream", () => {
  it.each([1, 2, 3])("end() after %i header bytes throws UNEXPECTED_EOF", (n) => {
    const d = new FrameDecoder();
    d.push(bytes(0, 0, 0, 5).subarray(0, n), () => {});
    expect(d.pending).toBe(n);
    expectNetError(() => d.end(), "UNEXPECTED_EOF");
  });

  it("end() inside a body throws UNEXPECTED_EOF", () => {
    for (const have of [0, 1, 4]) {
      const d = new FrameDecoder();
      d.push(encodeFrames([ascii("hello")]).subarray(0, 4 + have), () => {});
      expect(d.pending).toBe(4 + have);
      const err = expectNetError(() => d.end(), "UNEXPECTED_EOF");
      expect(err.message).toContain(`${have} of 5`);
    }
  });

  it("end() is fine between frames, on a fresh decoder and after empty frames", () => {
    expect(() => new FrameDecoder().end()).not.toThrow();
    const d = new FrameDecoder();
    d.push(encodeFrames([ascii("a"), bytes()]), () => {});
    expect(d.pending).toBe(0);
    expect(() => d.end()).not.toThrow();
  });
});

/** A fake connection read side that hands out the given chunks, then null (FIN) forever. */
function fakeSource(chunks: readonly Uint8Array[]): ByteSource {
  let i = 0;
  return {
    read: async () => (i < chunks.length ? chunks[i++]! : null),
  };
}

async function readAll(reader: FrameReader): Promise<string[]> {
  const out: string[] = [];
  for (let f = await reader.read(); f !== null; f = await reader.read()) out.push(toHex(f));
  return out;
}

describe("FrameReader", () => {
  const payloads = [ascii("one"), bytes(), new Uint8Array(5000).fill(1), ascii("four")];

  it("returns every frame, then null at a clean end of stream (and null again after)", async () => {
    for (const [, chunks] of allFeedings(encodeFrames(payloads))) {
      const reader = new FrameReader(fakeSource(chunks));
      expect(await readAll(reader)).toEqual(payloads.map(toHex));
      expect(await reader.read()).toBeNull();
    }
  });

  it("returns null immediately for an empty stream", async () => {
    expect(await new FrameReader(fakeSource([])).read()).toBeNull();
  });

  it("reads le32 frames", async () => {
    const reader = new FrameReader(fakeSource([encodeFrames(payloads, "le32")]), { header: "le32" });
    expect(await readAll(reader)).toEqual(payloads.map(toHex));
  });

  it("rejects UNEXPECTED_EOF when the stream ends inside a frame", async () => {
    const stream = encodeFrames([ascii("complete"), ascii("partial")]);
    for (const cut of [stream.byteLength - 1, 12 + 1, 12 + 4]) {
      const reader = new FrameReader(fakeSource([stream.slice(0, cut)]));
      expect(toHex((await reader.read())!)).toBe(toHex(ascii("complete")));
      await expect(reader.read()).rejects.toMatchObject({ name: "NetError", code: "UNEXPECTED_EOF" });
    }
  });

  it("rejects FRAME_TOO_LARGE for an oversized declared length", async () => {
    const reader = new FrameReader(fakeSource([bytes(0, 0, 0, 200)]), { maxFrameLength: 100 });
    await expect(reader.read()).rejects.toMatchObject({ code: "FRAME_TOO_LARGE" });
  });
});

/** Feeds `chunks` through pushPieces; returns the frames put back together (hex) and the pieces seen. */
function decodePieces(chunks: readonly Uint8Array[]): {
  frames: string[];
  pieces: { len: number; offset: number; frameLength: number; view: boolean }[];
} {
  const d = new FrameDecoder();
  const frames: string[] = [];
  const pieces: { len: number; offset: number; frameLength: number; view: boolean }[] = [];
  let current = "";
  for (const c of chunks) {
    d.pushPieces(c, (piece, offset, frameLength) => {
      pieces.push({ len: piece.byteLength, offset, frameLength, view: piece.buffer === c.buffer });
      current += toHex(piece);
      if (offset + piece.byteLength === frameLength) {
        frames.push(current);
        current = "";
      }
    });
  }
  d.end();
  return { frames, pieces };
}

describe("FrameDecoder.pushPieces", () => {
  const payloads = [ascii("one"), bytes(), new Uint8Array(5000).fill(1), ascii("four"), bytes()];

  it("hands out every frame as in-order pieces that are views into their chunk, in any split", () => {
    for (const [how, chunks] of allFeedings(encodeFrames(payloads))) {
      const { frames, pieces } = decodePieces(chunks);
      expect(frames, how).toEqual(payloads.map(toHex));
      expect(
        pieces.every((p) => p.view),
        how,
      ).toBe(true);
      // Offsets are contiguous within each frame and only the empty frame has an empty piece.
      let want = 0;
      for (const p of pieces) {
        expect(p.offset).toBe(want);
        expect(p.len > 0 || p.frameLength === 0).toBe(true);
        want = p.offset + p.len === p.frameLength ? 0 : p.offset + p.len;
      }
    }
  });

  it("a frame inside one chunk is one piece; a straddling frame is one piece per chunk", () => {
    const stream = encodeFrames([new Uint8Array(10).fill(2)]);
    expect(decodePieces([stream]).pieces).toEqual([{ len: 10, offset: 0, frameLength: 10, view: true }]);
    expect(decodePieces(splitAt(stream, [6, 9])).pieces.map((p) => [p.offset, p.len])).toEqual([
      [0, 2],
      [2, 3],
      [5, 5],
    ]);
  });

  it("checks the declared length before handing out any piece of the frame", () => {
    const d = new FrameDecoder({ maxFrameLength: 8 });
    const seen: number[] = [];
    expectNetError(
      () => d.pushPieces(bytes(0, 0, 0, 1, 7, 0, 0, 0, 9, 1, 2), (_p, _o, len) => seen.push(len)),
      "FRAME_TOO_LARGE",
    );
    expect(seen).toEqual([1]);
  });

  it("end() inside a streamed frame is UNEXPECTED_EOF", () => {
    const d = new FrameDecoder();
    d.pushPieces(bytes(0, 0, 0, 5, 1, 2), () => {});
    const e = expectNetError(() => d.end(), "UNEXPECTED_EOF");
    expect(e.message).toContain("2 of 5 bytes");
  });

  it("push and pushPieces alternate between frames, not inside one", () => {
    const stream = encodeFrames([ascii("ab"), ascii("cd"), ascii("ef")]);
    const d = new FrameDecoder();
    const got: string[] = [];
    d.push(stream.subarray(0, 6), (f) => got.push(toHex(f)));
    d.pushPieces(stream.subarray(6, 12), (p) => got.push(toHex(p)));
    d.push(stream.subarray(12), (f) => got.push(toHex(f)));
    expect(got).toEqual([toHex(ascii("ab")), toHex(ascii("cd")), toHex(ascii("ef"))]);

    const a = new FrameDecoder();
    a.push(bytes(0, 0, 0, 3, 1), () => {});
    expectNetError(() => a.pushPieces(bytes(2, 3), () => {}), "PROTOCOL");
    const b = new FrameDecoder();
    b.pushPieces(bytes(0, 0, 0, 3, 1), () => {});
    expectNetError(() => b.push(bytes(2, 3), () => {}), "PROTOCOL");
  });
});

/** A source that, like the Deno adapter, copies every chunk into one reused buffer and returns a view of it. */
function reusingSource(chunks: readonly Uint8Array[]): ByteSource & { buffer: ArrayBufferLike } {
  const buf = new Uint8Array(Math.max(1, ...chunks.map((c) => c.byteLength)));
  let i = 0;
  return {
    buffer: buf.buffer,
    read: async () => {
      if (i >= chunks.length) return null;
      const c = chunks[i++]!;
      buf.fill(0xee);
      buf.set(c);
      return buf.subarray(0, c.byteLength);
    },
  };
}

describe("FrameReader.readPiece", () => {
  const payloads = [
    ascii("header"),
    new Uint8Array(3000).fill(5),
    bytes(),
    ascii("x"),
    new Uint8Array(700).fill(6),
    bytes(),
  ];

  it("gives every frame as pieces, views into the source's (reused) buffer, then null", async () => {
    for (const [how, chunks] of allFeedings(encodeFrames(payloads))) {
      const source = reusingSource(chunks);
      const reader = new FrameReader(source);
      const frames: string[] = [];
      let current = "";
      for (let p: FramePiece | null = await reader.readPiece(); p !== null; p = await reader.readPiece()) {
        expect(p.bytes.buffer, how).toBe(source.buffer);
        expect(p.offset).toBe(current.length / 2);
        current += toHex(p.bytes);
        if (p.offset + p.bytes.byteLength === p.frameLength) {
          frames.push(current);
          current = "";
        }
      }
      expect(frames, how).toEqual(payloads.map(toHex));
      expect(await reader.readPiece()).toBeNull();
    }
  });

  it("alternates with read() between frames; read() copies a straddling frame before the source reuses its buffer", async () => {
    for (const [how, chunks] of allFeedings(encodeFrames(payloads))) {
      const reader = new FrameReader(reusingSource(chunks));
      expect(toHex((await reader.read())!), how).toBe(toHex(payloads[0]!));
      let data = "";
      for (;;) {
        const p = (await reader.readPiece())!;
        if (p.frameLength === 0) break;
        data += toHex(p.bytes);
      }
      expect(data, how).toBe(toHex(payloads[1]!));
      expect(toHex((await reader.read())!), how).toBe(toHex(payloads[3]!));
      expect(toHex((await reader.read())!), how).toBe(toHex(payloads[4]!));
      expect(toHex((await reader.read())!), how).toBe("");
      expect(await reader.read(), how).toBeNull();
    }
  });

  it("read() inside a frame that readPiece() began is PROTOCOL", async () => {
    const stream = encodeFrames([new Uint8Array(100)]);
    const reader = new FrameReader(fakeSource([stream.subarray(0, 50), stream.subarray(50)]));
    expect((await reader.readPiece())!.bytes.byteLength).toBe(46);
    await expect(reader.read()).rejects.toMatchObject({ code: "PROTOCOL" });
  });

  it("rejects UNEXPECTED_EOF when the stream ends inside a frame, FRAME_TOO_LARGE before any piece of an oversized one", async () => {
    const cut = new FrameReader(fakeSource([encodeFrames([new Uint8Array(100)]).subarray(0, 60)]));
    expect((await cut.readPiece())!.bytes.byteLength).toBe(56);
    await expect(cut.readPiece()).rejects.toMatchObject({ code: "UNEXPECTED_EOF" });
    const big = new FrameReader(fakeSource([bytes(0, 0, 0, 200, 1, 2)]), { maxFrameLength: 100 });
    await expect(big.readPiece()).rejects.toMatchObject({ code: "FRAME_TOO_LARGE" });
  });
});

describe("encodeFrame / writeFrame", () => {
  it("returns [header, payload] with the very same payload object above COALESCE_LIMIT", () => {
    const payload = new Uint8Array(COALESCE_LIMIT + 1).fill(9);
    const parts = encodeFrame(payload);
    expect(parts).toHaveLength(2);
    expect(parts[1]).toBe(payload);
    expect(toHex(parts[0]!)).toBe(toHex(encodeHeader(COALESCE_LIMIT + 1)));
    const le = encodeFrame(payload, "le32");
    expect(le[1]).toBe(payload);
    expect(toHex(le[0]!)).toBe(toHex(encodeHeader(COALESCE_LIMIT + 1, "le32")));
  });

  it("coalesces small payloads (up to COALESCE_LIMIT) into one buffer", () => {
    for (const n of [0, 1, 100, COALESCE_LIMIT]) {
      const payload = new Uint8Array(n).fill(3);
      const parts = encodeFrame(payload);
      expect(parts).toHaveLength(1);
      expect(parts[0]!.buffer).not.toBe(payload.buffer);
      expect(toHex(parts[0]!)).toBe(toHex(encodeFrames([payload])));
    }
  });

  it("writeFrame writes header + payload once for small, twice without copying for large", async () => {
    const writes: Uint8Array[] = [];
    const sink = { write: async (b: Uint8Array) => void writes.push(b) };
    await writeFrame(sink, ascii("abc"));
    expect(writes.map(toHex)).toEqual(["00000003616263"]);
    writes.length = 0;
    const big = new Uint8Array(COALESCE_LIMIT + 10);
    await writeFrame(sink, big, "le32");
    expect(writes).toHaveLength(2);
    expect(writes[1]).toBe(big);
    expect(toHex(writes[0]!)).toBe(toHex(encodeHeader(big.byteLength, "le32")));
  });
});
