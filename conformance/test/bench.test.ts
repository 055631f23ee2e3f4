/**
 * `netparity bench` is never a timed test: this only checks that the smallest run works end
 * to end and writes well-formed results with every runtime and every baseline present.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import type { BenchReport } from "../src/parent/bench/types.js";
import { defaultWorkloads, optInWorkloads, workloadNames } from "../src/parent/bench/workloads/index.js";
import { parseWorkloads } from "../src/parent/bench/cli.js";
import { RUNTIMES } from "./helpers.js";

const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");
const hasPython = spawnSync("python3", ["--version"]).status === 0;
const hasIperf = spawnSync("iperf3", ["--version"]).status === 0;
const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

describe("netparity bench", () => {
  it("--quick --workloads decoder,bulk: bench.json and bench.md with every runtime, adapter and raw, and the baselines", () => {
    const dir = mkdtempSync(join(tmpdir(), "netparity-bench-"));
    try {
      const r = spawnSync(
        process.execPath,
        [BIN, "bench", "--quick", "--workloads", "decoder,bulk", "--report-dir", dir, "--json"],
        {
          encoding: "utf8",
          timeout: 110_000,
        },
      );
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) as BenchReport;
      expect(JSON.parse(r.stdout)).toEqual(report);
      expect(report.schema).toBe("netparity.bench/1");
      expect(report.errors).toEqual([]);
      // Per-workload wall time, the basis of the default run's duration in docs/bench.md.
      expect(report.timing?.map((t) => t.workload)).toEqual(["decoder", "bulk"]);
      expect(report.timing?.find((t) => t.workload === "bulk")?.calibrationSeconds).toBeGreaterThan(0);
      for (const t of report.timing ?? []) expect(t.measuringSeconds, t.workload).toBeGreaterThan(0);
      expect(readFileSync(join(dir, "bench.md"), "utf8")).toMatch(
        /Time per workload .*decoder 0 \+ [\d.]+ s, bulk [\d.]+ \+ [\d.]+ s/,
      );
      expect(report.machine).toMatchObject({
        cpuCount: expect.any(Number),
        kernel: expect.any(String),
        cpuModel: expect.any(String),
      });
      expect(Object.keys(report.machine.runtimes as object).sort()).toEqual([...RUNTIMES].sort());

      const bulk = report.workloads.find((w) => w.name === "bulk")!;
      expect(bulk).toMatchObject({ unit: "bytes/s", higherIsBetter: true });
      for (const rt of RUNTIMES) {
        for (const role of ["server", "client"] as const) {
          for (const impl of ["adapter", "raw"]) {
            const e = bulk.results.find((x) => x.runtime === rt && x.role === role && x.impl === impl);
            expect(e, `${rt} ${impl} as ${role}`).toBeDefined();
            expect(e!.median).toBeGreaterThan(0);
            expect(e!.min).toBeLessThanOrEqual(e!.median);
            expect(e!.max).toBeGreaterThanOrEqual(e!.median);
            expect(e!.samples.length).toBe(report.rounds);
            expect(e!.peakRssBytes).toBeGreaterThan(1024 * 1024);
          }
        }
        for (const role of ["server", "client"]) {
          const ratio = report.ratios.find(
            (x) => x.workload === "bulk" && x.runtime === rt && x.role === role && x.denominator === "raw",
          );
          // Throughput and CPU cost, each with its own verdict; the CPU-cost target is 1 / 0.95.
          expect(ratio, `${rt} ${role}`).toMatchObject({
            target: 0.95,
            ratio: expect.any(Number),
            throughputVerdict: expect.any(String),
            cpu: { target: 1 / 0.95, verdict: expect.any(String), ratio: expect.any(Number) },
          });
        }
      }
      if (hasPython) expect(bulk.results.some((x) => x.impl === "python-threads")).toBe(true);
      if (hasIperf) expect(bulk.results.some((x) => x.impl === "iperf3")).toBe(true);
      else expect(report.skipped.join("\n")).toMatch(/iperf3/);

      for (const size of [64, 4096, 1024 * 1024]) {
        const w = report.workloads.find((x) => x.name === `decoder-${size}`)!;
        expect(w, `decoder-${size}`).toBeDefined();
        for (const rt of RUNTIMES) {
          for (const impl of ["framedecoder", "it-length-prefixed", "naive"]) {
            expect(
              w.results.find((x) => x.runtime === rt && x.impl === impl)?.median,
              `${rt} ${impl} ${size}`,
            ).toBeGreaterThan(0);
          }
          // Zero-copy: only frames that straddle two 64 KiB chunks are copied.
          const ours = w.results.find((x) => x.runtime === rt && x.impl === "framedecoder")!;
          if (size === 64) expect(ours.copied!.copied).toBeLessThan(ours.copied!.frames / 100);
          // Every runtime reports its CPU time: frames per CPU second beside frames per second.
          expect(ours.perCpuSecond, `${rt} ${size}`).toBeGreaterThan(0);
        }
      }
      // One round: no interval, so no target can be met or missed, only inconclusive.
      const judged = report.ratios.filter((x) => x.target !== undefined);
      expect(judged.length).toBeGreaterThan(0);
      for (const x of judged) expect(["met", "missed", "inconclusive"]).toContain(x.verdict);
      for (const x of judged.filter((y) => y.ci95 === null && y.denominator === "raw"))
        expect(x.verdict, x.name).toBe("inconclusive");
      expect(report.ranking?.find((x) => x.workload === "bulk" && x.role === "client")?.rows.length).toBe(
        RUNTIMES.length,
      );
      expect(report.peers?.map((x) => `${x.group} ${x.role}`).sort()).toEqual(["bulk client", "bulk server"]);
      const md = readFileSync(join(dir, "bench.md"), "utf8");
      expect(md).toContain("### Summary");
      expect(md).toContain("### Verdicts: throughput and CPU cost");
      expect(md).toContain("### Which runtime to deploy");
      expect(md).toContain("Bulk one-way TCP stream");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /**
   * tls-handshake (ECDSA and RSA) and tls-bulk on node only: the TLS workloads' plan, rows and
   * report are the same code for every runtime, and each runtime's TLS accept and connect are
   * proven by the conformance run's tls cells. Bun's and Deno's rows: `netparity bench
   * --workloads tls-handshake,tls-bulk`.
   */
  it.each([
    ["tls-handshake", ["node"]],
    ["tls-bulk", ["node"]],
  ] as const)(
    "--quick --workloads %s --runtimes %j: rows for every runtime, role and impl, with no errors",
    (workload, runtimes) => {
      const dir = mkdtempSync(join(tmpdir(), "netparity-bench-tls-"));
      try {
        const r = spawnSync(
          process.execPath,
          [
            BIN,
            "bench",
            "--quick",
            "--workloads",
            workload,
            "--runtimes",
            runtimes.join(","),
            "--report-dir",
            dir,
            "--json",
          ],
          { encoding: "utf8", timeout: 150_000 },
        );
        expect(r.status, r.stderr).toBe(0);
        const report = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) as BenchReport;
        expect(report.errors).toEqual([]);
        const names = workload === "tls-bulk" ? ["tls-bulk"] : ["tls-handshake-ecdsa", "tls-handshake-rsa"];
        for (const name of names) {
          const w = report.workloads.find((x) => x.name === name)!;
          expect(w, name).toBeDefined();
          expect(w.unit).toBe(name === "tls-bulk" ? "bytes/s" : "handshakes/s");
          for (const rt of runtimes) {
            for (const role of ["server", "client"] as const) {
              for (const impl of ["adapter", "raw"]) {
                const e = w.results.find((x) => x.runtime === rt && x.role === role && x.impl === impl);
                expect(e, `${name}: ${rt} ${impl} as ${role}`).toBeDefined();
                expect(e!.median).toBeGreaterThan(0);
                expect(e!.samples.length).toBe(report.rounds);
                expect(e!.cpuSecondsPer?.unit).toBe(name === "tls-bulk" ? "GB" : "1000 handshakes");
                if (name !== "tls-bulk") expect(e!.errors, `${name}: ${rt} ${impl} as ${role}`).toBe(0);
              }
              expect(
                report.ratios.find(
                  (x) => x.workload === name && x.runtime === rt && x.role === role && x.denominator === "raw",
                ),
              ).toMatchObject({ target: 0.95, ratio: expect.any(Number) });
            }
          }
          // The native reference of each TLS workload, and the best adapter's ratio to it (no target).
          const refImpl = name === "tls-bulk" ? "speed aes-128-gcm" : "s_server";
          const refName = `${name} best adapter/openssl ${name === "tls-bulk" ? "speed" : "s_time"}`;
          if (hasOpenssl) {
            expect(w.results.find((x) => x.impl === refImpl)?.median).toBeGreaterThan(0);
            const best = report.ratios.find((x) => x.name === refName);
            expect(best).toMatchObject({ ratio: expect.any(Number), reference: expect.any(String) });
            expect(best!.target).toBeUndefined();
          } else expect(report.skipped.join("\n")).toMatch(/openssl/);
        }
        const md = readFileSync(join(dir, "bench.md"), "utf8");
        expect(md).toContain(
          workload === "tls-bulk" ? "Bulk one-way TLS stream" : "TLS handshakes, RSA-2048 certificate",
        );
        if (hasOpenssl) expect(md).toContain("Against a reference: ");
        // Each workload runs only its own reference: tls-bulk no s_time, tls-handshake no openssl speed.
        expect(report.workloads.map((x) => x.name)).toEqual(names);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  // Bun only: its servers take SO_REUSEPORT on every version (Node's only from 22.12, so on the
  // default Node 20 the scaling rows are skipped), and load-latency is the same parent code for
  // every runtime; the ranking across runtimes is the decoder,bulk test's.
  it("--quick --rounds 2 --runtimes bun --workloads scaling,load-latency: intervals, spread, latency levels", () => {
    const dir = mkdtempSync(join(tmpdir(), "netparity-bench-new-"));
    try {
      const r = spawnSync(
        process.execPath,
        [
          BIN,
          "bench",
          "--quick",
          "--rounds",
          "2",
          "--runtimes",
          "bun",
          "--workloads",
          "scaling,load-latency",
          "--report-dir",
          dir,
        ],
        { encoding: "utf8", timeout: 400_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) as BenchReport;
      expect(report.errors).toEqual([]);
      expect(report.rounds).toBe(2);
      const scaling = report.workloads.filter((w) => w.name.startsWith("scaling-"));
      expect(scaling.map((w) => w.name)).toContain("scaling-1");
      for (const w of scaling) {
        for (const impl of ["adapter", "raw"]) {
          const e = w.results.find((x) => x.runtime === "bun" && x.impl === impl)!;
          expect(e, `${w.name} bun ${impl}`).toBeDefined();
          // Every connection the client opened was held by one of the server processes.
          const spread = e.connectionSpread!;
          expect(spread.perProcess.length).toBe(Number(w.name.slice(8)));
          expect(spread.perProcess.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(32);
          expect(e.ci95).toHaveLength(2);
        }
      }
      const load = report.workloads.find((w) => w.name === "load-latency")!;
      for (const impl of ["adapter", "raw"]) {
        const e = load.results.find((x) => x.runtime === "bun" && x.impl === impl)!;
        expect(e.loadLevels?.map((l) => l.fraction)).toEqual([0.25, 0.5, 0.75]);
        for (const l of e.loadLevels!) {
          expect(l.latencyUs.count).toBeGreaterThan(0);
          expect(l.latencyUs.p99).toBeGreaterThanOrEqual(l.latencyUs.p50);
          expect(l.latencyUs.p999).toBeGreaterThanOrEqual(l.latencyUs.p99);
        }
      }
      // Every ratio of two measured rows has its interval (the scaling speed-ups among them).
      const ratios = report.ratios.filter((y) => y.ratio !== null);
      expect(ratios.length).toBeGreaterThan(0);
      for (const x of ratios) expect(x.ci95, x.name).toHaveLength(2);
      const md = readFileSync(join(dir, "bench.md"), "utf8");
      expect(md).toContain("Jain's fairness index");
      expect(md).toContain("p99.9");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // One runtime: 1 000 and 10 000 connections held open per impl are the test's cost.
  it("--quick --runtimes node --workloads idle-memory (one round: it reports no interval): memory per connection", () => {
    const r = spawnSync(
      process.execPath,
      [BIN, "bench", "--quick", "--runtimes", "node", "--workloads", "idle-memory", "--json"],
      { encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(report.errors).toEqual([]);
    for (const n of [1000, 10000]) {
      const w = report.workloads.find((x) => x.name === `idle-memory-${n}`);
      if (!w) {
        expect(report.skipped.join("\n")).toMatch(new RegExp(`idle-memory-${n}: the descriptor hard limit`));
        continue;
      }
      expect(w.higherIsBetter).toBe(false);
      for (const e of w.results) expect(e.idle!.connections, `${e.runtime} ${e.impl}`).toBeGreaterThanOrEqual(n);
    }
  });

  it("--rounds auto --budget: adds interleaved rounds after the first two and says why it stopped", () => {
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        "bench",
        "--quick",
        "--rounds",
        "auto",
        "--budget",
        "10s",
        "--workloads",
        "decoder",
        "--runtimes",
        "node,bun",
        "--json",
      ],
      { encoding: "utf8", timeout: 200_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(report.roundsAuto).toMatchObject({ budgetSeconds: 10, halfWidth: 0.05, maxRounds: 30 });
    expect(report.roundsAuto!.outcome).toMatch(
      /^(every target decided|stopped \((budget|30 rounds)\)) after \d+ round/,
    );
    expect(report.rounds).toBeGreaterThanOrEqual(2);
    expect(report.rounds).toBeLessThanOrEqual(30);
    expect(r.stderr).toContain("--rounds auto:");
    for (const x of report.ratios) {
      expect(x.ci95, x.name).toHaveLength(2);
      expect(x.ci95![0]).toBeLessThanOrEqual(x.ci95![1]);
    }
  });

  it("bench --help offers --rounds auto, --budget and --target; a bad --budget is a usage error", () => {
    const h = spawnSync(process.execPath, [BIN, "bench", "--help"], { encoding: "utf8", timeout: 30_000 });
    expect(h.stdout).toMatch(/--rounds <n>[\s\S]*auto/);
    expect(h.stdout).toContain("--budget <duration>");
    expect(h.stdout).toContain("--target <host:port>");
    const r = spawnSync(process.execPath, [BIN, "bench", "--rounds", "auto", "--budget", "soon"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/invalid budget "soon"/);
  });

  it("the default run leaves the heavy workloads opt-in; --workloads all runs every one; --help says which", () => {
    expect(defaultWorkloads()).toEqual(["bulk", "transfer", "echo", "concurrency", "decoder", "tls-bulk"]);
    expect(
      optInWorkloads()
        .map((w) => w.name)
        .sort(),
    ).toEqual(["idle-memory", "load-latency", "scaling", "tls-handshake", "udp", "wintertc"]);
    expect(parseWorkloads("all")).toEqual(workloadNames());
    expect(parseWorkloads("wintertc,echo")).toEqual(["wintertc", "echo"]);
    const h = spawnSync(process.execPath, [BIN, "bench", "--help"], { encoding: "utf8", timeout: 30_000 });
    expect(h.status).toBe(0);
    expect(h.stdout).toContain("default   bulk, transfer, echo, concurrency, decoder, tls-bulk\n");
    for (const w of optInWorkloads()) expect(h.stdout).toMatch(new RegExp(`opt-in[\\s\\S]*${w.name}`));
    expect(h.stdout).toContain("--workloads all");
  });

  it("rejects an unknown workload with exit code 2", () => {
    const r = spawnSync(process.execPath, [BIN, "bench", "--workloads", "nope"], { encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown workload "nope"/);
  });
});
