/**
 * The reliability catalogue: bad input, faults, load and lifecycle, each run from the Node
 * parent against servers (and, where the runtime's own side matters, clients) of one
 * runtime. Every case is bounded in time, kills what it started, and ends by showing that
 * the server still serves a normal client.
 */
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { DEFAULT_MAX_FRAME_LENGTH, Prng } from "@netparity/protocol";
import { sleep } from "../../in-runtime/common/timing.js";
import { TIME_REQUEST_MAX } from "../../in-runtime/scenarios/time.js";
import { PACKAGE_ROOT } from "../runner/runtimes.js";
import { FLOOD_BLOCKED_LINE } from "../../in-runtime/reliability/flood.js";
import { spawnHarness } from "../process/harness.js";
import { startAgentProcess, type runClient } from "./agents.js";
import { CaseChecks, at, failedDetail, peakRss, throughProxy } from "./case-helpers.js";
import { RawClient, frame, header, transferFrames } from "./raw.js";
import { TLS_CASES } from "./tls-cases.js";
import type { ReliabilityCase } from "./types.js";

const GREET_MAX = 64 * 1024;
/** The idle timeout the slowloris cases give their servers. */
const SHORT_IDLE_MS = 500;

// ---------------------------------------------------------------------------------------
// Decoder and server hardening

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

// ---------------------------------------------------------------------------------------
// Load and lifecycle

export const LOAD_CLIENTS = 1000;

const load: ReliabilityCase = {
  id: "load.concurrent-clients",
  title: `${LOAD_CLIENTS} concurrent echo clients: every echo correct`,
  timeoutMs: 60_000,
  async run(ctx) {
    const c = new CaseChecks();
    const s = await ctx.server("echo", "tcp");
    const t0 = Date.now();
    const results = await Promise.allSettled(
      Array.from({ length: LOAD_CLIENTS }, async (_, i) => {
        const payload = Buffer.alloc(1024, i & 0xff);
        payload.writeUInt32BE(i, 0);
        const r = await RawClient.open(at(s), 20_000);
        try {
          r.write(payload);
          r.end();
          const got = await r.bytes(payload.length, 20_000);
          const how = await r.closed(20_000);
          if (!got.equals(payload) || how !== "eof")
            throw new Error(
              `client ${i}: ${got.length} bytes back${got.equals(payload) ? "" : " (different)"}, end: ${how ?? "none"}`,
            );
        } finally {
          r.destroy();
        }
      }),
    );
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    c.metrics.clients = LOAD_CLIENTS;
    c.metrics.failed = failed.length;
    c.metrics.ms = Date.now() - t0;
    c.record(
      `${LOAD_CLIENTS} echoes correct`,
      failed.length === 0,
      `${failed.length} failed, e.g. ${failed
        .slice(0, 3)
        .map((f) => (f.reason as Error).message)
        .join("; ")}`,
    );
    await c.stillServes("echo", at(s), "the load");
    return c.done();
  },
};

const stopOpen: ReliabilityCase = {
  id: "lifecycle.stop-open-connections",
  title: "SIGTERM with open connections: they are closed, the server exits 0",
  timeoutMs: 30_000,
  async run(ctx) {
    const c = new CaseChecks();
    const s = await ctx.server("echo", "tcp");
    const clients: RawClient[] = [];
    try {
      for (let i = 0; i < 20; i++) {
        const r = await RawClient.open(at(s));
        clients.push(r);
        r.write(Buffer.from([i]));
        await r.bytes(1, 3000);
      }
      const t0 = Date.now();
      const code = await s.stop({ signal: "SIGTERM", graceMs: 5000 });
      c.metrics.exitMs = Date.now() - t0;
      c.record("exit code 0", code === 0, `exit ${code}`);
      const ends = await Promise.all(clients.map((r) => r.closed(3000)));
      const open = ends.filter((e) => e === undefined).length;
      c.record(
        "every client saw its connection end",
        open === 0,
        `${open} of ${clients.length} still open; ends: ${[...new Set(ends)].join(", ")}`,
      );
      c.metrics.eof = ends.filter((e) => e === "eof").length;
      c.metrics.reset = ends.filter((e) => e === "reset").length;
    } finally {
      for (const r of clients) r.destroy();
    }
    return c.done();
  },
};

const addrInUse: ReliabilityCase = {
  id: "lifecycle.eaddrinuse",
  title: "EADDRINUSE on TCP, UDP and Unix: one line naming the address, exit 1",
  timeoutMs: 30_000,
  async run(ctx) {
    const c = new CaseChecks();
    const tcp: Server = createServer();
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", r));
    ctx.defer(() => tcp.close());
    const port = (tcp.address() as { port: number }).port;
    const udp = createSocket("udp4");
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", r));
    ctx.defer(() => udp.close());
    const uport = udp.address().port;
    const targets: Array<["tcp" | "udp" | "unix", { port?: number; path?: string }, string]> = [
      ["tcp", { port }, `127.0.0.1:${port}`],
      ["udp", { port: uport }, `127.0.0.1:${uport}`],
    ];
    if (ctx.features.unix !== false) {
      const path = join(ctx.tmp(), "busy.sock");
      const unix: Server = createServer();
      await new Promise<void>((r) => unix.listen(path, r));
      ctx.defer(() => unix.close());
      targets.push(["unix", { path }, path]);
    }
    for (const [transport, where, name] of targets) {
      try {
        const s = await ctx.server("echo", transport, where);
        c.record(`${transport}: EADDRINUSE`, false, `the server started on ${name} anyway (port ${s.port})`);
      } catch (e) {
        const ev = (e as { event?: { event: string; code?: string; message?: string } }).event;
        const line = ev?.event === "error" ? `${ev.code}: ${ev.message}` : (e as Error).message;
        c.record(
          `${transport}: EADDRINUSE naming ${name}`,
          ev?.code === "EADDRINUSE" && line.includes(name) && !line.includes("\n"),
          line,
        );
      }
    }
    return c.done();
  },
};

const rebind: ReliabilityCase = {
  id: "lifecycle.rebind",
  title: "restart on the port just closed (its connection in TIME_WAIT) succeeds at once (SO_REUSEADDR)",
  timeoutMs: 30_000,
  async run(ctx) {
    const c = new CaseChecks();
    const s = await ctx.server("echo", "tcp");
    const port = s.port;
    const r = await RawClient.open(at(s));
    r.write(Buffer.from("x"));
    await r.bytes(1, 3000);
    // The server closes first (stop with the connection open), so TIME_WAIT is on its side.
    await s.stop({ signal: "SIGTERM", graceMs: 5000 });
    await r.closed(3000);
    r.destroy();
    // A one-shot look at the socket table, bounded like any command run to completion.
    const ss = spawnSync("ss", ["-Htan", "state", "time-wait", `sport = :${port}`], {
      encoding: "utf8",
      timeout: 5000,
      stdio: ["ignore", "pipe", "ignore"],
    });
    const timeWait = ss.error || ss.status !== 0 ? "unknown" : ss.stdout.trim() ? "yes" : "no";
    c.metrics.timeWaitSeen = timeWait === "yes" ? 1 : 0;
    try {
      const again = await ctx.server("echo", "tcp", { port });
      c.record(
        `rebinds 127.0.0.1:${port} at once`,
        again.port === port,
        `listening on ${again.port}; TIME_WAIT on the port: ${timeWait}`,
      );
      await c.stillServes("echo", at(again), "the restart");
    } catch (e) {
      c.record(
        `rebinds 127.0.0.1:${port} at once`,
        false,
        `${(e as Error).message}; TIME_WAIT on the port: ${timeWait}`,
      );
    }
    return c.done();
  },
};

const killedPeer: ReliabilityCase = {
  id: "lifecycle.killed-peer",
  title: "a peer SIGKILLed under backpressure is noticed once: one error, no hang, nothing unhandled",
  timeoutMs: 40_000,
  async run(ctx) {
    const c = new CaseChecks();
    // The peer: a separate Node process that accepts and never reads (and ends with our stdin pipe).
    const sink = spawnHarness<{ port: number }>(
      process.execPath,
      [
        "-e",
        "process.stdin.on('end',()=>process.exit(0)).resume();require('net').createServer(()=>{}).listen(0,'127.0.0.1',function(){console.log(JSON.stringify({port:this.address().port}))})",
      ],
      { name: "sink", stop: { signal: "SIGKILL", graceMs: 1000 } },
    );
    ctx.defer(() => sink.stop());
    const port = (await sink.next(10_000, "its port"))?.port;
    if (typeof port !== "number") throw new Error(`the sink did not start: ${sink.stderr().slice(-300)}`);
    const flood = startAgentProcess(
      ctx.runtime,
      { role: "reliability", scenario: "killed-peer", host: "127.0.0.1", port, timeoutMs: 15_000 },
      ctx.binaries,
    );
    ctx.defer(() => flood.stop());
    const blocked = await flood.waitStderr(FLOOD_BLOCKED_LINE, 15_000);
    c.record("the writer is under backpressure", blocked, flood.stderr().slice(-300));
    sink.kill("SIGKILL");
    const t0 = Date.now();
    const e = await flood.next(15_000).catch((err: Error) => err);
    c.metrics.msToResult = Date.now() - t0;
    if (!e || e instanceof Error || e.event !== "result") {
      c.record(
        "the writer reports (no crash, no hang)",
        false,
        `${e instanceof Error ? e.message : JSON.stringify(e)}; exit ${await flood.stop()}; ${flood.stderr().slice(-300)}`,
      );
      return c.done();
    }
    for (const ch of e.checks) c.record(ch.name, ch.ok, ch.detail ?? "");
    Object.assign(c.metrics, e.metrics);
    c.record(
      "exit code 0, no unhandled rejection",
      (await flood.exited) === 0 && !/unhandled/i.test(flood.stderr()),
      `exit ${await flood.exited}: ${flood.stderr().slice(-200)}`,
    );
    if (e.output) c.record("what the writer saw", true, e.output);
    return c.done();
  },
};

// ---------------------------------------------------------------------------------------
// Faults between a client and a server of the same runtime

export const STREAM_FAULTS = "slicer,latency=5ms,bandwidth=8MiB/s";
export const UDP_FAULTS = "drop=0.2,dup=0.1,reorder=0.1,truncate=0.1,seed=7";

const streamFaults: ReliabilityCase = {
  id: "faults.stream",
  title: `echo, time and transfer pass through ${STREAM_FAULTS}`,
  timeoutMs: 90_000,
  async run(ctx) {
    const c = new CaseChecks();
    const runs: Array<{ scenario: string; transport: "tcp"; extra: Record<string, number> }> = [
      { scenario: "echo", transport: "tcp", extra: { size: 256 * 1024 } },
      { scenario: "time", transport: "tcp", extra: {} },
      { scenario: "transfer", transport: "tcp", extra: { size: 1024 * 1024 } },
    ];
    await throughProxy(ctx, c, STREAM_FAULTS, runs, 30_000, (scenario, r) =>
      c.record(`${scenario} passes`, r.event === "result" && r.ok, failedDetail(r)),
    );
    return c.done();
  },
};

const resetFault: ReliabilityCase = {
  id: "faults.reset",
  title: "a reset mid-stream gives the client a failed check naming ECONNRESET/UNEXPECTED_EOF, promptly",
  timeoutMs: 60_000,
  async run(ctx) {
    const c = new CaseChecks();
    const runs = [
      { scenario: "echo", transport: "tcp" as const, extra: { size: 1024 * 1024 } },
      { scenario: "transfer", transport: "tcp" as const, extra: { size: 1024 * 1024 } },
    ];
    await throughProxy(ctx, c, "reset=64KiB", runs, 20_000, (scenario, r, ms) => {
      const named =
        r.event === "result" &&
        !r.ok &&
        r.checks.some((x) => !x.ok && /ECONNRESET|UNEXPECTED_EOF|EPIPE|ECONNABORTED/.test(x.detail ?? ""));
      c.record(`${scenario} client fails with the code in a check`, named, failedDetail(r));
      // Which code the runtime's client saw: a reset (ECONNRESET/EPIPE) or only an early end.
      c.metrics[`${scenario}.sawReset`] = /ECONNRESET|EPIPE|ECONNABORTED/.test(failedDetail(r)) ? 1 : 0;
      c.record(`${scenario} client gives its verdict promptly`, ms < 10_000, `${ms} ms`);
    });
    return c.done();
  },
};

const blackhole: ReliabilityCase = {
  id: "faults.blackhole",
  title: "a black hole (accepts, never answers): the client times out with ETIMEDOUT instead of hanging",
  timeoutMs: 30_000,
  async run(ctx) {
    const c = new CaseChecks();
    await throughProxy(
      ctx,
      c,
      "blackhole",
      [{ scenario: "time", transport: "tcp", extra: {} }],
      2000,
      (scenario, r, ms) => {
        c.record(
          `${scenario} client reports ETIMEDOUT`,
          r.event === "result" && !r.ok && r.error?.code === "ETIMEDOUT",
          failedDetail(r),
        );
        c.record(`${scenario} client stops at its --timeout`, ms < 8000, `${ms} ms`);
      },
    );
    return c.done();
  },
};

const udpFaults: ReliabilityCase = {
  id: "faults.udp",
  title: `UDP clients (echo, time, hello-udp) retry, match replies and count loss through ${UDP_FAULTS}`,
  timeoutMs: 90_000,
  async run(ctx) {
    const c = new CaseChecks();
    const extra = { lossy: true, retries: 20, replyTimeout: 100, count: 30 };
    const runs = ["echo", "time", "hello-udp"].map((scenario) => ({ scenario, transport: "udp" as const, extra }));
    await throughProxy(ctx, c, UDP_FAULTS, runs, 40_000, (scenario, r) =>
      c.record(`${scenario} gets every answer`, r.event === "result" && r.ok, failedDetail(r)),
    );
    return c.done();
  },
};

// ---------------------------------------------------------------------------------------
// Safe defaults

const loopback: ReliabilityCase = {
  id: "defaults.loopback",
  title: "`netparity serve` without --host binds 127.0.0.1",
  timeoutMs: 30_000,
  async run(ctx) {
    const c = new CaseChecks();
    // This target's binary: the run may hold another version than the default one.
    const bin = ctx.binaries[ctx.runtime];
    const cli = spawnHarness<{ host?: string }>(
      process.execPath,
      [
        join(PACKAGE_ROOT, "bin", "netparity.mjs"),
        "serve",
        "echo",
        "--runtime",
        ctx.runtime,
        ...(bin ? [`--${ctx.runtime}-bin`, bin] : []),
      ],
      {
        name: "netparity serve",
        stop: { signal: "SIGTERM", graceMs: 5000 },
      },
    );
    ctx.defer(() => cli.stop({ signal: "SIGKILL" }));
    const ready = await cli.next(20_000, "its listening line").catch((e: Error) => e);
    const line =
      ready instanceof Error
        ? ready.message
        : ready === null
          ? `exited before listening: ${cli.stderr().slice(-200)}`
          : cli.stdout().split("\n")[0]!;
    const host = ready && !(ready instanceof Error) ? (ready.host ?? "") : "";
    c.record("binds 127.0.0.1 by default", host === "127.0.0.1", line);
    // SIGTERM, then SIGKILL after 5 s: a process that ignored SIGTERM shows as exit SIGKILL.
    const code = await cli.stop();
    c.record("SIGTERM stops it with exit 0", code === 0, `exit ${code}`);
    return c.done();
  },
};

export const STREAM_CORRUPTION = "corrupt=0.0001,seed=11";
export const UDP_CORRUPTION = "corrupt=0.3,seed=11";

const corruptFaults: ReliabilityCase = {
  id: "faults.corrupt",
  title: `clients report corrupted bytes (${STREAM_CORRUPTION}; UDP ${UDP_CORRUPTION}) with a failed check, promptly, never a pass or a hang`,
  timeoutMs: 120_000,
  async run(ctx) {
    const c = new CaseChecks();
    const judge = (scenario: string, r: Awaited<ReturnType<typeof runClient>>, ms: number): void => {
      // A failed check with a detail (hash, count of wrong replies, the server's refusal), not a crash.
      const reported = r.event === "result" && !r.ok && r.checks.some((x) => !x.ok && Boolean(x.detail));
      c.record(`${scenario} client reports the corruption in a failed check`, reported, failedDetail(r));
      c.record(`${scenario} client gives its verdict promptly`, ms < 20_000, `${ms} ms`);
    };
    await throughProxy(
      ctx,
      c,
      STREAM_CORRUPTION,
      [
        { scenario: "echo", transport: "tcp", extra: { size: 256 * 1024 } },
        { scenario: "transfer", transport: "tcp", extra: { size: 1024 * 1024 } },
      ],
      30_000,
      judge,
    );
    // Not --lossy: on a path that only corrupts, a reply matching no request must be reported.
    const extra = { retries: 3, replyTimeout: 200, count: 30 };
    await throughProxy(
      ctx,
      c,
      UDP_CORRUPTION,
      ["echo", "time", "hello-udp"].map((scenario) => ({ scenario, transport: "udp" as const, extra })),
      30_000,
      judge,
    );
    return c.done();
  },
};

export const RELIABILITY_CASES: readonly ReliabilityCase[] = [
  tooLarge,
  truncated,
  slowloris,
  maxConnections,
  transferBad,
  load,
  stopOpen,
  addrInUse,
  rebind,
  killedPeer,
  streamFaults,
  resetFault,
  blackhole,
  udpFaults,
  corruptFaults,
  loopback,
  ...TLS_CASES,
];
