/**
 * The classifier of the sticky-packet probe (`tcp.sticky`, sticky.ts): a pure function of the
 * write and read sizes it recorded, unit-tested with evidence recorded from real runtimes
 * (test/probe-classify.test.ts and test/lessons-sticky.test.ts).
 */
import type { ProbeVerdict } from "./types.js";

/**
 * "merged" when a read holds bytes of two or more writes, "split" when a write is spread
 * over two or more reads, both joined by "+", "separate" when reads matched writes 1:1.
 */
export function classify(writes: readonly number[], reads: readonly number[]): string {
  const wEnds = new Set<number>();
  const rEnds = new Set<number>();
  let at = 0;
  for (const w of writes) {
    at += w;
    wEnds.add(at);
  }
  at = 0;
  for (const r of reads) {
    at += r;
    rEnds.add(at);
  }
  // A write boundary strictly inside a read means that read merged writes; a read boundary
  // strictly inside a write means that write was split.
  let merged = false;
  let split = false;
  at = 0;
  for (const r of reads) {
    for (const e of wEnds) if (e > at && e < at + r) merged = true;
    at += r;
  }
  at = 0;
  for (const w of writes) {
    for (const e of rEnds) if (e > at && e < at + w) split = true;
    at += w;
  }
  return merged && split ? "merged+split" : merged ? "merged" : split ? "split" : "separate";
}

/** Few sizes as they are, long runs summarized so the evidence stays short. */
function sizes(reads: readonly number[]): string {
  if (reads.length <= 8) return reads.join("+");
  return `${reads.slice(0, 6).join("+")}+…(${reads.length - 6} more reads)`;
}

/** What tcp.sticky records: the unframed writes and reads, and the framed messages read back. */
export interface StickyEvidence {
  runtime: string;
  writeSizes: number[];
  readSizes: number[];
  reads: number;
  unframedBytesIntact: boolean;
  readerDelayMs: number;
  eagerReaderSmallWrites: { writeSizes: number[]; readSizes: number[]; shape: string };
  framed: { frames: number; intact: number; readSizes: number[] };
}

/**
 * The shape of the unframed reads ("merged", "split", "merged+split", "separate"), "bytes-lost"
 * when the bytes did not all come back, and "; framing-failed" when framed messages did not.
 */
export function classifySticky(e: StickyEvidence): ProbeVerdict {
  const count = e.writeSizes.length;
  const shape = classify(e.writeSizes, e.readSizes);
  const fixed = e.framed.intact === count;
  const outcome = !e.unframedBytesIntact ? "bytes-lost" : fixed ? shape : `${shape}; framing-failed`;
  return {
    outcome,
    explanation:
      `${e.runtime} delivered ${count} quick writes of ${e.writeSizes.join("+")} bytes as ${e.readSizes.length} reads of ${sizes(e.readSizes)} bytes (${shape}), ` +
      `because TCP is a byte stream that keeps no message boundaries. ` +
      (fixed
        ? `Sent with a 4-byte length prefix, the same ${count} messages were read back as ${e.framed.intact} intact frames, however the bytes were split or merged.`
        : `Sent with a 4-byte length prefix, only ${e.framed.intact} of ${count} messages came back intact, which is a bug.`),
  };
}
