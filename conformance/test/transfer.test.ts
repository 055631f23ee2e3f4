/**
 * Framed transfer between runtimes over TCP and Unix sockets (a smoke selection of pairings;
 * all nine with NETPARITY_FULL_MATRIX=1), Python peers in both directions, and the server's
 * error paths driven by a hand-written client.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AgentEvent } from "../src/in-runtime/agent-protocol.js";
import { RUNTIMES, cellOf, expectUnsupportedByFeatures, lazyMatrix, matrixPairs, seededBytes } from "./helpers.js";
import { PEERS, hasPython, listening, python, spawnJson, startRole, type Spawned } from "./peer-helpers.js";

const MiB = 1024 * 1024;

describe("transfer matrix (8 MiB)", () => {
  const TRANSPORTS = ["tcp", "unix"] as const;
  const get = lazyMatrix({
    scenarios: ["transfer"],
    transports: [...TRANSPORTS],
    extra: { size: 8 * MiB, seed: 3 },
    pairs: (at) => matrixPairs((TRANSPORTS as readonly string[]).indexOf(at.transport)),
  });
  for (const [i, transport] of TRANSPORTS.entries()) {
    it.each(matrixPairs(i))(`transfer/${transport} server=%s client=%s`, async (server, client) => {
      const run = await get();
      const cell = cellOf(run.cells, transport, server, client);
      expect(cell, "cell ran").toBeDefined();
      if (cell!.status === "unsupported") {
        expect(transport).toBe("unix");
        expectUnsupportedByFeatures(cell!, run.runtimes);
        return;
      }
      expect(cell!.status, cell!.reason).toBe("pass");
      expect(cell!.metrics.bytes).toBe(8 * MiB);
      // Varied frame sizes: 8 MiB in frames of at most 256 KiB, some tiny.
      expect(cell!.metrics.frames).toBeGreaterThan(32);
      expect(cell!.metrics.bytesPerSec).toBeGreaterThan(0);
    });
  }
});

describe.skipIf(!hasPython)("transfer with Python peers", () => {
  it.each(RUNTIMES)(
    "%s server accepts a Python client and rejects one whose header lies about the hash",
    async (runtime) => {
      const server = startRole(runtime, "server", "transfer", "tcp");
      try {
        const { port } = await listening(server);
        const good = python("transfer_client.py", [String(port), "--size", "3000000"]);
        expect(good.code, good.stderr).toBe(0);
        const r = JSON.parse(good.stdout);
        expect(r).toMatchObject({ ok: true, name: "python.bin", size: 3_000_000 });
        expect(r.sha256).toBe(r.expected_sha256);
        const liar = python("transfer_client.py", [String(port), "--size", "1000000", "--lie-hash"]);
        expect(liar.code, liar.stderr).toBe(0);
        const l = JSON.parse(liar.stdout);
        expect(l).toMatchObject({ ok: false, size: 1_000_000 });
        expect(l.sha256).toBe(l.expected_sha256);
        expect(l.error).toMatch(/sha256 mismatch/);
      } finally {
        server.kill();
      }
    },
  );

  it.each(RUNTIMES)("%s client passes against a Python transfer server, and sees it reject a lie", async (runtime) => {
    const server = spawnJson("python3", [join(PEERS, "transfer_server.py")]);
    try {
      const { port } = (await server.first) as { port: number };
      for (const extra of [{ size: 4 * MiB }, { size: MiB, lie: "hash" }] as Array<Record<string, string | number>>) {
        const client = startRole(runtime, "client", "transfer", "tcp", { port, extra });
        try {
          const e = (await client.first) as AgentEvent;
          expect(e.event === "result" && e.ok, JSON.stringify(e)).toBe(true);
        } finally {
          client.kill();
        }
      }
    } finally {
      server.kill();
    }
  });
});

// ---------------------------------------------------------------------------------------
// Error paths, against each runtime's server with --out and --max-size.

function frame(payload: Uint8Array | string): Buffer {
  const b = typeof payload === "string" ? Buffer.from(payload, "utf8") : Buffer.from(payload);
  const h = Buffer.alloc(4);
  h.writeUInt32BE(b.length);
  return Buffer.concat([h, b]);
}

interface Outcome {
  reply: Record<string, unknown> | null;
  /** The connection ended (EOF, reset or close) before the test gave up. */
  closed: boolean;
}

/** A raw client: sends `parts` (with optional pauses), then reads one reply frame until EOF/close. */
function exchange(
  port: number,
  parts: Buffer[],
  opts: { end?: "fin" | "destroy" | "none"; timeoutMs?: number } = {},
): Promise<Outcome> {
  return new Promise((resolve) => {
    const sock: Socket = connect(port, "127.0.0.1");
    let buf = Buffer.alloc(0);
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      let reply: Record<string, unknown> | null = null;
      if (buf.length >= 4 && buf.length >= 4 + buf.readUInt32BE(0))
        reply = JSON.parse(buf.subarray(4, 4 + buf.readUInt32BE(0)).toString("utf8"));
      sock.destroy();
      resolve({ reply, closed });
    };
    const timer = setTimeout(() => finish(false), opts.timeoutMs ?? 10_000);
    sock.on("data", (d) => (buf = Buffer.concat([buf, d])));
    sock.on("end", () => finish(true));
    sock.on("close", () => finish(true));
    sock.on("error", () => finish(true));
    sock.on("connect", () => {
      for (const p of parts) sock.write(p);
      if (opts.end === "destroy") setTimeout(() => sock.destroy(), 100);
      else if (opts.end !== "none") sock.end();
    });
  });
}

function transferBytes(name: string, data: Buffer, lie: { size?: number; sha256?: string } = {}): Buffer[] {
  const sha256 = lie.sha256 ?? createHash("sha256").update(data).digest("hex");
  const parts = [frame(JSON.stringify({ name, size: lie.size ?? data.length, sha256 }))];
  for (let off = 0, i = 0; off < data.length; i++) {
    const n = Math.min(data.length - off, [1, 5000, 70_000, 333][i % 4]!);
    parts.push(frame(data.subarray(off, off + n)));
    off += n;
  }
  parts.push(frame(new Uint8Array(0)));
  return parts;
}

for (const runtime of RUNTIMES) {
  describe(`${runtime} transfer server error paths (--out, --max-size 1MiB)`, () => {
    let dir: string;
    let server: Spawned<AgentEvent>;
    let port: number;
    const files = (): string[] => readdirSync(dir).sort();
    /** Waits (bounded) until the server removed every temporary file. */
    const settled = async (): Promise<string[]> => {
      for (let i = 0; i < 40 && files().some((f) => f.endsWith(".part")); i++)
        await new Promise((r) => setTimeout(r, 50));
      return files();
    };
    /** The files that appeared since `before` (a listing taken at the start of a test), once settled. */
    const added = async (before: string[]): Promise<string[]> => (await settled()).filter((f) => !before.includes(f));

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), `netparity-out-${runtime}-`));
      writeFileSync(join(dir, "existing.bin"), "precious");
      server = startRole(runtime, "server", "transfer", "tcp", { extra: { out: dir, maxSize: MiB } });
      port = (await listening(server)).port!;
    });
    afterAll(() => {
      server?.kill();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("saves a good file under its name, renamed from a temporary file", async () => {
      const before = files();
      const data = seededBytes(300_000, 1);
      const { reply } = await exchange(port, transferBytes("good.bin", data));
      expect(reply).toMatchObject({ ok: true, name: "good.bin", size: data.length, saved: "good.bin" });
      expect(readFileSync(join(dir, "good.bin")).equals(data)).toBe(true);
      expect(await added(before)).toEqual(["good.bin"]);
    });

    it("never overwrites: an existing name is refused before the data is read", async () => {
      const { reply } = await exchange(port, transferBytes("existing.bin", seededBytes(1000, 2)));
      expect(reply).toMatchObject({ ok: false, name: "existing.bin" });
      expect(String(reply!.error)).toMatch(/exists/);
      expect(readFileSync(join(dir, "existing.bin"), "utf8")).toBe("precious");
    });

    it("reduces unsafe names to a safe base name inside --out, refuses names with nothing left", async () => {
      const before = files();
      const saved: string[] = [];
      for (const name of ["../../escape.bin", "/etc/abs.bin", "..\\..\\win.bin", "bell\u0007\u0000name.bin"]) {
        const { reply } = await exchange(port, transferBytes(name, seededBytes(100, 3)));
        expect(reply, name).toMatchObject({ ok: true, name });
        saved.push(String(reply!.saved));
      }
      expect(saved).toEqual(["escape.bin", "abs.bin", "win.bin", "bellname.bin"]);
      for (const name of ["", ".", "..", "a/..", "/", "dir/", "\u0001\u0002"]) {
        const { reply } = await exchange(port, transferBytes(name, seededBytes(10, 4)));
        expect(reply, JSON.stringify(name)).toMatchObject({ ok: false });
        expect(String(reply!.error)).toMatch(/unsafe file name/);
      }
      expect(await added(before)).toEqual(["abs.bin", "bellname.bin", "escape.bin", "win.bin"]);
    });

    it("answers a bad header with ok false: not JSON, not an object, missing fields, bad types, uppercase hash", async () => {
      const headers = [
        "this is not json",
        "[1,2,3]",
        JSON.stringify({ name: "x" }),
        JSON.stringify({ name: "x", size: -1, sha256: "0".repeat(64) }),
        JSON.stringify({ name: "x", size: 1.5, sha256: "0".repeat(64) }),
        JSON.stringify({ name: 7, size: 1, sha256: "0".repeat(64) }),
        JSON.stringify({ name: "x", size: 1, sha256: "A".repeat(64) }),
      ];
      for (const h of headers) {
        const { reply, closed } = await exchange(port, [frame(h), frame("data"), frame("")]);
        expect(reply, h).toMatchObject({ ok: false, size: 0 });
        expect(String(reply!.error), h).toMatch(/^bad header/);
        expect(closed).toBe(true);
      }
      // Invalid UTF-8 in the header frame.
      const { reply } = await exchange(port, [frame(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), frame("")]);
      expect(String(reply!.error)).toMatch(/UTF-8/);
    });

    it("rejects a wrong size and a wrong hash, reporting what was received, leaving no file", async () => {
      const data = seededBytes(50_000, 5);
      const sha = createHash("sha256").update(data).digest("hex");
      const short = await exchange(port, transferBytes("short.bin", data, { size: data.length + 1 }));
      expect(short.reply).toMatchObject({ ok: false, size: data.length, sha256: sha });
      expect(String(short.reply!.error)).toMatch(/size mismatch/);
      const long = await exchange(port, transferBytes("long.bin", data, { size: data.length - 1000 }));
      expect(long.reply).toMatchObject({ ok: false, size: data.length, sha256: sha });
      const wrong = await exchange(port, transferBytes("wrong.bin", data, { sha256: "f".repeat(64) }));
      expect(wrong.reply).toMatchObject({ ok: false, size: data.length, sha256: sha });
      expect(String(wrong.reply!.error)).toMatch(/sha256 mismatch/);
      const left = await settled();
      for (const f of ["short.bin", "long.bin", "wrong.bin"]) expect(left).not.toContain(f);
    });

    it("refuses a declared size above --max-size before any data is sent", async () => {
      const header = frame(JSON.stringify({ name: "big.bin", size: MiB + 1, sha256: "0".repeat(64) }));
      // Only the header goes out and the socket stays open: the reply must come anyway.
      const { reply } = await exchange(port, [header], { end: "none", timeoutMs: 5_000 });
      expect(reply).toMatchObject({ ok: false, name: "big.bin", size: 0 });
      expect(String(reply!.error)).toMatch(/max-size/);
    });

    it("stops a client that sends more than --max-size under a smaller header", async () => {
      const data = seededBytes(MiB + 300_000, 6);
      const { reply } = await exchange(port, transferBytes("sneaky.bin", data, { size: 1000 }));
      expect(reply).toMatchObject({ ok: false });
      expect(String(reply!.error)).toMatch(/max-size/);
      expect(await settled()).not.toContain("sneaky.bin");
    });

    it("answers a declared frame length above 16 MiB with ok false and closes", async () => {
      const huge = Buffer.from([0xff, 0xff, 0xff, 0xf0]);
      const { reply, closed } = await exchange(
        port,
        [frame(JSON.stringify({ name: "f.bin", size: 10, sha256: "0".repeat(64) })), huge],
        { end: "none" },
      );
      expect(reply).toMatchObject({ ok: false });
      expect(String(reply!.error)).toMatch(/exceeds the maximum/);
      expect(closed).toBe(true);
    });

    it("survives a peer gone mid-transfer (reset, or FIN before the end frame), leaving no partial file", async () => {
      const data = seededBytes(200_000, 7);
      const parts = transferBytes("gone.bin", data);
      await exchange(port, parts.slice(0, Math.floor(parts.length / 2)), { end: "destroy" });
      const half = await exchange(port, transferBytes("half.bin", data).slice(0, 5), { end: "fin" });
      expect(half.reply).toMatchObject({ ok: false, name: "half.bin" });
      expect(String(half.reply!.error)).toMatch(/before the end frame/);
      // Inside a frame body, then FIN.
      const cut = Buffer.concat(transferBytes("cut.bin", data).slice(0, 3));
      const mid = await exchange(port, [cut.subarray(0, cut.length - 10)], { end: "fin" });
      expect(String(mid.reply!.error)).toMatch(/UNEXPECTED_EOF/);
      const left = await settled();
      for (const f of ["gone.bin", "half.bin", "cut.bin"]) expect(left).not.toContain(f);
      expect(left.some((f) => f.endsWith(".part"))).toBe(false);
      // And the server still works.
      const again = await exchange(port, transferBytes("after.bin", data));
      expect(again.reply).toMatchObject({ ok: true, saved: "after.bin" });
    });
  });
}
