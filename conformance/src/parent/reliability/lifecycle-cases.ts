/**
 * The reliability catalogue's load and lifecycle cases: many clients at once, stopping with
 * connections open, a used port, rebinding, and a peer killed under backpressure.
 */
import { spawnSync } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { FLOOD_BLOCKED_LINE } from "../../in-runtime/reliability/flood.js";
import { spawnHarness } from "../process/harness.js";
import { startAgentProcess } from "./agents.js";
import { CaseChecks, at } from "./case-helpers.js";
import { RawClient } from "./raw.js";
import type { ReliabilityCase } from "./types.js";

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

export const LIFECYCLE_CASES: readonly ReliabilityCase[] = [load, stopOpen, addrInUse, rebind, killedPeer];
