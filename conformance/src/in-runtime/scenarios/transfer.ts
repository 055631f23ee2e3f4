/**
 * Framed transfer of wire contract v1 (TCP and Unix). The client sends frame 1, a UTF-8 JSON
 * header {"name","size","sha256"}, then the data in frames of varied sizes, then one empty
 * frame. The server hashes what it receives through the runtime's native sha256, answers one
 * JSON frame {"ok","name","size","sha256"} (+ "error" when not ok) with the size and hash of
 * what it actually received, and closes. A bad transfer is a reply with ok false, never a crash.
 *
 * `--out DIR` saves files: the name is reduced to a safe base name, the data goes to a hidden
 * temporary file in DIR (created exclusively) that is renamed to the name only after size and
 * hash matched, and removed otherwise. An existing file is never overwritten: that transfer is
 * refused with ok false before its data is read. `--max-size` (default 1 GiB) refuses a larger
 * declared size before reading the data, and stops a transfer that sends more than it.
 */
import {
  FrameReader,
  NetError,
  Prng,
  encodeTransferHeader,
  encodeTransferReply,
  isNetError,
  parseTransferHeader,
  parseTransferReply,
  safeBaseName,
  writeFrame,
  type Connection,
  type FileSink,
  type FramePiece,
  type Runtime,
  type TransferHeader,
  type TransferReply,
} from "@netparity/protocol";
import { withTimeout } from "../common/timing.js";
import { SIZE_MAX } from "./echo.js";
import {
  SERVER_LIMIT_OPTIONS,
  connectStream,
  listenStream,
  serveConnections,
  type ServeContext,
} from "./serve-util.js";
import {
  Checks,
  mutationOf,
  type ClientResult,
  type Logger,
  type RoleOptions,
  type RunningServer,
  type Scenario,
} from "./types.js";

export const TRANSFER_DEFAULT_SIZE = 64 * 1024 * 1024;
export const TRANSFER_DEFAULT_MAX_SIZE = 1024 * 1024 * 1024;
/** After an early refusal the server reads and discards for at most this long, so the client can see the reply. */
const DRAIN_MS = 5_000;
/** The largest data frame the client sends (the receiver's default maximum is 16 MiB). */
export const TRANSFER_MAX_DATA_FRAME = 256 * 1024;

// ---------------------------------------------------------------------------------------
// Server

interface ServerConfig {
  out: string | undefined;
  maxSize: number;
  /** Base names being written by a connection of this server right now. */
  reserved: Set<string>;
  /** The "wrong-hash" mutation: the reply reports a sha256 with its first hex digit changed. */
  wrongHash: boolean;
}

const MUTATIONS = {
  "wrong-hash": "the server's reply reports a sha256 with its first hex digit changed (and ok true)",
} as const;

let tempCounter = 0;
function tempName(base: string): string {
  return `.${base}.${Date.now().toString(36)}${(tempCounter++).toString(36)}${Math.floor(Math.random() * 0x1_0000_0000).toString(36)}.part`;
}

function inDir(dir: string, base: string): string {
  return `${dir.endsWith("/") ? dir.slice(0, -1) : dir}/${base}`;
}

/** Reads and discards until EOF, an error, or DRAIN_MS; never throws. */
async function drain(conn: Connection): Promise<void> {
  const until = Date.now() + DRAIN_MS;
  try {
    for (;;) {
      const left = until - Date.now();
      if (left <= 0) return;
      if ((await withTimeout(conn.read(), left, "drain")) === null) return;
    }
  } catch {
    // gone, reset or timed out: nothing more to wait for
  }
}

async function handleTransfer(
  rt: Runtime,
  conn: Connection,
  ctx: ServeContext,
  cfg: ServerConfig,
  log: Logger,
): Promise<void> {
  // A stalled or trickling peer is cut off by the server's idle deadline (--idle-timeout).
  const reader = ctx.frames();
  const hasher = rt.sha256();
  let received = 0;
  let digest: string | undefined;
  const sha = (): string => (digest ??= hasher.digestHex());
  const reported = (): string => {
    const h = sha();
    return cfg.wrongHash ? (h[0] === "0" ? "1" : "0") + h.slice(1) : h;
  };
  let header: TransferHeader | undefined;
  let sink: FileSink | undefined;
  let tmp: string | undefined;
  let reservedName: string | undefined;
  let writing = false;

  const discardFile = async (): Promise<void> => {
    writing = false;
    if (sink) await sink.close().catch(() => {});
    sink = undefined;
    if (tmp) await rt.fs.remove(tmp).catch((e: unknown) => log(`cannot remove ${tmp}: ${String(e)}`));
    tmp = undefined;
  };
  const reply = async (r: Omit<TransferReply, "name" | "size" | "sha256">): Promise<void> => {
    try {
      await writeFrame(
        conn,
        encodeTransferReply({ name: header?.name ?? "", size: received, sha256: reported(), ...r }),
      );
      await conn.closeWrite();
    } catch (e) {
      log(`transfer reply not delivered: ${String(e)}`);
    }
  };
  /** Refuse, with the reply sent at once, and let the client see it before the connection closes. */
  const refuse = async (error: string, canDrain = true): Promise<void> => {
    await discardFile();
    await reply({ ok: false, error });
    if (canDrain) await drain(conn);
  };
  /** The next frame; null at a clean EOF; a NetError for a broken stream. */
  const next = (): Promise<Uint8Array | null> => reader.read();
  /** The next piece of a data frame: a view into the chunk just read, hashed and saved without a copy. */
  const nextPiece = (): Promise<FramePiece | null> => reader.readPiece();
  /** A failed read: answer if the peer can still hear it, and report the failure. */
  const broken = async (e: unknown, where: string): Promise<void> => {
    const code = isNetError(e) ? e.code : "ERROR";
    if (code === "FRAME_TOO_LARGE") return refuse(`${where}: ${(e as Error).message}`);
    await refuse(`${where}: ${code}: ${(e as Error).message ?? String(e)}`, false);
    log(`transfer ${where}: ${code}: ${(e as Error).message ?? String(e)}`);
  };

  try {
    let first: Uint8Array | null;
    try {
      first = await next();
    } catch (e) {
      return await broken(e, "reading the header frame");
    }
    if (first === null) return; // connected and left without a word
    const parsed = parseTransferHeader(first);
    if (!parsed.ok) return await refuse(`bad header: ${parsed.error}`);
    header = parsed.value;
    if (header.size > cfg.maxSize)
      return await refuse(
        `declared size ${header.size} exceeds the server's maximum of ${cfg.maxSize} bytes (--max-size)`,
      );
    if (cfg.out !== undefined) {
      const base = safeBaseName(header.name);
      if (base === null)
        return await refuse(`unsafe file name ${JSON.stringify(header.name)}: nothing usable is left of it`);
      if (cfg.reserved.has(base) || (await rt.fs.exists(inDir(cfg.out, base)))) {
        return await refuse(`file ${JSON.stringify(base)} exists in the output directory; it is not overwritten`);
      }
      cfg.reserved.add(base);
      reservedName = base;
      tmp = inDir(cfg.out, tempName(base));
      sink = await rt.fs.create(tmp, { exclusive: true });
      writing = true;
    }

    // Data frames are taken in pieces: a frame that straddles two reads is hashed and saved
    // piece by piece instead of being copied together first.
    for (;;) {
      let piece: FramePiece | null;
      try {
        piece = await nextPiece();
      } catch (e) {
        return await broken(e, `after ${received} of ${header.size} bytes`);
      }
      if (piece === null) {
        await refuse(`connection ended before the end frame, after ${received} of ${header.size} bytes`, false);
        log(`transfer of ${JSON.stringify(header.name)}: peer half-closed after ${received} of ${header.size} bytes`);
        return;
      }
      if (piece.frameLength === 0) break;
      const data = piece.bytes;
      hasher.update(data);
      received += data.byteLength;
      if (received > header.size) {
        // More than declared: nothing more is saved; past the maximum the transfer is stopped.
        if (writing) await discardFile();
        if (received > cfg.maxSize)
          return await refuse(`more than the server's maximum of ${cfg.maxSize} bytes was sent (--max-size)`);
      } else if (writing) await sink!.write(data);
    }

    const problems: string[] = [];
    if (received !== header.size)
      problems.push(`size mismatch: header says ${header.size} bytes, received ${received}`);
    if (sha() !== header.sha256)
      problems.push(`sha256 mismatch: header says ${header.sha256}, received data hashes to ${sha()}`);
    if (problems.length) return await refuse(problems.join("; "), false);

    let saved: string | undefined;
    if (sink && tmp && reservedName && cfg.out !== undefined) {
      const s = sink;
      sink = undefined;
      try {
        await s.close();
        const final = inDir(cfg.out, reservedName);
        if (await rt.fs.exists(final))
          return await refuse(
            `file ${JSON.stringify(reservedName)} appeared in the output directory during the transfer; it is not overwritten`,
            false,
          );
        await rt.fs.rename(tmp, final);
        tmp = undefined;
        saved = reservedName;
      } catch (e) {
        return await refuse(`saving failed: ${isNetError(e) ? e.code : "ERROR"}: ${(e as Error).message}`, false);
      }
    }
    await reply({ ok: true, ...(saved !== undefined ? { saved } : {}) });
  } finally {
    await discardFile();
    if (reservedName) cfg.reserved.delete(reservedName);
  }
}

async function serve(rt: Runtime, options: RoleOptions, log: Logger): Promise<RunningServer> {
  const out = typeof options.extra.out === "string" && options.extra.out !== "" ? options.extra.out : undefined;
  const maxSize = typeof options.extra.maxSize === "number" ? options.extra.maxSize : TRANSFER_DEFAULT_MAX_SIZE;
  if (out !== undefined) await rt.fs.mkdirp(out);
  const wrongHash = mutationOf(options, "transfer", MUTATIONS) === "wrong-hash";
  const cfg: ServerConfig = { out, maxSize, reserved: new Set(), wrongHash };
  const listener = await listenStream(rt, options);
  return serveConnections(rt, listener, options, log, (conn, ctx) => handleTransfer(rt, conn, ctx, cfg, log));
}

// ---------------------------------------------------------------------------------------
// Client

/** Payloads up to this size are generated once and kept; larger ones are regenerated per pass. */
const IN_MEMORY_LIMIT = 256 * 1024 * 1024;
const BLOCK = 4 * 1024 * 1024;

/** The file: `size` bytes of Prng(seed), as blocks of up to 4 MiB, reproducible on every runtime. */
function* blocks(seed: number, size: number): Generator<Uint8Array> {
  const prng = new Prng(seed);
  for (let off = 0; off < size; off += BLOCK) yield prng.bytes(Math.min(BLOCK, size - off));
}

/** Frame sizes of the client: mostly 1 KiB-256 KiB, with tiny and 64 KiB-ish ones mixed in. */
function frameSize(prng: Prng): number {
  const kind = prng.nextU32() % 8;
  if (kind === 0) return prng.int(1, 64);
  if (kind === 1) return 65_536 + prng.int(-3, 3);
  return prng.int(1024, TRANSFER_MAX_DATA_FRAME);
}

async function client(rt: Runtime, options: RoleOptions): Promise<ClientResult> {
  const checks = new Checks();
  const size = typeof options.extra.size === "number" ? options.extra.size : TRANSFER_DEFAULT_SIZE;
  const seed = typeof options.extra.seed === "number" ? options.extra.seed : 1;
  const lie = options.extra.lie;
  if (lie !== undefined && lie !== "hash" && lie !== "size")
    throw new NetError("EINVAL", `--lie takes "hash" or "size", got ${JSON.stringify(lie)}`);
  const name = typeof options.extra.fileName === "string" ? options.extra.fileName : `netparity-${seed}-${size}.bin`;

  const kept: Uint8Array[] | undefined = size <= IN_MEMORY_LIMIT ? [...blocks(seed, size)] : undefined;
  const source = (): Iterable<Uint8Array> => kept ?? blocks(seed, size);
  const h = rt.sha256();
  for (const b of source()) h.update(b);
  const sha256 = h.digestHex();
  const header: TransferHeader = {
    name,
    size: lie === "size" ? size + 1 : size,
    sha256: lie === "hash" ? (sha256[0] === "0" ? "1" : "0") + sha256.slice(1) : sha256,
  };

  const t0 = rt.host.now();
  const conn = await connectStream(rt, options);
  let frames = 0;
  let stoppedEarly = false;
  let replyMs = 0;
  let replyFrame: Uint8Array | null = null;
  let closedAfter = false;
  let sendError: unknown;
  try {
    const reader = new FrameReader(conn);
    let replied = false;
    // The reply is read while sending: a server that refuses early answers before the data is in.
    const replyP = reader.read().then(
      (f) => {
        replied = true;
        replyMs = rt.host.now();
        return f === null ? null : f.slice();
      },
      (e: unknown) => {
        replied = true;
        throw e;
      },
    );
    replyP.catch(() => {});
    const sizes = new Prng(seed ^ 0x5eed_5eed);
    const send = async (): Promise<void> => {
      await writeFrame(conn, encodeTransferHeader(header));
      for (const b of source()) {
        let off = 0;
        while (off < b.byteLength) {
          if (replied) {
            stoppedEarly = true;
            return;
          }
          const n = Math.min(b.byteLength - off, frameSize(sizes));
          await writeFrame(conn, b.subarray(off, off + n));
          off += n;
          frames++;
        }
      }
      await writeFrame(conn, new Uint8Array(0));
    };
    try {
      await send();
    } catch (e) {
      // A server that refused and closed may reset the connection under the writer; its reply decides.
      sendError = e;
      if (!replied)
        await withTimeout(replyP, 2_000, "transfer reply after a failed send").catch(() => Promise.reject(e));
      stoppedEarly = true;
    }
    replyFrame = await withTimeout(replyP, 60_000, "transfer reply");
    if (replyFrame !== null) {
      const end = await withTimeout(reader.read(), 10_000, "server close after its reply").catch(() => null);
      closedAfter = end === null;
    }
  } finally {
    conn.close();
  }

  const metrics: Record<string, number> = { bytes: size, frames };
  if (replyFrame === null) {
    // The stream ended where the reply was due: that is an unexpected end of stream, whatever the cause.
    const why =
      sendError === undefined
        ? ""
        : ` (sending had failed: ${isNetError(sendError) ? sendError.code : "ERROR"}: ${(sendError as Error).message})`;
    checks.fail("reply frame", `UNEXPECTED_EOF: the connection ended before the server's reply frame${why}`);
    return { ok: false, checks: checks.list, metrics };
  }
  const parsed = parseTransferReply(replyFrame);
  const output = new TextDecoder().decode(replyFrame);
  if (!parsed.ok) {
    checks.fail("reply frame", `${parsed.error}: ${output.slice(0, 200)}`);
    return { ok: false, checks: checks.list, metrics, output };
  }
  const r = parsed.value;
  checks.pass("reply frame", "one JSON reply frame");
  if (lie === undefined) {
    checks.expect("server accepted the transfer", r.ok, `ok false: ${r.error ?? "no error given"}`);
    checks.expect("reply size is what was sent", r.size === size, `sent ${size} bytes, reply says ${r.size}`);
    checks.expect("reply sha256 is what was sent", r.sha256 === sha256, `sent ${sha256}, reply says ${r.sha256}`);
    checks.expect(
      "reply names the file",
      r.name === name,
      `sent ${JSON.stringify(name)}, reply says ${JSON.stringify(r.name)}`,
    );
    const s = (replyMs - t0) / 1000;
    if (r.ok && s > 0) metrics.bytesPerSec = Math.round(size / s);
    metrics.ms = Math.round(replyMs - t0);
  } else {
    checks.expect(
      `server rejected a header that lies about the ${lie}`,
      !r.ok && typeof r.error === "string",
      `reply ${output}`,
    );
    if (!stoppedEarly) {
      checks.expect(
        "reply size is what was actually sent",
        r.size === size,
        `sent ${size} bytes, reply says ${r.size}`,
      );
      checks.expect(
        "reply sha256 is what was actually sent",
        r.sha256 === sha256,
        `sent ${sha256}, reply says ${r.sha256}`,
      );
    }
  }
  checks.expect("server closes after its reply", closedAfter, "the connection stayed open or sent more");
  return { ok: checks.ok, checks: checks.list, metrics, output };
}

export const transfer: Scenario = {
  name: "transfer",
  summary: "framed file transfer: JSON header, data frames, empty frame; the server checks size and sha256",
  transports: ["tcp", "unix", "tls"],
  options: [
    {
      flag: "--size <bytes>",
      key: "size",
      type: "size",
      roles: ["client"],
      description: "echo: largest payload (default 8MiB); transfer: file size (default 64MiB)",
      max: SIZE_MAX,
    },
    {
      flag: "--seed <n>",
      key: "seed",
      type: "int",
      roles: ["client"],
      description: "seed for generated data, so runs repeat (default 1)",
    },
    {
      flag: "--file-name <name>",
      key: "fileName",
      type: "string",
      roles: ["client"],
      description: "transfer: the name sent in the header (default netparity-<seed>-<size>.bin)",
    },
    {
      flag: "--lie <what>",
      key: "lie",
      type: "string",
      roles: ["client"],
      description:
        'transfer: send a header that lies about the "hash" or the "size"; passes when the server rejects it',
    },
    {
      flag: "--out <dir>",
      key: "out",
      type: "string",
      roles: ["server"],
      description: "transfer: save received files in this directory (never overwriting)",
    },
    {
      flag: "--max-size <bytes>",
      key: "maxSize",
      type: "size",
      roles: ["server"],
      description: "transfer: refuse files larger than this (default 1GiB)",
    },
    ...SERVER_LIMIT_OPTIONS,
  ],
  mutations: MUTATIONS,
  serve,
  client,
};
