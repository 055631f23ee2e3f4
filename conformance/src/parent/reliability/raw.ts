/**
 * Hand-written clients for the reliability cases, in the Node parent: they send what no
 * well-behaved client would (oversized length headers, half frames, one byte a second) and
 * watch how the server answers and closes.
 */
import { createHash } from "node:crypto";
import { connect, type Socket } from "node:net";

export type StreamTarget = { host: string; port: number } | { path: string };

export function frame(payload: Uint8Array | string): Buffer {
  const b = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
}

export function header(length: number): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(length >>> 0);
  return h;
}

/** A raw connection that collects what arrives and how it ended. */
export class RawClient {
  readonly socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  /** "eof", "reset" (ECONNRESET), "error:CODE" or "closed", once the connection ended. */
  ended: string | undefined;
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (d: Buffer) => {
      this.#buf = this.#buf.length ? Buffer.concat([this.#buf, d]) : d;
      this.#wake();
    });
    socket.on("end", () => {
      this.ended ??= "eof";
      this.#wake();
    });
    socket.on("error", (e: NodeJS.ErrnoException) => {
      this.ended ??= e.code === "ECONNRESET" ? "reset" : `error:${e.code ?? e.message}`;
      this.#wake();
    });
    socket.on("close", () => {
      this.ended ??= "closed";
      this.#wake();
    });
  }

  static open(target: StreamTarget, timeoutMs = 5000): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s =
        "path" in target
          ? connect({ path: target.path, allowHalfOpen: true })
          : connect({ host: target.host, port: target.port, allowHalfOpen: true });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      s.once("connect", () => {
        clearTimeout(timer);
        s.setNoDelay(true);
        resolve(new RawClient(s));
      });
      s.once("error", (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** Waits (bounded) until `ready()` holds or the connection ended; true if it holds. */
  async #until(ready: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (this.ended !== undefined) return ready();
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return true;
  }

  write(b: Uint8Array): void {
    if (!this.socket.destroyed) this.socket.write(b);
  }

  end(): void {
    if (!this.socket.destroyed) this.socket.end();
  }

  get received(): Buffer {
    return this.#buf;
  }

  /** The next be32 frame, or null when the connection ended (or `timeoutMs` passed) first. */
  async frame(timeoutMs = 5000): Promise<Buffer | null> {
    const whole = (): boolean => this.#buf.length >= 4 && this.#buf.length >= 4 + this.#buf.readUInt32BE(0);
    if (!(await this.#until(whole, timeoutMs))) return null;
    const n = this.#buf.readUInt32BE(0);
    const f = this.#buf.subarray(4, 4 + n);
    this.#buf = this.#buf.subarray(4 + n);
    return f;
  }

  /** Bytes until `n` arrived, the end, or the time-out. */
  async bytes(n: number, timeoutMs = 5000): Promise<Buffer> {
    await this.#until(() => this.#buf.length >= n, timeoutMs);
    return this.#buf;
  }

  /** How the connection ended, or undefined if it is still open after `timeoutMs`. */
  async closed(timeoutMs = 5000): Promise<string | undefined> {
    await this.#until(() => this.ended !== undefined, timeoutMs);
    return this.ended;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export function sha256Hex(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}

/** The frames of a whole transfer (header, data in pieces, empty end frame). */
export function transferFrames(name: string, data: Buffer, lie: { size?: number; sha256?: string } = {}): Buffer[] {
  const parts = [frame(JSON.stringify({ name, size: lie.size ?? data.length, sha256: lie.sha256 ?? sha256Hex(data) }))];
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.min(data.length - off, [1, 5000, 70_000, 333][i % 4]!);
    parts.push(frame(data.subarray(off, off + n)));
    off += n;
  }
  parts.push(frame(new Uint8Array(0)));
  return parts;
}

/**
 * One well-behaved exchange with a server of `scenario`: null when it answered correctly,
 * otherwise what went wrong. Used after every bad client to show the server still serves.
 */
export async function healthy(scenario: string, target: StreamTarget): Promise<string | null> {
  let c: RawClient;
  try {
    c = await RawClient.open(target);
  } catch (e) {
    return `a normal client could not connect: ${(e as Error).message}`;
  }
  try {
    switch (scenario) {
      case "time": {
        c.write(frame("%Y"));
        const f = await c.frame();
        return f && /^\d{4}$/.test(f.toString())
          ? null
          : `time reply ${JSON.stringify(f?.toString() ?? null)} (ended: ${c.ended ?? "no"})`;
      }
      case "greet": {
        const w = await c.frame();
        c.write(frame("Ada"));
        const f = await c.frame();
        return w?.toString() === "Welcome!" && f?.toString() === "Hello, Ada!"
          ? null
          : `greet replies ${JSON.stringify(w?.toString() ?? null)}, ${JSON.stringify(f?.toString() ?? null)}`;
      }
      case "transfer": {
        const data = Buffer.alloc(10_000, 7);
        for (const p of transferFrames(`healthy-${Date.now()}-${Math.random().toString(36).slice(2)}.bin`, data))
          c.write(p);
        const f = await c.frame(10_000);
        const r = f ? (JSON.parse(f.toString()) as { ok?: boolean; error?: string }) : null;
        return r?.ok ? null : `transfer reply ${f?.toString() ?? "none"} (ended: ${c.ended ?? "no"})`;
      }
      case "echo": {
        const data = Buffer.from("still echoing?");
        c.write(data);
        c.end();
        const b = await c.bytes(data.length);
        const how = await c.closed();
        return b.equals(data) && how === "eof"
          ? null
          : `echo got ${JSON.stringify(b.toString())}, end: ${how ?? "none"}`;
      }
      default:
        return `no health check for ${scenario}`;
    }
  } catch (e) {
    return `normal client: ${(e as Error).message}`;
  } finally {
    c.destroy();
  }
}
