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
        expect(
          report.ratios.find((x) => x.workload === "bulk" && x.runtime === rt && x.denominator === "raw"),
        ).toMatchObject({ target: 0.95, ratio: expect.any(Number) });
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
        }
      }
      const md = readFileSync(join(dir, "bench.md"), "utf8");
      expect(md).toContain("### Summary");
      expect(md).toContain("Bulk one-way TCP stream");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("--quick --workloads tls-handshake,tls-bulk: rows for every runtime, role and impl, with no errors", () => {
    const dir = mkdtempSync(join(tmpdir(), "netparity-bench-tls-"));
    try {
      const r = spawnSync(
        process.execPath,
        [BIN, "bench", "--quick", "--workloads", "tls-handshake,tls-bulk", "--report-dir", dir, "--json"],
        { encoding: "utf8", timeout: 150_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      const report = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) as BenchReport;
      expect(report.errors).toEqual([]);
      for (const name of ["tls-handshake-ecdsa", "tls-handshake-rsa", "tls-bulk"]) {
        const w = report.workloads.find((x) => x.name === name)!;
        expect(w, name).toBeDefined();
        expect(w.unit).toBe(name === "tls-bulk" ? "bytes/s" : "handshakes/s");
        for (const rt of RUNTIMES) {
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
        if (name !== "tls-bulk") {
          if (hasOpenssl) expect(w.results.find((x) => x.impl === "s_server")?.median).toBeGreaterThan(0);
          else expect(report.skipped.join("\n")).toMatch(/openssl/);
        }
      }
      const md = readFileSync(join(dir, "bench.md"), "utf8");
      expect(md).toContain("TLS handshakes, RSA-2048 certificate");
      expect(md).toContain("Bulk one-way TLS stream");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects an unknown workload with exit code 2", () => {
    const r = spawnSync(process.execPath, [BIN, "bench", "--workloads", "nope"], { encoding: "utf8", timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown workload "nope"/);
  });
});
