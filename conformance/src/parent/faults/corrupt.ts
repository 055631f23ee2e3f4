/**
 * The corrupting faults of the proxy: `corrupt=P` flips one bit in a fraction P of the bytes
 * of a stream (or of the datagrams), `replace=N` replaces the Nth byte of a connection by its
 * complement. Every choice comes from the proxy's seeded Prng, so a run repeats.
 */
import type { Prng } from "@netparity/protocol";
import type { FaultSpec } from "./spec.js";

/** Whether the spec damages bytes (a client that notices must then fail, never retry it away). */
export function hasCorruption(s: FaultSpec): boolean {
  return Boolean(s.corrupt || s.replaceByte !== undefined);
}

/**
 * Bytes to pass before the next one to corrupt, when each byte is corrupted with probability
 * `p` independently: a geometric draw, so a long chunk costs one draw per flip, not per byte.
 */
export function gapBeforeFlip(prng: Prng, p: number): number {
  if (p >= 1) return 0;
  // u in (0, 1]: log(u) is finite.
  const u = (prng.nextU32() + 1) / 0x1_0000_0000;
  return Math.floor(Math.log(u) / Math.log1p(-p));
}

/**
 * The corruption of one stream connection, both directions together: `replace=N` counts the
 * bytes of both directions (as `reset=N` does), so echo cannot undo it by flipping the same
 * byte back on its way home.
 */
export class StreamCorrupter {
  #passed = 0;
  #skip: number;

  constructor(
    readonly spec: Pick<FaultSpec, "corrupt" | "replaceByte">,
    readonly prng: Prng,
    /** Told how many bits were flipped and bytes replaced in each chunk that changed. */
    readonly onChange: (flippedBits: number, replacedBytes: number) => void = () => {},
  ) {
    this.#skip = spec.corrupt ? gapBeforeFlip(prng, spec.corrupt) : Number.POSITIVE_INFINITY;
  }

  /** The chunk with its corrupted bytes (a copy when anything changed; the input is left alone). */
  apply(chunk: Uint8Array): Uint8Array {
    let out: Uint8Array | undefined;
    let flipped = 0;
    let replaced = 0;
    const copy = (): Uint8Array => (out ??= chunk.slice());
    const start = this.#passed;
    this.#passed += chunk.byteLength;
    const n = this.spec.replaceByte;
    // replace=N is 1-based: replace=1 is the very first byte.
    if (n !== undefined && n > start && n <= this.#passed) {
      const i = n - 1 - start;
      copy()[i] = chunk[i]! ^ 0xff;
      replaced++;
    }
    const p = this.spec.corrupt;
    if (p) {
      let at = this.#skip;
      while (at < chunk.byteLength) {
        const o = copy();
        o[at] = o[at]! ^ (1 << this.prng.int(0, 7));
        flipped++;
        at += 1 + gapBeforeFlip(this.prng, p);
      }
      this.#skip = at - chunk.byteLength;
    }
    if (out) this.onChange(flipped, replaced);
    return out ?? chunk;
  }
}

/** `corrupt=P` on datagrams: with probability P one random bit of the datagram is flipped. */
export function corruptDatagram(data: Uint8Array, p: number | undefined, prng: Prng): Uint8Array | undefined {
  if (!p || data.byteLength === 0 || prng.nextU32() / 0x1_0000_0000 >= p) return undefined;
  const out = data.slice();
  const i = prng.int(0, data.byteLength - 1);
  out[i] = out[i]! ^ (1 << prng.int(0, 7));
  return out;
}
