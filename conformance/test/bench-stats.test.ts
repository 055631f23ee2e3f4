/**
 * The bench's statistics and target verdicts: pure functions of their inputs (seeded
 * resampling), so these tests involve no timing and no process.
 */
import { Prng } from "@netparity/protocol";
import { describe, expect, it } from "vitest";
import {
  bootstrapMedian,
  bootstrapRatio,
  coefficientOfVariation,
  median,
  overlaps,
  relativeHalfWidth,
} from "../src/parent/common/stats.js";
import { parseDuration } from "../src/parent/common/size.js";
import { judgeCount, judgeTarget, peerBoundReason } from "../src/parent/verdict/targets.js";
import { jain } from "../src/parent/bench/aggregate.js";
import { nodeHasReusePort } from "../src/parent/bench/run.js";

/** n samples around `center` with ±`noise` relative uniform noise, from a fixed seed. */
function samples(n: number, center: number, noise: number, seed: number): number[] {
  const rng = new Prng(seed);
  return Array.from({ length: n }, () => center * (1 + noise * ((rng.nextU32() / 2 ** 32) * 2 - 1)));
}

describe("bootstrap intervals", () => {
  it("are reproducible: the same samples and seed give the same interval; another seed may differ slightly", () => {
    const xs = samples(12, 100, 0.2, 1);
    expect(bootstrapMedian(xs, { seed: 7 })).toEqual(bootstrapMedian(xs, { seed: 7 }));
    expect(bootstrapMedian(xs)).toEqual(bootstrapMedian([...xs]));
    expect(bootstrapRatio(xs, xs, { seed: 3 })).toEqual(bootstrapRatio(xs, xs, { seed: 3 }));
  });

  it("contain the median, lie within min–max, and collapse to a point for constant samples", () => {
    const xs = samples(9, 50, 0.3, 2);
    const ci = bootstrapMedian(xs, { seed: 1 })!;
    expect(ci[0]).toBeLessThanOrEqual(median(xs));
    expect(ci[1]).toBeGreaterThanOrEqual(median(xs));
    expect(ci[0]).toBeGreaterThanOrEqual(Math.min(...xs));
    expect(ci[1]).toBeLessThanOrEqual(Math.max(...xs));
    expect(bootstrapMedian([4, 4, 4, 4])).toEqual([4, 4]);
    expect(bootstrapMedian([5])).toBeNull();
    expect(bootstrapRatio([5], [4, 4])).toBeNull();
    expect(bootstrapMedian([])).toBeNull();
  });

  it("of a ratio: covers the true ratio and narrows as rounds are added", () => {
    const a = samples(40, 90, 0.1, 11);
    const b = samples(40, 100, 0.1, 12);
    const wide = bootstrapRatio(a.slice(0, 4), b.slice(0, 4), { seed: 5 })!;
    const narrow = bootstrapRatio(a, b, { seed: 5 })!;
    expect(narrow[0]).toBeLessThan(0.9);
    expect(narrow[1]).toBeGreaterThan(0.9);
    expect(narrow[1] - narrow[0]).toBeLessThan(wide[1] - wide[0]);
    expect(relativeHalfWidth(narrow, 0.9)).toBeLessThan(relativeHalfWidth(wide, 0.9));
    expect(relativeHalfWidth(null, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(bootstrapRatio([1, 2], [0, 0])).toBeNull();
  });

  it("bounds the resample count", () => {
    const xs = samples(5, 10, 0.1, 4);
    expect(bootstrapMedian(xs, { resamples: 1e9, seed: 1 })).toEqual(
      bootstrapMedian(xs, { resamples: 20_000, seed: 1 }),
    );
  });

  it("overlap", () => {
    expect(overlaps([1, 2], [2, 3])).toBe(true);
    expect(overlaps([1, 2], [2.1, 3])).toBe(false);
  });
});

describe("coefficient of variation", () => {
  it("is the sample standard deviation over the mean", () => {
    expect(coefficientOfVariation([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7) / 5, 10);
    expect(coefficientOfVariation([3])).toBeNull();
    expect(coefficientOfVariation([1, 1, 1])).toBe(0);
  });
});

describe("target verdicts from intervals", () => {
  it("met above, missed below, inconclusive when the interval straddles the target", () => {
    expect(judgeTarget(0.97, [0.96, 0.99], 0.95)).toMatchObject({ verdict: "met", met: true });
    expect(judgeTarget(0.9, [0.85, 0.94], 0.95)).toMatchObject({ verdict: "missed", met: false });
    expect(judgeTarget(0.97, [0.9, 1.02], 0.95)).toMatchObject({ verdict: "inconclusive", met: false });
    // A point above the target with an interval below it is not met: never a point comparison.
    expect(judgeTarget(0.96, [0.9, 0.94], 0.95).verdict).toBe("missed");
    expect(judgeTarget(null, null, 0.95).verdict).toBe("missed");
    // One round has no interval: nothing can be concluded from it.
    expect(judgeTarget(1.5, null, 0.95)).toMatchObject({
      verdict: "inconclusive",
      reason: expect.stringMatching(/interval/),
    });
  });

  it("fewer than five rounds a side is inconclusive, whatever the interval", () => {
    expect(judgeTarget(0.5, [0.4, 0.6], 0.95, { samples: 3 })).toMatchObject({
      verdict: "inconclusive",
      reason: "3 rounds: a verdict needs at least 5",
    });
    expect(judgeTarget(0.5, [0.4, 0.6], 0.95, { samples: 5 }).verdict).toBe("missed");
  });

  it("a peer-bound row is inconclusive whatever its interval, with the reason", () => {
    const v = judgeTarget(1.2, [1.1, 1.3], 0.95, { peerBound: "node raw at 0.97 cores" });
    expect(v).toMatchObject({ verdict: "inconclusive", reason: "node raw at 0.97 cores" });
  });

  it("counts are met or missed exactly", () => {
    expect(judgeCount(0, 0).verdict).toBe("met");
    expect(judgeCount(3, 0).verdict).toBe("missed");
    expect(judgeCount(undefined, 0).verdict).toBe("missed");
  });
});

describe("peer-bound, connection spread, Node's reusePort", () => {
  it("a peer above 0.8 of a core is the bottleneck", () => {
    expect(peerBoundReason("bun raw", 0.95)).toMatch(/peer-bound: the fixed peer \(bun raw\) used 0.95 cores/);
    expect(peerBoundReason("bun raw", 0.5)).toBeNull();
    expect(peerBoundReason("bun raw", null)).toBeNull();
  });

  it("Jain's fairness index is 1 for an even spread and 1/n when one process takes all", () => {
    expect(jain([16, 16])).toBe(1);
    expect(jain([32, 0])).toBe(0.5);
    expect(jain([0, 0])).toBeNull();
  });

  it("node:net reusePort from v22.12.0 and v23.1.0", () => {
    expect(nodeHasReusePort("20.20.2")).toBe(false);
    expect(nodeHasReusePort("22.11.0")).toBe(false);
    expect(nodeHasReusePort("22.12.0")).toBe(true);
    expect(nodeHasReusePort("23.0.0")).toBe(false);
    expect(nodeHasReusePort("23.1.0")).toBe(true);
    expect(nodeHasReusePort("24.0.0")).toBe(true);
  });
});

describe("parseDuration", () => {
  it("reads seconds, minutes, hours and milliseconds", () => {
    expect(parseDuration("10m")).toBe(600);
    expect(parseDuration("90")).toBe(90);
    expect(parseDuration("90s")).toBe(90);
    expect(parseDuration("500ms")).toBe(0.5);
    expect(parseDuration("1.5h")).toBe(5400);
    expect(parseDuration("ten")).toBeNull();
  });
});
