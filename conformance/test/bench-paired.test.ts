/**
 * Paired rounds, CPU-cost verdicts and drift flags: pure functions on constructed samples
 * (no timing, no process). Each round's drift is a factor that hits both programs of the
 * round alike, as another process, the CPU frequency or the cache state does.
 */
import { Prng } from "@netparity/protocol";
import { describe, expect, it } from "vitest";
import {
  bootstrapRatio,
  exactMedianInterval,
  faultCause,
  pairedRatio,
  perRoundRatios,
  trendTest,
  unstableReason,
  type RoundSample,
} from "../src/parent/common/stats.js";
import { combineVerdicts, judgeCpuCost, judgeTarget } from "../src/parent/verdict/targets.js";
import { computeRatios } from "../src/parent/bench/ratios.js";
import { roundOrder, undecidedCells } from "../src/parent/bench/run.js";
import { aggregate } from "../src/parent/bench/aggregate.js";
import type { Sample } from "../src/parent/bench/execute.js";
import { params } from "../src/parent/bench/params.js";
import type { Cell } from "../src/parent/bench/plan.js";
import type { BenchReport, ResultEntry, WorkloadResult } from "../src/parent/bench/types.js";
import { benchSection, renderMarkdown } from "../src/parent/bench/report.js";
import { renderHtml } from "../src/parent/report/html.js";
import { sampleReport } from "./report-fixture.js";
import { constructedBenchReport } from "./bench-fixture.js";

/** Per-round drift factors between 0.5 and 2 (a shared machine), from a fixed seed. */
function drift(n: number, seed: number): number[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => 2 ** ((rng.nextU32() / 2 ** 32) * 2 - 1));
}

/** Small noise of each program's own, ±`noise` relative. */
function noise(n: number, amount: number, seed: number): number[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => 1 + amount * ((rng.nextU32() / 2 ** 32) * 2 - 1));
}

const rounds = (xs: number[]): RoundSample[] => xs.map((value, i) => ({ round: i + 1, value }));

describe("paired interval of per-round ratios", () => {
  it("shared drift cancels: the paired interval is narrow where the independent one spans the target", () => {
    const n = 7;
    const d = drift(n, 1);
    const raw = d.map((x, i) => 1000 * x * noise(n, 0.01, 2)[i]!);
    const adapter = d.map((x, i) => 980 * x * noise(n, 0.01, 3)[i]!);
    const pr = pairedRatio(rounds(adapter), rounds(raw))!;
    expect(pr.ci95![0]).toBeGreaterThan(0.95);
    expect(pr.ci95![1]).toBeLessThan(1.01);
    expect(judgeTarget(pr.ratio, pr.ci95, 0.95, { samples: n }).verdict).toBe("met");
    // The same samples resampled independently: the drift becomes noise of the ratio.
    const ind = bootstrapRatio(adapter, raw, { seed: 1 })!;
    expect(ind[0]).toBeLessThan(0.95);
    expect(judgeTarget(pr.ratio, ind, 0.95, { samples: n }).verdict).toBe("inconclusive");
  });

  it("a real 10 % cost is found under the same drift", () => {
    const n = 6;
    const d = drift(n, 4);
    const raw = d.map((x, i) => 500 * x * noise(n, 0.02, 5)[i]!);
    const adapter = d.map((x, i) => 450 * x * noise(n, 0.02, 6)[i]!);
    const pr = pairedRatio(rounds(adapter), rounds(raw))!;
    expect(pr.ci95![0]).toBeGreaterThan(0.85);
    expect(pr.ci95![1]).toBeLessThan(0.95);
    expect(judgeTarget(pr.ratio, pr.ci95, 0.95, { samples: n }).verdict).toBe("missed");
  });

  it("a constant ratio gives a zero-width interval", () => {
    const d = drift(5, 7);
    const pr = pairedRatio(rounds(d.map((x) => 0.9 * x)), rounds(d))!;
    expect(pr.ci95![1] - pr.ci95![0]).toBeCloseTo(0, 12);
    expect(pr.ratio).toBeCloseTo(0.9, 12);
  });

  it("fewer than 5 rounds stays inconclusive, however tight", () => {
    const d = drift(4, 8);
    const pr = pairedRatio(rounds(d.map((x) => 0.5 * x)), rounds(d))!;
    expect(pr.perRound).toHaveLength(4);
    expect(judgeTarget(pr.ratio, pr.ci95, 0.95, { samples: pr.perRound.length })).toMatchObject({
      verdict: "inconclusive",
      reason: "4 rounds: a verdict needs at least 5",
    });
    expect(judgeCpuCost(2, pr.ci95, 0.95, { samples: 4 }).verdict).toBe("inconclusive");
  });

  it("pairs by round: a round missing on one side is left out, not shifted", () => {
    const a = [
      { round: 1, value: 10 },
      { round: 3, value: 30 },
      { round: 4, value: 40 },
    ];
    const b = [
      { round: 1, value: 5 },
      { round: 2, value: 99 },
      { round: 3, value: 15 },
      { round: 4, value: 0 },
    ];
    expect(perRoundRatios(a, b)).toEqual([
      { round: 1, value: 2 },
      { round: 3, value: 2 },
    ]);
  });

  it("the exact median interval: [min, max] at 93.75 % for 5 rounds, inner order statistics once they reach 95 %", () => {
    expect(exactMedianInterval([5, 1, 4, 2, 3])).toEqual({ ci95: [1, 5], coverage: 1 - 2 / 32 });
    const nine = exactMedianInterval([1, 2, 3, 4, 5, 6, 7, 8, 9])!;
    expect(nine.ci95).toEqual([2, 8]);
    expect(nine.coverage).toBeGreaterThanOrEqual(0.95);
    expect(exactMedianInterval([1])).toBeNull();
  });
});

describe("CPU cost as a verdict", () => {
  it("is judged against 1 / the throughput target, lower is better", () => {
    expect(judgeCpuCost(1.0, [0.98, 1.03], 0.95)).toMatchObject({ verdict: "met", target: 1 / 0.95 });
    expect(judgeCpuCost(1.2, [1.1, 1.3], 0.95).verdict).toBe("missed");
    expect(judgeCpuCost(1.04, [0.99, 1.1], 0.95).verdict).toBe("inconclusive");
    expect(judgeCpuCost(null, null, 0.95).verdict).toBe("inconclusive");
  });

  it("a row is met when either measure is met and neither missed; they disagree: inconclusive", () => {
    const met = judgeTarget(1, [0.97, 1.02], 0.95);
    const open = judgeTarget(1, [0.8, 1.2], 0.95);
    const missed = judgeTarget(0.8, [0.7, 0.9], 0.95);
    const cpuMet = judgeCpuCost(1, [0.99, 1.01], 0.95);
    const cpuMissed = judgeCpuCost(1.3, [1.2, 1.4], 0.95);
    expect(combineVerdicts(open, cpuMet).verdict).toBe("met");
    expect(combineVerdicts(met, null).verdict).toBe("met");
    expect(combineVerdicts(missed, judgeCpuCost(1, [0.8, 1.2], 0.95)).verdict).toBe("missed");
    expect(combineVerdicts(met, cpuMissed)).toMatchObject({
      verdict: "inconclusive",
      reason: expect.stringMatching(/disagree/),
    });
    expect(combineVerdicts(open, judgeCpuCost(1, [0.8, 1.2], 0.95)).verdict).toBe("inconclusive");
  });

  it("a peer-bound row is decided by the CPU cost of the program under test", () => {
    const d = drift(5, 9);
    const row = (impl: string, tp: number, cpu: number): ResultEntry => ({
      runtime: "bun",
      role: "server",
      impl,
      peer: "node raw",
      median: tp,
      ci95: null,
      min: tp,
      max: tp,
      cv: null,
      samples: d.map((x) => tp * x),
      rounds: [1, 2, 3, 4, 5],
      cpuSecondsPer: { unit: "GB", self: cpu, peer: 1, selfSamples: d.map(() => cpu) },
      peerBound: "peer-bound: the fixed peer (node raw) used 0.95 cores (> 0.8)",
    });
    const w: WorkloadResult = {
      name: "bulk",
      title: "bulk",
      unit: "bytes/s",
      higherIsBetter: true,
      params: {},
      results: [row("adapter", 2e9, 0.5), row("raw", 2e9, 0.49)],
    };
    const [r] = computeRatios([w]).filter((x) => x.name === "bulk adapter/raw");
    expect(r).toMatchObject({ throughputVerdict: "inconclusive", verdict: "met" });
    expect(r!.cpu).toMatchObject({ verdict: "met" });
    expect(r!.cpu!.ratio).toBeCloseTo(0.5 / 0.49, 12);
    expect(r!.throughputReason).toMatch(/peer-bound/);
  });
});

describe("drift flags", () => {
  it("the raw Node sink that fell from 3.4 to 0.25 GB/s is unstable by its spread; a longer fall also as a trend", () => {
    // Five rounds with a tie at the bottom: Mann–Kendall p = 10/120, not a significant trend alone.
    expect(unstableReason([3.4, 2.0, 0.25, 0.24, 0.25])).toBe("spread 14.2× (min 0.24, max 3.4) > 2×");
    expect(unstableReason([3.4, 3.0, 2.6, 2.2, 1.9, 1.8])).toMatch(/falls across the rounds \(Mann–Kendall p = 0\.003/);
  });

  it("a steady row is not flagged; a 2× spread is; a steady small drift is not", () => {
    expect(unstableReason([1.0, 1.1, 0.95, 1.05, 1.0])).toBeNull();
    expect(unstableReason([1.0, 2.1, 1.5, 1.2, 1.1])).toMatch(/spread/);
    expect(unstableReason([1.0, 1.01, 1.02, 1.03, 1.04])).toBeNull();
    expect(unstableReason([1.0, 1.1, 1.2, 1.3, 1.4, 1.5])).toMatch(/rises across the rounds/);
  });

  // The raw Node sink's rounds as measured: 1 GiB each, the slow ones ~14 faults per 64 KiB read.
  const GiB = 2 ** 30;
  const sinkRates = [3.4e9, 2.0e9, 0.25e9, 0.24e9, 0.25e9];
  const perGB = (counts: number[]) => counts.map((n) => (n / GiB) * 1e9);
  const faults = (counts: number[]) => ({ perUnit: perGB(counts), counts, unit: "GB" });

  it("a bimodal row whose slow rounds took many times the page faults names that cause", () => {
    const counts = [13_600, 36_500, 222_000, 264_000, 240_000];
    const why = unstableReason(sinkRates, { faults: faults(counts) });
    expect(why).toMatch(/^spread 14\.2× \(min 240000000, max 3400000000\) > 2×; slow rounds \(3 of 5\) took /);
    // median of the slow (240 k per GiB) over the median of the fast (25 k per GiB)
    expect(why).toContain(`took ${(240_000 / ((13_600 + 36_500) / 2)).toFixed(1)}× the minor page faults per GB`);
    expect(why).toMatch(/faulted back in\)$/);
    // Lower is better (e.g. seconds): the slow rounds are the high ones.
    expect(faultCause([1, 1.1, 9, 8.5, 9.2], faults([10e3, 11e3, 90e3, 80e3, 95e3]), false)).toMatch(
      /^slow rounds \(3 of 5\)/,
    );
  });

  it("a bimodal row without that difference in faults keeps the plain reason", () => {
    expect(unstableReason(sinkRates, { faults: faults([13_600, 14_000, 13_300, 13_700, 13_500]) })).toBe(
      unstableReason(sinkRates),
    );
    // 3× more faults is under the threshold; one slow round as low as a fast one breaks the pattern.
    expect(faultCause(sinkRates, faults([20e3, 20e3, 60e3, 60e3, 60e3]))).toBeNull();
    expect(faultCause(sinkRates, faults([13e3, 14e3, 222e3, 13e3, 240e3]))).toBeNull();
    // A handful of faults against none is no cause; a round without fault data claims nothing.
    expect(faultCause(sinkRates, faults([0, 0, 50, 60, 40]))).toBeNull();
    expect(
      faultCause(sinkRates, { ...faults([13e3, 14e3, 222e3, 230e3, 240e3]), counts: [13e3, 14e3, 222e3, null, 240e3] }),
    ).toBeNull();
  });

  it("a stable row has no flag, whatever its faults", () => {
    expect(
      unstableReason([1.0e9, 1.1e9, 0.95e9, 1.05e9, 1.0e9], { faults: faults([1e3, 1e3, 300e3, 1e3, 1e3]) }),
    ).toBeNull();
  });

  it("the parent's fault counts reach the row, bench.json and the unstable line of bench.md", () => {
    const prog = (runtime: string, impl: string) =>
      ({ runtime, base: runtime, impl }) as unknown as Cell["client"]["prog"];
    const sink: Cell = {
      workload: "bulk",
      key: "bulk|node/raw",
      server: { prog: prog("node", "raw"), spec: { role: "sink-server", host: "127.0.0.1", port: 0 } },
      client: { prog: prog("bun", "raw"), spec: { role: "bulk-client", host: "127.0.0.1", port: 0 } },
      entries: [{ role: "server", subject: "server" }],
      kind: "bytes",
    };
    const counts = [13_600, 36_500, 222_000, 264_000, 240_000];
    const ss: Sample[] = sinkRates.map((value, i) => ({
      value,
      result: null,
      cpu: { server: 0.5, client: 0.3 },
      faults: { server: counts[i]!, client: 900 },
      rss: { server: 80 << 20, client: 60 << 20 },
      units: GiB,
      wall: GiB / value,
      round: i + 1,
    }));
    const p = params({ quick: false, runtimes: ["node"], workloads: ["bulk"], pin: false, binaries: {} });
    const [w] = aggregate([sink], new Map([[sink.key, ss]]), p, false);
    const row = w!.results[0]!;
    expect(row.minorFaultsPer).toMatchObject({ unit: "GB", selfCounts: counts, self: perGB(counts)[2] });
    expect(row.minorFaultsPer!.peer).toBeCloseTo((900 / GiB) * 1e9, 9);
    expect(row.unstable).toMatch(/slow rounds \(3 of 5\) took \d+\.\d× the minor page faults per GB/);
    // Without /proc (no fault counts) the flag is the plain spread.
    const bare = ss.map(({ faults: _f, ...rest }) => rest);
    const [w0] = aggregate([sink], new Map([[sink.key, bare]]), p, false);
    expect(w0!.results[0]!.minorFaultsPer).toBeUndefined();
    expect(w0!.results[0]!.unstable).toBe(unstableReason(sinkRates));
    const md = renderMarkdown(
      constructedBenchReport([w!], { runtimes: { node: "20.20.2" }, fixedPeer: "bun raw", ratios: [] }),
    );
    expect(md).toMatch(
      /- node raw as server: spread 14\.2× .*; samples 1: 3\.40 GB\/s, .*; minor page faults per GB 1: 13 k, 2: 34 k, 3: 207 k, 4: 246 k, 5: 224 k, its peer's 1: 838, 2: 838/,
    );
    // The client facing that sink: its own faults are flat, its peer's name the cause.
    const facing: Cell = { ...sink, key: "bulk|bun/raw", entries: [{ role: "client", subject: "client" }] };
    const [wc] = aggregate([facing], new Map([[facing.key, ss]]), p, false);
    expect(wc!.results[0]!.unstable).toMatch(
      /; in the slow rounds \(3 of 5\) its peer \(node raw\) took \d+\.\d× the minor page faults per GB of the fast ones/,
    );
    expect(wc!.results[0]!.minorFaultsPer).toMatchObject({ selfCounts: [900, 900, 900, 900, 900], peerCounts: counts });
  });

  it("Mann–Kendall: exact p of a monotone run of 5 is 2/120", () => {
    expect(trendTest([1, 2, 3, 4, 5])!.p).toBeCloseTo(2 / 120, 12);
    expect(trendTest([1, 2, 3])).toBeNull();
    expect(trendTest([3, 1, 4, 1, 5])!.p).toBeGreaterThan(0.3);
  });
});

describe("round order and --rounds auto", () => {
  const prog = (runtime: string, impl: string) =>
    ({ runtime, base: runtime.split("+")[0], impl }) as unknown as Cell["client"]["prog"];
  const cell = (workload: string, runtime: string, impl: string): Cell => ({
    workload,
    key: `${workload}|${runtime}/${impl}`,
    server: { prog: prog(runtime, impl), spec: { role: "sink-server", host: "127.0.0.1", port: 0 } },
    client: { prog: prog("node", "raw"), spec: { role: "bulk-client", host: "127.0.0.1", port: 0 } },
    entries: [{ role: "server", subject: "server" }],
    kind: "bytes",
  });
  const cells = [
    cell("bulk", "bun", "adapter"),
    cell("bulk", "bun", "raw"),
    cell("bulk", "deno", "adapter"),
    cell("bulk", "deno", "raw"),
  ];

  it("runs a ratio's rows back to back, the order alternating between rounds", () => {
    const names = (r: number) => roundOrder(cells, r).map((c) => c.key);
    expect(names(1)).toEqual(["bulk|bun/adapter", "bulk|bun/raw", "bulk|deno/adapter", "bulk|deno/raw"]);
    expect(names(2)).toEqual(["bulk|bun/raw", "bulk|bun/adapter", "bulk|deno/raw", "bulk|deno/adapter"]);
    expect(names(3)).toEqual(names(1));
  });

  it("adds rounds only to the cells of undecided targets", () => {
    const ratio = (runtime: string, verdict: "met" | "inconclusive") =>
      ({ name: "bulk adapter/raw", workload: "bulk", runtime, role: "server", verdict }) as never;
    const open = undecidedCells(cells, [ratio("bun", "met"), ratio("deno", "inconclusive")]);
    expect(open.map((c) => c.key)).toEqual(["bulk|deno/adapter", "bulk|deno/raw"]);
  });
});

describe("verdicts and unstable rows in every format", () => {
  it("bench.md, the json report and report.html show throughput and CPU cost, and the unstable row with its samples", () => {
    const row = (impl: string, samples: number[], cpu: number[]): ResultEntry => ({
      runtime: "node",
      role: "server",
      impl,
      peer: "bun raw",
      median: samples[2]!,
      ci95: null,
      min: Math.min(...samples),
      max: Math.max(...samples),
      cv: null,
      samples,
      rounds: [1, 2, 3, 4, 5],
      cpuSecondsPer: { unit: "GB", self: cpu[2]!, peer: 0.3, selfSamples: cpu },
      ...(impl === "raw" ? { unstable: "spread 14.2× (min 0.24, max 3.4) > 2×" } : {}),
    });
    const w: WorkloadResult = {
      name: "bulk",
      title: "Bulk one-way TCP stream",
      unit: "bytes/s",
      higherIsBetter: true,
      params: {},
      results: [
        row("adapter", [3.3e9, 2.1e9, 0.27e9, 0.25e9, 0.26e9], [0.3, 0.31, 0.3, 0.3, 0.31]),
        row("raw", [3.4e9, 2.0e9, 0.25e9, 0.24e9, 0.25e9], [0.3, 0.3, 0.3, 0.3, 0.3]),
      ],
    };
    const report = constructedBenchReport([w], { runtimes: { node: "20.20.2" }, fixedPeer: "bun raw" });
    const ratio = report.ratios.find((x) => x.name === "bulk adapter/raw")!;
    expect(ratio).toMatchObject({
      verdict: "met",
      cpu: { verdict: "met" },
      unstable: expect.stringMatching(/node raw/),
    });
    const md = renderMarkdown(report);
    expect(md).toContain("### Verdicts: throughput and CPU cost");
    expect(md).toMatch(/\| bulk adapter\/raw ≥ 0\.95 \| node \| server \| .*\(paired\).*\*\*✔ met\*\*.*unstable/);
    expect(md).toContain("(unstable)");
    expect(md).toMatch(/node raw as server: spread 14\.2× .*samples 1: 3\.40 GB\/s/);
    const section = benchSection(report);
    expect(section.verdicts?.[0]).toMatchObject({ verdict: "met", cpu: { verdict: "met" }, paired: true });
    expect(section.unstable).toEqual([
      { workload: "bulk", row: "node raw as server", reason: expect.any(String), samples: w.results[1]!.samples },
    ]);
    const html = renderHtml({ ...sampleReport(), bench: section });
    expect(html).toContain("Targets: throughput and CPU cost");
    expect(html).toContain("Unstable rows");
  });
});
