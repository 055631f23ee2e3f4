// Over 500 lines on purpose: each variant is a whole copy of the decoder loop, kept side by side
// in one file so one process can time them in alternation (see below).
// Isolates what the frame decoder's hot path costs on each engine (V8 on Node and Deno,
// JavaScriptCore on Bun): the same 64 B / 4 KiB frames in 64 KiB chunks as the `decoder`
// workload, decoded by variants that differ in one thing each, measured in one process in
// alternating order so that load on the machine hits every variant alike.
//
//   node conformance/bench/decoder-variants.mjs [CPU-seconds-per-sample=0.2] [rounds=7] [frame sizes=64,4096]
//   node conformance/bench/decoder-variants.mjs cold VARIANT [CPU-seconds=0.3] [frame size=64]
//   bun conformance/bench/decoder-variants.mjs
//   deno run conformance/bench/decoder-variants.mjs
//
// Prints, per frame size, the median M frames/s of each variant over the rounds and its ratio
// to `baseline` (the decoder as it was, private fields and all). A plain-JS copy of the loop
// rather than an import of framing.ts, so that Node runs it without a build; `shipped`
// mirrors the loop that packages/protocol/src/framing.ts ships now (keep them in step).
/* global Bun, Deno, process */

const HEADER = 4;
const MAX = 16 * 1024 * 1024;

function readBE(b, at) {
  return b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]);
}

// The decoder before the change: private fields read and written per frame, a private
// method per header, the header format compared per frame.
class Baseline {
  #state = 0;
  #headerBuf = new Uint8Array(4);
  #headerFill = 0;
  #body = null;
  #bodyFill = 0;
  header = "be32";
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    if (this.#state === 2) throw new Error("failed");
    const n = chunk.byteLength;
    let off = 0;
    while (off < n) {
      if (this.#state === 0) {
        let length;
        if (this.#headerFill === 0 && n - off >= HEADER) {
          length = this.#readLength(chunk, off);
          off += HEADER;
        } else {
          const take = Math.min(HEADER - this.#headerFill, n - off);
          for (let i = 0; i < take; i++) this.#headerBuf[this.#headerFill++] = chunk[off + i];
          off += take;
          if (this.#headerFill < HEADER) return;
          this.#headerFill = 0;
          length = this.#readLength(this.#headerBuf, 0);
        }
        if (length > this.maxFrameLength) {
          this.#state = 2;
          throw new Error("too large");
        }
        if (n - off >= length) {
          onFrame(chunk.subarray(off, off + length));
          off += length;
        } else {
          const body = new Uint8Array(length);
          body.set(chunk.subarray(off, n), 0);
          this.#bodyFill = n - off;
          off = n;
          this.#body = body;
          this.#state = 1;
        }
      } else {
        const body = this.#body;
        const take = Math.min(body.byteLength - this.#bodyFill, n - off);
        body.set(chunk.subarray(off, off + take), this.#bodyFill);
        this.#bodyFill += take;
        off += take;
        if (this.#bodyFill === body.byteLength) {
          this.#body = null;
          this.#bodyFill = 0;
          this.#state = 0;
          onFrame(body);
        }
      }
    }
  }
  #readLength(b, at) {
    return this.header === "be32"
      ? b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3])
      : b[at + 3] * 0x1000000 + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);
  }
}

// Only change: ordinary (public) fields and method instead of private ones.
class PublicFields {
  state = 0;
  headerBuf = new Uint8Array(4);
  headerFill = 0;
  body = null;
  bodyFill = 0;
  header = "be32";
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    if (this.state === 2) throw new Error("failed");
    const n = chunk.byteLength;
    let off = 0;
    while (off < n) {
      if (this.state === 0) {
        let length;
        if (this.headerFill === 0 && n - off >= HEADER) {
          length = this.readLength(chunk, off);
          off += HEADER;
        } else {
          const take = Math.min(HEADER - this.headerFill, n - off);
          for (let i = 0; i < take; i++) this.headerBuf[this.headerFill++] = chunk[off + i];
          off += take;
          if (this.headerFill < HEADER) return;
          this.headerFill = 0;
          length = this.readLength(this.headerBuf, 0);
        }
        if (length > this.maxFrameLength) {
          this.state = 2;
          throw new Error("too large");
        }
        if (n - off >= length) {
          onFrame(chunk.subarray(off, off + length));
          off += length;
        } else {
          const body = new Uint8Array(length);
          body.set(chunk.subarray(off, n), 0);
          this.bodyFill = n - off;
          off = n;
          this.body = body;
          this.state = 1;
        }
      } else {
        const body = this.body;
        const take = Math.min(body.byteLength - this.bodyFill, n - off);
        body.set(chunk.subarray(off, off + take), this.bodyFill);
        this.bodyFill += take;
        off += take;
        if (this.bodyFill === body.byteLength) {
          this.body = null;
          this.bodyFill = 0;
          this.state = 0;
          onFrame(body);
        }
      }
    }
  }
  readLength(b, at) {
    return this.header === "be32"
      ? b[at] * 0x1000000 + ((b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3])
      : b[at + 3] * 0x1000000 + ((b[at + 2] << 16) | (b[at + 1] << 8) | b[at]);
  }
}

// Private fields kept, but the whole-frames-in-this-chunk case is a loop over locals:
// no field is read or written per frame, the header format is decided once per push.
class LocalsLoop {
  #state = 0;
  #headerBuf = new Uint8Array(4);
  #headerFill = 0;
  #body = null;
  #bodyFill = 0;
  #le = false;
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    if (this.#state === 2) throw new Error("failed");
    const n = chunk.byteLength;
    const max = this.maxFrameLength;
    let off = 0;
    while (off < n) {
      if (this.#state === 0 && this.#headerFill === 0) {
        // Fast path: frames whose header lies in this chunk.
        const le = this.#le;
        while (n - off >= HEADER) {
          const length = le
            ? chunk[off + 3] * 0x1000000 + ((chunk[off + 2] << 16) | (chunk[off + 1] << 8) | chunk[off])
            : chunk[off] * 0x1000000 + ((chunk[off + 1] << 16) | (chunk[off + 2] << 8) | chunk[off + 3]);
          if (length > max) {
            this.#state = 2;
            throw new Error("too large");
          }
          const start = off + HEADER;
          if (n - start < length) break;
          off = start + length;
          onFrame(chunk.subarray(start, off));
        }
        if (off === n) return;
      }
      off = this.#slow(chunk, off, onFrame);
    }
  }
  #slow(chunk, off, onFrame) {
    const n = chunk.byteLength;
    if (this.#state === 0) {
      let length;
      if (this.#headerFill === 0 && n - off >= HEADER) {
        length = readBE(chunk, off);
        off += HEADER;
      } else {
        const take = Math.min(HEADER - this.#headerFill, n - off);
        for (let i = 0; i < take; i++) this.#headerBuf[this.#headerFill++] = chunk[off + i];
        off += take;
        if (this.#headerFill < HEADER) return n;
        this.#headerFill = 0;
        length = readBE(this.#headerBuf, 0);
      }
      if (length > this.maxFrameLength) {
        this.#state = 2;
        throw new Error("too large");
      }
      if (n - off >= length) {
        onFrame(chunk.subarray(off, off + length));
        return off + length;
      }
      const body = new Uint8Array(length);
      body.set(chunk.subarray(off, n), 0);
      this.#bodyFill = n - off;
      this.#body = body;
      this.#state = 1;
      return n;
    }
    const body = this.#body;
    const take = Math.min(body.byteLength - this.#bodyFill, n - off);
    body.set(chunk.subarray(off, off + take), this.#bodyFill);
    this.#bodyFill += take;
    off += take;
    if (this.#bodyFill === body.byteLength) {
      this.#body = null;
      this.#bodyFill = 0;
      this.#state = 0;
      onFrame(body);
    }
    return off;
  }
}

// The same locals loop with public fields: is the remaining private-field cost per chunk?
class LocalsLoopPublic {
  state = 0;
  headerBuf = new Uint8Array(4);
  headerFill = 0;
  body = null;
  bodyFill = 0;
  le = false;
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    if (this.state === 2) throw new Error("failed");
    const n = chunk.byteLength;
    const max = this.maxFrameLength;
    let off = 0;
    while (off < n) {
      if (this.state === 0 && this.headerFill === 0) {
        const le = this.le;
        while (n - off >= HEADER) {
          const length = le
            ? chunk[off + 3] * 0x1000000 + ((chunk[off + 2] << 16) | (chunk[off + 1] << 8) | chunk[off])
            : chunk[off] * 0x1000000 + ((chunk[off + 1] << 16) | (chunk[off + 2] << 8) | chunk[off + 3]);
          if (length > max) {
            this.state = 2;
            throw new Error("too large");
          }
          const start = off + HEADER;
          if (n - start < length) break;
          off = start + length;
          onFrame(chunk.subarray(start, off));
        }
        if (off === n) return;
      }
      off = this.slow(chunk, off, onFrame);
    }
  }
  slow(chunk, off, onFrame) {
    const n = chunk.byteLength;
    if (this.state === 0) {
      let length;
      if (this.headerFill === 0 && n - off >= HEADER) {
        length = readBE(chunk, off);
        off += HEADER;
      } else {
        const take = Math.min(HEADER - this.headerFill, n - off);
        for (let i = 0; i < take; i++) this.headerBuf[this.headerFill++] = chunk[off + i];
        off += take;
        if (this.headerFill < HEADER) return n;
        this.headerFill = 0;
        length = readBE(this.headerBuf, 0);
      }
      if (length > this.maxFrameLength) {
        this.state = 2;
        throw new Error("too large");
      }
      if (n - off >= length) {
        onFrame(chunk.subarray(off, off + length));
        return off + length;
      }
      const body = new Uint8Array(length);
      body.set(chunk.subarray(off, n), 0);
      this.bodyFill = n - off;
      this.body = body;
      this.state = 1;
      return n;
    }
    const body = this.body;
    const take = Math.min(body.byteLength - this.bodyFill, n - off);
    body.set(chunk.subarray(off, off + take), this.bodyFill);
    this.bodyFill += take;
    off += take;
    if (this.bodyFill === body.byteLength) {
      this.body = null;
      this.bodyFill = 0;
      this.state = 0;
      onFrame(body);
    }
    return off;
  }
}

// The locals loop, each frame made with the view constructor on the chunk's buffer (fetched
// once per chunk) instead of `subarray`.
class LocalsLoopCtor {
  #le = false;
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    const n = chunk.byteLength;
    const max = this.maxFrameLength;
    const le = this.#le;
    const buf = chunk.buffer;
    const base = chunk.byteOffset;
    let off = 0;
    while (n - off >= HEADER) {
      const length = le
        ? chunk[off + 3] * 0x1000000 + ((chunk[off + 2] << 16) | (chunk[off + 1] << 8) | chunk[off])
        : chunk[off] * 0x1000000 + ((chunk[off + 1] << 16) | (chunk[off + 2] << 8) | chunk[off + 3]);
      if (length > max) {
        throw new Error("too large");
      }
      const start = off + HEADER;
      if (n - start < length) break;
      off = start + length;
      onFrame(new Uint8Array(buf, base + start, length));
    }
  }
}
// The same with `subarray`, for a like-for-like comparison of the two ways to make a view.
class LocalsLoopSub {
  #le = false;
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    const n = chunk.byteLength;
    const max = this.maxFrameLength;
    const le = this.#le;
    let off = 0;
    while (n - off >= HEADER) {
      const length = le
        ? chunk[off + 3] * 0x1000000 + ((chunk[off + 2] << 16) | (chunk[off + 1] << 8) | chunk[off])
        : chunk[off] * 0x1000000 + ((chunk[off + 1] << 16) | (chunk[off + 2] << 8) | chunk[off + 3]);
      if (length > max) {
        throw new Error("too large");
      }
      const start = off + HEADER;
      if (n - start < length) break;
      off = start + length;
      onFrame(chunk.subarray(start, off));
    }
  }
}

// The loop framing.ts ships: locals, views from the constructor, pending headers and bodies
// in separate methods.
class Shipped {
  #le = false;
  #state = 0;
  #headerBuf = new Uint8Array(HEADER);
  #headerFill = 0;
  #body = null;
  #bodyFill = 0;
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    if (this.#state === 2) throw new Error("failed");
    const n = chunk.byteLength;
    let off = 0;
    if (this.#state !== 0 || this.#headerFill !== 0) {
      off = this.#finishPending(chunk, onFrame);
      if (off === n) return;
    }
    const max = this.maxFrameLength;
    const le = this.#le;
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    while (n - off >= HEADER) {
      const length = le
        ? chunk[off + 3] * 0x1000000 + ((chunk[off + 2] << 16) | (chunk[off + 1] << 8) | chunk[off])
        : chunk[off] * 0x1000000 + ((chunk[off + 1] << 16) | (chunk[off + 2] << 8) | chunk[off + 3]);
      if (length > max) this.#tooLarge();
      const start = off + HEADER;
      if (n - start < length) break;
      off = start + length;
      onFrame(new Uint8Array(buffer, base + start, length));
    }
    if (off < n) this.#beginPending(chunk, off);
  }
  #beginPending(chunk, off) {
    const n = chunk.byteLength;
    if (n - off < HEADER) {
      for (let i = off; i < n; i++) this.#headerBuf[this.#headerFill++] = chunk[i];
      return;
    }
    const length = readBE(chunk, off);
    off += HEADER;
    const body = new Uint8Array(length);
    body.set(chunk.subarray(off, n), 0);
    this.#body = body;
    this.#bodyFill = n - off;
    this.#state = 1;
  }
  #finishPending(chunk, onFrame) {
    const n = chunk.byteLength;
    let off = 0;
    if (this.#state === 0) {
      const take = Math.min(HEADER - this.#headerFill, n);
      for (let i = 0; i < take; i++) this.#headerBuf[this.#headerFill++] = chunk[i];
      off = take;
      if (this.#headerFill < HEADER) return n;
      this.#headerFill = 0;
      const length = readBE(this.#headerBuf, 0);
      if (length > this.maxFrameLength) this.#tooLarge();
      if (n - off >= length) {
        onFrame(new Uint8Array(chunk.buffer, chunk.byteOffset + off, length));
        return off + length;
      }
      const body = new Uint8Array(length);
      body.set(chunk.subarray(off, n), 0);
      this.#body = body;
      this.#bodyFill = n - off;
      this.#state = 1;
      return n;
    }
    const body = this.#body;
    const take = Math.min(body.byteLength - this.#bodyFill, n);
    body.set(take === n ? chunk : chunk.subarray(0, take), this.#bodyFill);
    this.#bodyFill += take;
    if (this.#bodyFill === body.byteLength) {
      this.#body = null;
      this.#bodyFill = 0;
      this.#state = 0;
      onFrame(body);
    }
    return take;
  }
  #tooLarge() {
    this.#state = 2;
    throw new Error("too large");
  }
}

// Shipped's fast loop, with the straddling header and body handled inline in push as the
// baseline did (no separate methods): is the split into methods what costs on 4 KiB frames?
class ShippedInline {
  #le = false;
  #state = 0;
  #headerBuf = new Uint8Array(HEADER);
  #headerFill = 0;
  #body = null;
  #bodyFill = 0;
  maxFrameLength = MAX;
  push(chunk, onFrame) {
    if (this.#state === 2) throw new Error("failed");
    const n = chunk.byteLength;
    const max = this.maxFrameLength;
    const le = this.#le;
    const buffer = chunk.buffer;
    const base = chunk.byteOffset;
    let off = 0;
    while (off < n) {
      if (this.#state === 0 && this.#headerFill === 0) {
        while (n - off >= HEADER) {
          const length = le
            ? chunk[off + 3] * 0x1000000 + ((chunk[off + 2] << 16) | (chunk[off + 1] << 8) | chunk[off])
            : chunk[off] * 0x1000000 + ((chunk[off + 1] << 16) | (chunk[off + 2] << 8) | chunk[off + 3]);
          if (length > max) {
            this.#state = 2;
            throw new Error("too large");
          }
          const start = off + HEADER;
          if (n - start < length) {
            const body = new Uint8Array(length);
            body.set(chunk.subarray(start, n), 0);
            this.#body = body;
            this.#bodyFill = n - start;
            this.#state = 1;
            return;
          }
          off = start + length;
          onFrame(new Uint8Array(buffer, base + start, length));
        }
        for (let i = off; i < n; i++) this.#headerBuf[this.#headerFill++] = chunk[i];
        return;
      }
      if (this.#state === 0) {
        const take = Math.min(HEADER - this.#headerFill, n - off);
        for (let i = 0; i < take; i++) this.#headerBuf[this.#headerFill++] = chunk[off + i];
        off += take;
        if (this.#headerFill < HEADER) return;
        this.#headerFill = 0;
        const length = readBE(this.#headerBuf, 0);
        if (length > max) {
          this.#state = 2;
          throw new Error("too large");
        }
        if (n - off >= length) {
          onFrame(new Uint8Array(buffer, base + off, length));
          off += length;
        } else {
          const body = new Uint8Array(length);
          body.set(chunk.subarray(off, n), 0);
          this.#body = body;
          this.#bodyFill = n - off;
          this.#state = 1;
          return;
        }
      } else {
        const body = this.#body;
        const take = Math.min(body.byteLength - this.#bodyFill, n - off);
        body.set(chunk.subarray(off, off + take), this.#bodyFill);
        this.#bodyFill += take;
        off += take;
        if (this.#bodyFill === body.byteLength) {
          this.#body = null;
          this.#bodyFill = 0;
          this.#state = 0;
          onFrame(body);
        }
      }
    }
  }
}

// Lower bounds, not decoders: what the loop costs with no view per frame (the callback gets
// offsets), and with neither view nor callback (only the header walk).
class NoSubarray {
  push(chunk, onFrame) {
    const n = chunk.byteLength;
    let off = 0;
    while (n - off >= HEADER) {
      const length = readBE(chunk, off);
      const start = off + HEADER;
      if (n - start < length) break;
      off = start + length;
      onFrame(chunk, start, off);
    }
  }
}
class HeaderWalkOnly {
  count = 0;
  push(chunk) {
    const n = chunk.byteLength;
    let off = 0;
    let c = 0;
    while (n - off >= HEADER) {
      const length = readBE(chunk, off);
      const start = off + HEADER;
      if (n - start < length) break;
      off = start + length;
      c++;
    }
    this.count += c;
  }
}

const VARIANTS = {
  baseline: Baseline,
  "public-fields": PublicFields,
  "locals-loop": LocalsLoop,
  "locals-loop-public": LocalsLoopPublic,
  shipped: Shipped,
  "shipped-inline": ShippedInline,
  "fast-only subarray": LocalsLoopSub,
  "fast-only view-ctor": LocalsLoopCtor,
  "no-subarray (bound)": NoSubarray,
  "header-walk (bound)": HeaderWalkOnly,
};

function makeChunks(frameSize, streamBytes, chunk) {
  const frames = Math.floor(streamBytes / (frameSize + HEADER));
  const whole = new Uint8Array(frames * (frameSize + HEADER));
  for (let f = 0, at = 0; f < frames; f++, at += frameSize + HEADER) {
    whole[at] = frameSize >>> 24;
    whole[at + 1] = (frameSize >>> 16) & 0xff;
    whole[at + 2] = (frameSize >>> 8) & 0xff;
    whole[at + 3] = frameSize & 0xff;
  }
  const chunks = [];
  for (let off = 0; off < whole.byteLength; off += chunk) chunks.push(whole.slice(off, off + chunk));
  return { frames, chunks };
}

function pass(Ctor, chunks) {
  const d = new Ctor();
  let n = 0;
  const onFrame = () => {
    n++;
  };
  for (const c of chunks) d.push(c, onFrame);
  return d.count ?? n;
}

// CPU seconds of this process (all threads: JIT compiler and GC threads count too), so that
// time spent waiting for a core on a loaded machine is not counted against a variant.
function cpuSeconds() {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** Frames per CPU second over about `seconds` of CPU time (at least one pass). */
function sample(Ctor, stream, seconds) {
  const c0 = cpuSeconds();
  let frames = 0;
  let c = c0;
  do {
    const got = pass(Ctor, stream.chunks);
    // The bounds drop straddling frames; every decoder must see every frame.
    if (got < stream.frames - stream.chunks.length) throw new Error(`${Ctor.name}: ${got} of ${stream.frames}`);
    frames += got;
    c = cpuSeconds();
  } while (c - c0 < seconds);
  return frames / (c - c0);
}

const args = typeof Deno !== "undefined" ? Deno.args : process.argv.slice(2);
const runtime =
  typeof Bun !== "undefined"
    ? `bun ${Bun.version}`
    : typeof Deno !== "undefined"
      ? `deno ${Deno.version.deno}`
      : `node ${process.version}`;
const names = Object.keys(VARIANTS);
const med = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
};

if (args[0] === "cold") {
  // As the `decoder` workload measures: a fresh process, one warm-up pass, then `seconds`.
  // Run it once per variant and process, alternating the variants, from a shell loop.
  const Ctor = VARIANTS[args[1]];
  if (!Ctor) throw new Error(`unknown variant ${args[1]}; one of ${names.join(", ")}`);
  const stream = makeChunks(Number(args[3] ?? 64), 16 * 1024 * 1024, 64 * 1024);
  pass(Ctor, stream.chunks);
  const rate = sample(Ctor, stream, Number(args[2] ?? 0.3));
  console.log(`${runtime} cold ${args[1]}: ${(rate / 1e6).toFixed(2)} M frames per CPU second`);
} else {
  const seconds = Number(args[0] ?? 0.2);
  const rounds = Number(args[1] ?? 7);
  const sizes = args[2] ? args[2].split(",").map(Number) : [64, 4096];
  for (const frameSize of sizes) {
    const stream = makeChunks(frameSize, 16 * 1024 * 1024, 64 * 1024);
    for (const name of names) sample(VARIANTS[name], stream, 0.3); // warm-up
    const samples = Object.fromEntries(names.map((n) => [n, []]));
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? names : [...names].reverse();
      for (const name of order) samples[name].push(sample(VARIANTS[name], stream, seconds));
    }
    const base = med(samples.baseline);
    console.log(`${runtime}, ${frameSize} B frames in 64 KiB chunks, ${rounds} alternating rounds of ${seconds} CPU s`);
    for (const name of names) {
      const m = med(samples[name]);
      console.log(`  ${name.padEnd(22)} ${(m / 1e6).toFixed(2).padStart(7)} M frames/CPU s  x${(m / base).toFixed(2)}`);
    }
  }
}
