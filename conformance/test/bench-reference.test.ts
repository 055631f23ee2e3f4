/**
 * The reference rows: how far the best runtime is from a native program on the same machine
 * (openssl s_time for tls-handshake, openssl speed for tls-bulk, iperf3 for bulk), as unpaired
 * ratios of medians with their bootstrap intervals, shown under the workload's table and in
 * the summary. Constructed rows only: no process, no timing.
 */
import { describe, expect, it } from "vitest";
import { computeRatios } from "../src/parent/bench/ratios.js";
import { renderMarkdown } from "../src/parent/bench/report.js";
import type { BenchReport, ResultEntry, WorkloadResult } from "../src/parent/bench/types.js";
import { constructedBenchReport } from "./bench-fixture.js";

function row(runtime: string, role: "server" | "client", impl: string, samples: number[]): ResultEntry {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    runtime,
    role,
    impl,
    peer: "node raw",
    median: sorted[Math.floor(sorted.length / 2)]!,
    ci95: null,
    min: sorted[0]!,
    max: sorted[sorted.length - 1]!,
    cv: null,
    samples,
    rounds: samples.map((_, i) => i + 1),
  };
}

function report(workloads: WorkloadResult[]): BenchReport {
  return constructedBenchReport(workloads, {
    runtimes: { node: "20.20.2", bun: "1.4.5" },
    fixedPeer: "node raw",
    createdAt: "2026-12-07T21:00:00Z",
  });
}

const handshakes: WorkloadResult = {
  name: "tls-handshake-ecdsa",
  title: "TLS handshakes, ECDSA P-256 certificate",
  unit: "handshakes/s",
  higherIsBetter: true,
  params: {},
  results: [
    row("node", "server", "adapter", [300, 310, 320, 305, 315]),
    row("node", "server", "raw", [310, 300, 330, 320, 305]),
    row("bun", "client", "adapter", [400, 420, 410, 415, 405]),
    row("bun", "client", "raw", [410, 400, 420, 405, 415]),
    row("openssl", "server", "s_server", [200, 190, 210, 205, 195]),
  ],
};

const tlsBulk: WorkloadResult = {
  name: "tls-bulk",
  title: "Bulk one-way TLS stream",
  unit: "bytes/s",
  higherIsBetter: true,
  params: {},
  results: [
    row("node", "server", "adapter", [1.0e9, 1.1e9, 1.05e9, 0.95e9, 1.0e9]),
    row("node", "server", "raw", [1.0e9, 1.0e9, 1.1e9, 0.9e9, 1.0e9]),
    row("openssl", "server", "speed aes-128-gcm", [4.2e9, 4.3e9, 4.25e9, 4.1e9, 4.2e9]),
  ],
};

describe("reference rows", () => {
  it("tls-handshake: every adapter against openssl s_time, the best one named, no target", () => {
    const rs = computeRatios([handshakes]).filter((r) => r.denominator === "openssl s_time");
    expect(rs.map((r) => `${r.name} ${r.runtime} ${r.role}`).sort()).toEqual([
      "tls-handshake-ecdsa adapter/openssl s_time node server",
      "tls-handshake-ecdsa best adapter/openssl s_time bun client",
    ]);
    const best = rs.find((r) => r.name.includes("best"))!;
    expect(best.ratio).toBeCloseTo(410 / 200, 12);
    // Unpaired: the bootstrap interval of the ratio of medians, around the point.
    expect(best.ci95![0]).toBeLessThanOrEqual(best.ratio!);
    expect(best.ci95![1]).toBeGreaterThanOrEqual(best.ratio!);
    expect(best.paired).toBeUndefined();
    expect(best.target).toBeUndefined();
    expect(best.verdict).toBeUndefined();
    expect(best.reference).toMatch(/one connection at a time .* not a bound/);
    expect(rs.find((r) => !r.name.includes("best"))!.reference).toBeUndefined();
  });

  it("tls-bulk: the best adapter against one core's AES-GCM (openssl speed), no target", () => {
    const [best] = computeRatios([tlsBulk]).filter((r) => r.denominator === "openssl speed");
    expect(best).toMatchObject({ name: "tls-bulk best adapter/openssl speed", runtime: "node", role: "server" });
    expect(best!.ratio).toBeCloseTo(1.0e9 / 4.2e9, 12);
    expect(best!.target).toBeUndefined();
    expect(best!.reference).toMatch(/aes-128-gcm/);
  });

  it("no reference row, no reference ratio", () => {
    const w = { ...handshakes, results: handshakes.results.filter((x) => x.runtime !== "openssl") };
    expect(computeRatios([w]).filter((r) => r.denominator === "openssl s_time")).toEqual([]);
  });

  it("bench.md says it under the workload's table and in the summary", () => {
    const md = renderMarkdown(report([handshakes, tlsBulk]));
    expect(md).toMatch(
      /Against a reference: tls-handshake-ecdsa best adapter\/openssl s_time \(bun as client\) 2\.05 \[[\d.]+, [\d.]+\]; openssl s_time/,
    );
    expect(md).toMatch(/Against a reference: tls-bulk best adapter\/openssl speed \(node as server\) 0\.24 \[/);
    expect(md).toContain("| TLS handshakes/s adapter/openssl s_time, ECDSA / RSA |");
    const bunClient = md.split("\n").find((l) => l.startsWith("| bun | client |"))!;
    expect(bunClient).toMatch(/\| 2\.05 \[[\d.]+, [\d.]+\] \/ – \|/);
    const nodeServer = md.split("\n").find((l) => l.startsWith("| node | server |"))!;
    expect(nodeServer).toMatch(/\| 0\.24 \[[\d.]+, [\d.]+\] \|$/);
  });
});
