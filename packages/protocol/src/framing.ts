/**
 * The frame codec of wire contract v1: a 4-byte unsigned length (big-endian by default,
 * `le32` for the seed lessons' `struct.pack('i', L)`) followed by L payload bytes.
 *
 * The decoder is a small HEADER/BODY state machine (after it-length-prefixed's decode and
 * undici's ByteParser). It never concatenates its backlog: a frame that lies inside one
 * chunk is returned as a `subarray` view (zero-copy), and only a frame that straddles
 * chunks is copied, into a buffer allocated once its declared length passed the maximum.
 * A consumer that does not need a frame in one piece (hashing, saving to a file) takes it
 * as pieces instead (`pushPieces`, `FrameReader.readPiece`): views into the chunks, no copy
 * at all, whatever the split.
 */
import { NetError } from "./errors.js";

export type HeaderFormat = "be32" | "le32";
export const HEADER_LENGTH = 4;
export const DEFAULT_MAX_FRAME_LENGTH = 16 * 1024 * 1024;
/** Payloads up to this size are sent as one write of header + payload (one small copy). */
export const COALESCE_LIMIT = 16 * 1024;
const MAX_UINT32 = 0xffff_ffff;

export interface FrameOptions {
  /** Largest accepted declared length; larger is FRAME_TOO_LARGE. Default 16 MiB. */
  maxFrameLength?: number;
  header?: HeaderFormat;
}

export function encodeHeader(length: number, header: HeaderFormat = "be32"): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > MAX_UINT32) {
    throw new NetError("FRAME_TOO_LARGE", `frame length ${length} does not fit a 4-byte header`);
  }
  const h = new Uint8Array(HEADER_LENGTH);
  writeHeader(h, 0, length, header);
  return h;
}

function writeHeader(into: Uint8Array, at: number, length: number, header: HeaderFormat): void {
  if (header === "be32") {
    into[at] = length >>> 24;
    into[at + 1] = (length >>> 16) & 0xff;
    into[at + 2] = (length >>> 8) & 0xff;
    into[at + 3] = length & 0xff;
  } else {
    into[at + 3] = length >>> 24;
    into[at + 2] = (length >>> 16) & 0xff;
    into[at + 1] = (length >>> 8) & 0xff;
    into[at] = length & 0xff;
  }
}

/**
 * Encode one frame as the list of buffers to write. Small payloads are coalesced into one
 * buffer; large ones are returned as [header, payload] so the payload is never copied.
 */
export function encodeFrame(payload: Uint8Array, header: HeaderFormat = "be32"): Uint8Array[] {
  if (payload.byteLength > COALESCE_LIMIT) return [encodeHeader(payload.byteLength, header), payload];
  const out = new Uint8Array(HEADER_LENGTH + payload.byteLength);
  writeHeader(out, 0, payload.byteLength, header);
  out.set(payload, HEADER_LENGTH);
  return [out];
}

/** Encode many frames into one buffer (tests, small messages). */
export function encodeFrames(payloads: readonly Uint8Array[], header: HeaderFormat = "be32"): Uint8Array {
  let total = 0;
  for (const p of payloads) total += HEADER_LENGTH + p.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of payloads) {
    writeHeader(out, at, p.byteLength, header);
    out.set(p, at + HEADER_LENGTH);
    at += HEADER_LENGTH + p.byteLength;
  }
  return out;
}

/**
 * Receives frames in pieces (`FrameDecoder.pushPieces`). `piece` is a view into the chunk
 * being decoded, never a copy; `offset` is where it lies in its frame and `frameLength` the
 * frame's declared length, already checked against the maximum. The pieces of a frame come
 * in order and cover it exactly: the first has offset 0, the last ends at `frameLength`; an
 * empty frame is one empty piece.
 */
export type FramePieceHandler = (piece: Uint8Array, offset: number, frameLength: number) => void;

// biome-ignore lint/suspicious/noConstEnum: file-local, so TypeScript and esbuild inline the numbers into the decoder loop.
const enum State {
  Header = 0,
  Body = 1,
  Failed = 2,
}

/**
 * Streaming frame decoder. Feed it chunks in any split; it calls `onFrame` for each complete
 * frame. A frame passed to `onFrame` may be a view into the chunk just pushed: it is valid
 * until the next `push` (copy it to keep it longer).
 */
// What `push` costs per frame, measured with conformance/bench/decoder-variants.mjs (64 B
// frames in 64 KiB chunks, frames per CPU second, variants alternating in one process):
// making the view is 80-90 % of it on every engine (the loop without a view runs 160-260 M
// frames/s, with one 20-30 M). On JavaScriptCore (Bun) private fields, the callback and
// locals-vs-fields make no measurable difference once optimized (all ~24 M/s); Bun's low
// numbers in the bench came from tier-up: a fresh process measured right after one pass runs
// `push` in JSC's lower tiers while its FTL compile (~20-40 ms of compiler time) is under way,
// 6-9 M/s for the first 0.3 s; and from the bench agent keeping every frame size's stream
// alive, which made JSC grow its heap during the measurement (each view is a heap allocation;
// conformance/docs/bench.md). Once the heap is grown the loop makes views as fast as JSC can
// (~30 M/s either way), so nothing here is Bun-specific. Hence the shape below: a small loop over locals for the frames
// whose header and body lie in the chunk (less to interpret and to compile, no field read or
// written per frame), with headers and bodies that straddle chunks in separate methods; and
// views made with the `Uint8Array` constructor on the chunk's buffer instead of `subarray`,
// which V8 (Node, Deno) inlines and `subarray` it does not (1.5-1.7x on 64 B frames), at
// no cost on JSC. A frame is a plain `Uint8Array` even when the chunk is a Node `Buffer`.
export class FrameDecoder {
  readonly maxFrameLength: number;
  readonly header: HeaderFormat;
  readonly #le: boolean;
  #state: State = State.Header;
  readonly #headerBuf = new Uint8Array(HEADER_LENGTH);
  #headerFill = 0;
  /** The frame being assembled by `push`; null while a frame is streamed by `pushPieces`. */
  #body: Uint8Array | null = null;
  /** Declared length of the frame being streamed by `pushPieces`. */
  #bodyLength = 0;
  #bodyFill = 0;

  constructor(options: FrameOptions = {}) {
    const max = options.maxFrameLength ?? DEFAULT_MAX_FRAME_LENGTH;
    if (!Number.isInteger(max) || max < 0)
      throw new RangeError(`maxFrameLength must be a non-negative integer, got ${max}`);
    this.maxFrameLength = max;
    this.header = options.header ?? "be32";
    this.#le = this.header === "le32";
  }

  /** Bytes of an incomplete frame held by the decoder. */
  get pending(): number {
    return this.#state === State.Body ? HEADER_LENGTH + this.#bodyFill : this.#headerFill;
  }

  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    if (this.#state === State.Failed) throw new NetError("PROTOCOL", "decoder already failed");
    const n = chunk.byteLength;
    let off = 0;
    // A header or body left over from the previous chunk comes first.
    if (this.#state !== State.Header || this.#headerFill !== 0) {
      off = this.#finishPending(chunk, onFrame);
      if (off === n) return;
    }
    const max = this.maxFrameLength;
    const le = this.#le;
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    while (n - off >= HEADER_LENGTH) {
      // Multiplication instead of `<< 24` keeps lengths >= 2^31 positive (unsigned read).
      const length = le
        ? chunk[off + 3]! * 0x1000000 + ((chunk[off + 2]! << 16) | (chunk[off + 1]! << 8) | chunk[off]!)
        : chunk[off]! * 0x1000000 + ((chunk[off + 1]! << 16) | (chunk[off + 2]! << 8) | chunk[off + 3]!);
      if (length > max) this.#tooLarge(length);
      const start = off + HEADER_LENGTH;
      if (n - start < length) break;
      off = start + length;
      onFrame(new Uint8Array(buffer, base + start, length));
    }
    if (off < n) this.#beginPending(chunk, off);
  }

  /** The rest of `chunk` (from `off`) holds less than a frame: keep its header or start its body. */
  #beginPending(chunk: Uint8Array, off: number): void {
    const n = chunk.byteLength;
    if (n - off < HEADER_LENGTH) {
      for (let i = off; i < n; i++) this.#headerBuf[this.#headerFill++] = chunk[i]!;
      return;
    }
    // The length was checked against the maximum by push's loop before it came here.
    const length = this.#readLength(chunk, off);
    off += HEADER_LENGTH;
    // Straddling frame: the only place the decoder allocates, after the max check.
    const body = new Uint8Array(length);
    body.set(chunk.subarray(off, n), 0);
    this.#body = body;
    this.#bodyFill = n - off;
    this.#state = State.Body;
  }

  /** Completes the header or frame begun by an earlier chunk; returns where `chunk` continues. */
  #finishPending(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): number {
    const n = chunk.byteLength;
    let off = 0;
    if (this.#state === State.Header) {
      const take = Math.min(HEADER_LENGTH - this.#headerFill, n);
      for (let i = 0; i < take; i++) this.#headerBuf[this.#headerFill++] = chunk[i]!;
      off = take;
      if (this.#headerFill < HEADER_LENGTH) return n;
      this.#headerFill = 0;
      const length = this.#readLength(this.#headerBuf, 0);
      if (length > this.maxFrameLength) this.#tooLarge(length);
      if (n - off >= length) {
        onFrame(new Uint8Array(chunk.buffer, chunk.byteOffset + off, length));
        return off + length;
      }
      const body = new Uint8Array(length);
      body.set(chunk.subarray(off, n), 0);
      this.#body = body;
      this.#bodyFill = n - off;
      this.#state = State.Body;
      return n;
    }
    const body = this.#body;
    if (body === null) throw new NetError("PROTOCOL", "push() inside a frame that pushPieces() began");
    const take = Math.min(body.byteLength - this.#bodyFill, n);
    body.set(take === n ? chunk : chunk.subarray(0, take), this.#bodyFill);
    this.#bodyFill += take;
    if (this.#bodyFill === body.byteLength) {
      this.#body = null;
      this.#bodyFill = 0;
      this.#state = State.Header;
      onFrame(body);
    }
    return take;
  }

  #tooLarge(length: number): never {
    this.#state = State.Failed;
    throw new NetError(
      "FRAME_TOO_LARGE",
      `declared frame length ${length} exceeds the maximum of ${this.maxFrameLength} bytes`,
    );
  }

  /**
   * Like `push`, but hands out every frame as pieces, views into `chunk` (valid until the
   * next push): nothing is copied or allocated, also for a frame that straddles chunks. The
   * declared length is checked against the maximum before any piece of the frame is handed
   * out. `push` and `pushPieces` may alternate between frames, not inside one.
   */
  // pushPieces keeps its own header step rather than sharing push()'s: moved into a shared
  // private method it cost Node ~20% of push()'s frames/s on 64 B frames (measured in one
  // process, alternating).
  pushPieces(chunk: Uint8Array, onPiece: FramePieceHandler): void {
    if (this.#state === State.Failed) throw new NetError("PROTOCOL", "decoder already failed");
    if (this.#body !== null) throw new NetError("PROTOCOL", "pushPieces() inside a frame that push() began");
    const n = chunk.byteLength;
    let off = 0;
    while (off < n) {
      if (this.#state === State.Header) {
        let length: number;
        if (this.#headerFill === 0 && n - off >= HEADER_LENGTH) {
          length = this.#readLength(chunk, off);
          off += HEADER_LENGTH;
        } else {
          const take = Math.min(HEADER_LENGTH - this.#headerFill, n - off);
          for (let i = 0; i < take; i++) this.#headerBuf[this.#headerFill++] = chunk[off + i]!;
          off += take;
          if (this.#headerFill < HEADER_LENGTH) return;
          this.#headerFill = 0;
          length = this.#readLength(this.#headerBuf, 0);
        }
        if (length > this.maxFrameLength) {
          this.#state = State.Failed;
          throw new NetError(
            "FRAME_TOO_LARGE",
            `declared frame length ${length} exceeds the maximum of ${this.maxFrameLength} bytes`,
          );
        }
        if (length === 0) {
          onPiece(chunk.subarray(off, off), 0, 0);
          continue;
        }
        this.#state = State.Body;
        this.#bodyLength = length;
        this.#bodyFill = 0;
      } else {
        const length = this.#bodyLength;
        const at = this.#bodyFill;
        const take = Math.min(length - at, n - off);
        const end = off + take;
        if (at + take === length) {
          this.#state = State.Header;
          this.#bodyLength = 0;
          this.#bodyFill = 0;
        } else this.#bodyFill = at + take;
        onPiece(chunk.subarray(off, end), at, length);
        off = end;
      }
    }
  }

  /** Convenience form of `push` that collects the frames. */
  decode(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    this.push(chunk, (f) => out.push(f));
    return out;
  }

  /** Declare end of stream: throws UNEXPECTED_EOF if a frame is incomplete. */
  end(): void {
    if (this.#state === State.Failed) return;
    if (this.#state === State.Body) {
      const want = this.#body?.byteLength ?? this.#bodyLength;
      const have = this.#bodyFill;
      this.#state = State.Failed;
      throw new NetError("UNEXPECTED_EOF", `stream ended inside a frame body: ${have} of ${want} bytes received`);
    }
    if (this.#headerFill > 0) {
      const have = this.#headerFill;
      this.#state = State.Failed;
      throw new NetError(
        "UNEXPECTED_EOF",
        `stream ended inside a frame header: ${have} of ${HEADER_LENGTH} bytes received`,
      );
    }
  }

  #readLength(b: Uint8Array, at: number): number {
    // Multiplication instead of `<< 24` keeps lengths >= 2^31 positive (unsigned read).
    return !this.#le
      ? b[at]! * 0x1000000 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!)
      : b[at + 3]! * 0x1000000 + ((b[at + 2]! << 16) | (b[at + 1]! << 8) | b[at]!);
  }
}

/** The read side of a connection, as far as framing needs it. */
export interface ByteSource {
  read(): Promise<Uint8Array | null>;
}
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void>;
}

/** One piece of a frame (`FrameReader.readPiece`); see `FramePieceHandler`. */
export interface FramePiece {
  /** A view into the chunk just read, valid until the next `read()` / `readPiece()`. */
  readonly bytes: Uint8Array;
  /** Where `bytes` lies in its frame. */
  readonly offset: number;
  /** The frame's declared length; the frame ends with the piece that reaches it. */
  readonly frameLength: number;
}

/**
 * Pulls frames from a connection. A returned frame is valid until the next `read()`.
 * `read()` resolves null at a clean end of stream (FIN between frames) and rejects with
 * UNEXPECTED_EOF when the stream ends inside a frame. `readPiece()` takes the next frame in
 * pieces instead, with no copy; the two may alternate between frames.
 */
export class FrameReader {
  readonly #source: ByteSource;
  readonly #decoder: FrameDecoder;
  // The pieces of the last chunk read, as parallel lists (no object per piece).
  #pieces: Uint8Array[] = [];
  #offsets: number[] = [];
  #lengths: number[] = [];
  #next = 0;
  #done = false;
  /** readPiece() handed out part of a frame: read() cannot start there. */
  #midFrame = false;
  readonly #collect = (piece: Uint8Array, offset: number, frameLength: number): void => {
    this.#pieces.push(piece);
    this.#offsets.push(offset);
    this.#lengths.push(frameLength);
  };

  constructor(source: ByteSource, options: FrameOptions = {}) {
    this.#source = source;
    this.#decoder = new FrameDecoder(options);
  }

  get decoder(): FrameDecoder {
    return this.#decoder;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#midFrame) throw new NetError("PROTOCOL", "read() inside a frame that readPiece() began");
    if (this.#next >= this.#pieces.length && !(await this.#fill())) return null;
    const first = this.#pieces[this.#next]!;
    const length = this.#lengths[this.#next]!;
    this.#next++;
    // The whole frame lies inside one chunk: the view itself (zero-copy).
    if (first.byteLength === length) return first;
    // A frame straddling chunks: copied piece by piece, each before the next chunk is read
    // (a source may reuse its buffer). The decoder checked `length` against the maximum.
    const body = new Uint8Array(length);
    body.set(first, 0);
    let fill = first.byteLength;
    while (fill < length) {
      if (this.#next >= this.#pieces.length && !(await this.#fill())) {
        throw new NetError("UNEXPECTED_EOF", `stream ended inside a frame body: ${fill} of ${length} bytes received`);
      }
      const piece = this.#pieces[this.#next++]!;
      body.set(piece, fill);
      fill += piece.byteLength;
    }
    return body;
  }

  /**
   * The next piece of a frame: a view into the chunk just read, never a copy, valid until the
   * next `read()` / `readPiece()`; null at a clean end of stream. Pieces come in stream order;
   * an empty frame is one empty piece (frameLength 0).
   */
  async readPiece(): Promise<FramePiece | null> {
    if (this.#next >= this.#pieces.length && !(await this.#fill())) return null;
    const i = this.#next++;
    const bytes = this.#pieces[i]!;
    const offset = this.#offsets[i]!;
    const frameLength = this.#lengths[i]!;
    this.#midFrame = offset + bytes.byteLength < frameLength;
    return { bytes, offset, frameLength };
  }

  /** Reads chunks until a piece is queued; false at the end of the stream (a clean one: end() throws otherwise). */
  async #fill(): Promise<boolean> {
    while (this.#next >= this.#pieces.length) {
      if (this.#done) return false;
      this.#pieces.length = 0;
      this.#offsets.length = 0;
      this.#lengths.length = 0;
      this.#next = 0;
      const chunk = await this.#source.read();
      if (chunk === null) {
        this.#done = true;
        this.#decoder.end();
        return false;
      }
      this.#decoder.pushPieces(chunk, this.#collect);
    }
    return true;
  }
}

/** Writes one frame: header and payload in one write when small, two writes (no copy) when large. */
export async function writeFrame(sink: ByteSink, payload: Uint8Array, header: HeaderFormat = "be32"): Promise<void> {
  for (const part of encodeFrame(payload, header)) await sink.write(part);
}
