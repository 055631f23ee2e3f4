/**
 * The reliability catalogue's faults between a client and a server of the same runtime (the
 * fault proxy's streams, resets, a blackhole, UDP loss and corruption) and its safe defaults
 * (servers listen on loopback unless told otherwise).
 */
import { join } from "node:path";
import { PACKAGE_ROOT } from "../runner/runtimes.js";
import { spawnHarness } from "../process/harness.js";
import type { runClient } from "./agents.js";
import { CaseChecks, failedDetail, throughProxy } from "./case-helpers.js";
import type { ReliabilityCase } from "./types.js";

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

export const FAULT_CASES: readonly ReliabilityCase[] = [
  streamFaults,
  resetFault,
  blackhole,
  udpFaults,
  corruptFaults,
  loopback,
];
