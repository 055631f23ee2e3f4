/**
 * The reliability catalogue's decoder and server hardening: input a server must refuse
 * (frames too large, truncated, slowloris, too many connections, a bad transfer), each run
 * from the Node parent against a server of one runtime, ending with the server still serving.
 */
import { readdirSync } from "node:fs";
import { DEFAULT_MAX_FRAME_LENGTH, Prng } from "@netparity/protocol";
import { sleep } from "../../in-runtime/common/timing.js";
import { TIME_REQUEST_MAX } from "../../in-runtime/scenarios/time.js";
import { CaseChecks, at, peakRss } from "./case-helpers.js";
import { RawClient, frame, header, transferFrames } from "./raw.js";
import type { ReliabilityCase } from "./types.js";

const GREET_MAX = 64 * 1024;
/** The idle timeout the slowloris cases give their servers. */
const SHORT_IDLE_MS = 500;

const tooLarge: ReliabilityCase = {
  id: "frame.too-large",
  title: "declared frame lengths above the maximum (up to 0xFFFFFFFF): FRAME_TOO_LARGE, closed, nothing allocated",
  timeoutMs: 60_000,
  async run(ctx) {
    const c = new CaseChecks();
    for (const [scenario, max] of [
      ["time", TIME_REQUEST_MAX],
      ["greet", GREET_MAX],
      ["transfer", DEFAULT_MAX_FRAME_LENGTH],
    ] as const) {
      const s = await ctx.server(scenario, "tcp");
      const before = peakRss(s.pid);
      for (const length of [max + 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff]) {
        const raw = await RawClient.open(at(s));
        try {
          if (scenario === "greet") await raw.frame();
          raw.write(header(length));
          raw.write(Buffer.alloc(16, 0x41));
          if (scenario === "transfer") {
            const reply = await raw.frame();
            const r = reply ? (JSON.parse(reply.toString()) as { ok?: boolean; error?: string }) : null;
            c.record(
              `transfer answers length 0x${length.toString(16)} with ok false`,
              r?.ok === false && /exceeds the maximum/.test(r.error ?? ""),
              `reply ${reply?.toString() ?? "none"}`,
            );
            raw.end();
          }
          const how = await raw.closed(3000);
          c.record(
            `${scenario} closes after length 0x${length.toString(16)}`,
            how !== undefined,
            "still open after 3 s",
          );
        } finally {
          raw.destroy();
        }
        await c.stillServes(scenario, at(s), `length 0x${length.toString(16)}`);
      }
      const after = peakRss(s.pid);
      if (before !== undefined && after !== undefined) {
        const grew = after - before;
        c.metrics[`${scenario}PeakRssGrowthBytes`] = grew;
        c.record(
          `${scenario} allocated nothing of the declared sizes`,
          grew < 64 * 1024 * 1024,
          `peak RSS grew by ${(grew / 1048576).toFixed(1)} MiB`,
        );
      }
      const log = s.stderr();
      if (scenario !== "transfer")
        c.record(`${scenario} logs FRAME_TOO_LARGE`, log.includes("FRAME_TOO_LARGE"), log.slice(-300));
    }
    return c.done();
  },
};

const truncated: ReliabilityCase = {
  id: "frame.truncated",
  title: "EOF inside a frame header or body: UNEXPECTED_EOF, closed, server keeps serving",
  timeoutMs: 60_000,
  async run(ctx) {
    const c = new CaseChecks();
    for (const scenario of ["time", "greet", "transfer"] as const) {
      const s = await ctx.server(scenario, "tcp");
      for (const [what, bytes] of [
        ["mid-header", header(100).subarray(0, 2)],
        ["mid-body", Buffer.concat([header(100), Buffer.alloc(10, 0x42)])],
      ] as const) {
        const raw = await RawClient.open(at(s));
        try {
          if (scenario === "greet") await raw.frame();
          raw.write(bytes);
          raw.end();
          if (scenario === "transfer") {
            const reply = await raw.frame();
            const r = reply ? (JSON.parse(reply.toString()) as { ok?: boolean; error?: string }) : null;
            c.record(
              `transfer answers EOF ${what} with ok false, UNEXPECTED_EOF`,
              r?.ok === false && /UNEXPECTED_EOF/.test(r.error ?? ""),
              `reply ${reply?.toString() ?? "none"}`,
            );
          }
          const how = await raw.closed(3000);
          c.record(`${scenario} closes after EOF ${what}`, how !== undefined, "still open after 3 s");
        } finally {
          raw.destroy();
        }
        await c.stillServes(scenario, at(s), `EOF ${what}`);
      }
      if (scenario !== "transfer")
        c.record(`${scenario} logs UNEXPECTED_EOF`, s.stderr().includes("UNEXPECTED_EOF"), s.stderr().slice(-300));
    }
    return c.done();
  },
};

const slowloris: ReliabilityCase = {
  id: "idle.slowloris",
  title: `a client that trickles a frame or stays silent is cut off by the idle deadline (--idle-timeout ${SHORT_IDLE_MS})`,
  timeoutMs: 60_000,
  async run(ctx) {
    const c = new CaseChecks();
    const extra = { idleTimeout: SHORT_IDLE_MS };
    for (const scenario of ["time", "greet", "transfer", "echo"] as const) {
      const s = await ctx.server(scenario, "tcp", { extra });
      const raw = await RawClient.open(at(s));
      const t0 = Date.now();
      try {
        if (scenario === "greet") await raw.frame();
        // Framed servers: one byte of a frame every 100 ms; echo: nothing at all.
        const trickle = Buffer.concat([header(64), Buffer.alloc(64, 0x43)]);
        for (let i = 0; i < 40 && raw.ended === undefined; i++) {
          if (scenario !== "echo") raw.write(trickle.subarray(i % trickle.length, (i % trickle.length) + 1));
          await sleep(100);
        }
        const how = await raw.closed(1000);
        const ms = Date.now() - t0;
        c.metrics[`${scenario}CutOffMs`] = ms;
        c.record(
          `${scenario} cuts off a ${scenario === "echo" ? "silent" : "trickling"} client`,
          how !== undefined && ms >= SHORT_IDLE_MS - 50 && ms < SHORT_IDLE_MS + 2500,
          how === undefined ? "still open after 5 s" : `closed (${how}) after ${ms} ms`,
        );
      } finally {
        raw.destroy();
      }
      c.record(
        `${scenario} logs the idle time-out`,
        await s.waitStderr("--idle-timeout", 1000),
        s.stderr().slice(-300),
      );
      if (scenario === "echo") {
        // Progress keeps a connection: an echo client that sends a byte every 100 ms for 1 s stays.
        const slow = await RawClient.open(at(s));
        try {
          for (let i = 0; i < 10; i++) {
            slow.write(Buffer.from([0x61 + i]));
            await sleep(100);
          }
          slow.end();
          const got = await slow.bytes(10, 2000);
          c.record(
            "echo keeps a slow client that makes progress",
            got.toString() === "abcdefghij" && (await slow.closed(2000)) === "eof",
            `got ${JSON.stringify(got.toString())}, ended ${slow.ended ?? "no"}`,
          );
        } finally {
          slow.destroy();
        }
      }
      await c.stillServes(scenario, at(s), "the idle time-out");
    }
    return c.done();
  },
};

const maxConnections: ReliabilityCase = {
  id: "limits.max-connections",
  title: "connections above --max-connections are closed at once with a log line; the others are served",
  timeoutMs: 30_000,
  async run(ctx) {
    const c = new CaseChecks();
    const max = 8;
    const s = await ctx.server("echo", "tcp", { extra: { maxConnections: max } });
    const open: RawClient[] = [];
    try {
      let echoed = 0;
      for (let i = 0; i < max; i++) {
        const r = await RawClient.open(at(s));
        open.push(r);
        r.write(Buffer.from([i]));
        if ((await r.bytes(1, 3000)).length === 1) echoed++;
      }
      c.record(`${max} connections served at once`, echoed === max, `${echoed} of ${max} echoed`);
      const extra = await RawClient.open(at(s));
      open.push(extra);
      extra.write(Buffer.from("x"));
      const how = await extra.closed(3000);
      c.record(
        `connection ${max + 1} is closed at once`,
        how !== undefined && extra.received.length === 0,
        `ended: ${how ?? "no"}, got ${extra.received.length} bytes`,
      );
      c.record("a log line says why", await s.waitStderr("--max-connections", 1000), s.stderr().slice(-300));
      const first = open.shift()!;
      first.end();
      await first.closed(3000);
      await sleep(100);
      await c.stillServes("echo", at(s), "a slot was freed");
    } finally {
      for (const r of open) r.destroy();
    }
    return c.done();
  },
};

const transferBad: ReliabilityCase = {
  id: "transfer.bad-input",
  title:
    "transfer: malformed or lying headers, size above --max-size, a client gone mid-transfer; no partial file, nothing outside --out",
  timeoutMs: 60_000,
  async run(ctx) {
    const c = new CaseChecks();
    const out = ctx.tmp();
    const s = await ctx.server("transfer", "tcp", { extra: { out, maxSize: 1024 * 1024 } });
    const data = Buffer.from(new Prng(50_000).bytes(50_000));
    const send = async (
      parts: Buffer[],
      end: "fin" | "destroy" | "none",
    ): Promise<{ reply: { ok?: boolean; error?: string; saved?: string } | null; how: string | undefined }> => {
      const raw = await RawClient.open(at(s));
      try {
        for (const p of parts) raw.write(p);
        if (end === "destroy") {
          await sleep(50);
          raw.destroy();
          return { reply: null, how: "destroyed" };
        }
        if (end === "fin") raw.end();
        const f = await raw.frame(5000);
        if (end === "none") raw.end();
        return { reply: f ? JSON.parse(f.toString()) : null, how: await raw.closed(3000) };
      } finally {
        raw.destroy();
      }
    };
    const cases: Array<[string, Buffer[], "fin" | "destroy" | "none", RegExp | null]> = [
      ["malformed JSON header", [frame("{not json"), frame("")], "fin", /bad header/],
      ["a header lacking fields", [frame(JSON.stringify({ name: "x.bin" })), frame("")], "fin", /lacks/],
      [
        "a header lying about the size",
        transferFrames("size-lie.bin", data, { size: data.length + 1 }),
        "fin",
        /size mismatch/,
      ],
      [
        "a header lying about the hash",
        transferFrames("hash-lie.bin", data, { sha256: "0".repeat(64) }),
        "fin",
        /sha256 mismatch/,
      ],
      [
        "a declared size above --max-size",
        [frame(JSON.stringify({ name: "big.bin", size: 2 * 1024 * 1024, sha256: "0".repeat(64) }))],
        "none",
        /max-size/,
      ],
      ["a client gone mid-transfer (reset)", transferFrames("vanished.bin", data).slice(0, 4), "destroy", null],
      ["FIN before the end frame", transferFrames("half.bin", data).slice(0, 4), "fin", /before the end frame/],
    ];
    for (const [what, parts, end, want] of cases) {
      const r = await send(parts, end);
      if (want)
        c.record(
          `${what}: ok false`,
          r.reply?.ok === false && want.test(r.reply.error ?? ""),
          `reply ${JSON.stringify(r.reply)}`,
        );
      c.record(`${what}: connection closed`, r.how !== undefined, "still open after 3 s");
      await c.stillServes("transfer", at(s), what);
    }
    // A name that climbs out of --out is saved inside it, under its base name.
    const escaped = await send(transferFrames("../../escape-attempt.bin", data), "fin");
    c.record(
      "a name with ../ is saved inside --out",
      escaped.reply?.ok === true && escaped.reply.saved === "escape-attempt.bin",
      `reply ${JSON.stringify(escaped.reply)}`,
    );
    // Temporary files are removed once the server noticed; wait for that (bounded).
    let files: string[] = [];
    for (let i = 0; i < 40; i++) {
      files = readdirSync(out);
      if (!files.some((f) => f.endsWith(".part"))) break;
      await sleep(50);
    }
    const bad = files.filter((f) => !f.startsWith("healthy-") && f !== "escape-attempt.bin");
    c.record("no partial or rejected file left in --out", bad.length === 0, `left: ${bad.join(", ")}`);
    c.record(
      "server log names the failures",
      /UNEXPECTED_EOF|ECONNRESET|half-closed/.test(s.stderr()),
      s.stderr().slice(-300),
    );
    return c.done();
  },
};

export const HARDENING_CASES: readonly ReliabilityCase[] = [
  tooLarge,
  truncated,
  slowloris,
  maxConnections,
  transferBad,
];
