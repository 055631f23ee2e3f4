/**
 * Frame decoder microbenchmark, run inside each runtime: our FrameDecoder against
 * it-length-prefixed (the libp2p decoder, given a 4-byte big-endian length decoder so it
 * parses the same wire format) and a naive decoder that concatenates its backlog with every
 * chunk. Every decoder hands out each frame as a Uint8Array, so the work compared is the same.
 */
import { FrameDecoder, encodeFrames } from "@netparity/protocol";
import { decode as lpDecode } from "it-length-prefixed";
import type { Uint8ArrayList } from "uint8arraylist";
import type { DecoderResult } from "./protocol.js";

export type DecoderName = "framedecoder" | "it-length-prefixed" | "naive";
export const DECODERS: readonly DecoderName[] = ["framedecoder", "it-length-prefixed", "naive"];

/** A stream of equal frames cut into separately allocated chunks, as sockets deliver them. */
export interface Stream {
  frameSize: number;
  frames: number;
  chunks: Uint8Array[];
}

export function makeStream(frameSize: number, streamBytes: number, chunk: number): Stream {
  const frames = Math.max(1, Math.floor(streamBytes / (frameSize + 4)));
  const payload = new Uint8Array(frameSize);
  for (let i = 0; i < frameSize; i++) payload[i] = (i * 31 + 7) & 0xff;
  const whole = encodeFrames(new Array<Uint8Array>(frames).fill(payload));
  const chunks: Uint8Array[] = [];
  // slice(), not subarray(): each chunk owns its buffer, like a socket read.
  for (let off = 0; off < whole.byteLength; off += chunk)
    chunks.push(whole.slice(off, Math.min(off + chunk, whole.byteLength)));
  return { frameSize, frames, chunks };
}

const be32Length = Object.assign(
  (buf: Uint8ArrayList): number => {
    // getUint32 throws RangeError on fewer than 4 bytes, which it-length-prefixed reads as "wait for more".
    return buf.getUint32(0);
  },
  { bytes: 4 },
);

/** Decodes the whole stream once; returns the number of frames seen. */
function passFrameDecoder(s: Stream): number {
  let n = 0;
  const onFrame = (_f: Uint8Array): void => {
    n++;
  };
  const d = new FrameDecoder();
  for (const c of s.chunks) d.push(c, onFrame);
  d.end();
  return n;
}

function passLengthPrefixed(s: Stream): number {
  let n = 0;
  for (const list of lpDecode(s.chunks, { lengthDecoder: be32Length, maxDataLength: 16 * 1024 * 1024 })) {
    // A Uint8ArrayList; subarray() gives the Uint8Array the other decoders hand out
    // (a view when the frame lies in one chunk, a copy otherwise).
    if (list.subarray().byteLength >= 0) n++;
  }
  return n;
}

/** The decoder people write first: append every chunk to the backlog, then cut frames off. */
function passNaive(s: Stream): number {
  let n = 0;
  let backlog = new Uint8Array(0);
  for (const c of s.chunks) {
    const joined = new Uint8Array(backlog.byteLength + c.byteLength);
    joined.set(backlog, 0);
    joined.set(c, backlog.byteLength);
    backlog = joined;
    for (;;) {
      if (backlog.byteLength < 4) break;
      const len = ((backlog[0]! << 24) >>> 0) + ((backlog[1]! << 16) | (backlog[2]! << 8) | backlog[3]!);
      if (backlog.byteLength < 4 + len) break;
      const frame = backlog.subarray(4, 4 + len);
      if (frame.byteLength >= 0) n++;
      backlog = backlog.subarray(4 + len);
    }
  }
  if (backlog.byteLength) throw new Error("naive decoder: bytes left at end of stream");
  return n;
}

const PASS: Record<DecoderName, (s: Stream) => number> = {
  framedecoder: passFrameDecoder,
  "it-length-prefixed": passLengthPrefixed,
  naive: passNaive,
};

/** A window measured in CPU time ends after at most this many times its length of wall time. */
const WALL_CAP = 20;

/** Frames of our decoder that are copies rather than views into their chunk (untimed check). */
export function countCopies(s: Stream): number {
  let copied = 0;
  let current: Uint8Array | null = null;
  const d = new FrameDecoder();
  for (const c of s.chunks) {
    current = c;
    d.push(c, (f) => {
      if (f.buffer !== current!.buffer) copied++;
    });
  }
  return copied;
}

/**
 * Runs `impl` on `s` for about `seconds` (at least one pass, at most 10,000 passes) after an
 * untimed warm-up of as long (at least one pass), and checks that every pass found every frame.
 * Both windows are CPU seconds of the process where `cpuMicros` tells (wall seconds otherwise,
 * and never more than WALL_CAP × `seconds` of wall time).
 */
// The warm-up lasts as long as the measurement, not one pass: JavaScriptCore (Bun) compiles a
// hot function with its optimizing tiers later than V8, and in a fresh process it ran the
// decoder at 4-7 M frames per CPU second for the first 0.3 s after one pass, against 23 M
// once optimized (conformance/bench/decoder-variants.mjs, `cold` against the default mode).
// Measured right after one pass, decoder-64 compared the engines' tier-up, not the decoders.
// The windows count CPU time because on a loaded machine 0.3 s of wall time may give the
// process a few tens of milliseconds of CPU, too little for JSC to reach its top tier.
export function measure(
  impl: DecoderName,
  s: Stream,
  seconds: number,
  now: () => number,
  cpuMicros: () => number | null = () => null,
): DecoderResult {
  const pass = PASS[impl];
  const cpuMs = (): number | null => {
    const c = cpuMicros();
    return c === null ? null : c / 1000;
  };
  // A window from now: done once `seconds` of its clock passed, or the wall cap.
  const window = (): (() => boolean) => {
    const w0 = now();
    const c0 = cpuMs();
    return () => {
      const c = cpuMs();
      const elapsed = c0 !== null && c !== null ? c - c0 : now() - w0;
      return elapsed >= seconds * 1000 || now() - w0 >= WALL_CAP * seconds * 1000;
    };
  };
  const warmDone = window();
  for (let i = 0; i < 10_000; i++) {
    const warm = pass(s);
    if (warm !== s.frames) throw new Error(`${impl}: decoded ${warm} of ${s.frames} frames`);
    if (warmDone()) break;
  }
  let frames = 0;
  let passes = 0;
  const c0 = cpuMicros();
  const t0 = now();
  const done = window();
  while (passes < 10_000) {
    const got = pass(s);
    if (got !== s.frames) throw new Error(`${impl}: decoded ${got} of ${s.frames} frames`);
    frames += got;
    passes++;
    if (done()) break;
  }
  const secs = (now() - t0) / 1000;
  const c1 = cpuMicros();
  const cpuSecs = c0 !== null && c1 !== null ? (c1 - c0) / 1e6 : 0;
  return {
    impl,
    frameSize: s.frameSize,
    chunk: s.chunks[0]?.byteLength ?? 0,
    frames,
    seconds: secs,
    framesPerSec: frames / secs,
    ...(cpuSecs > 0 ? { framesPerCpuSecond: frames / cpuSecs } : {}),
    streamFrames: s.frames,
    copied: impl === "framedecoder" ? countCopies(s) : -1,
  };
}
