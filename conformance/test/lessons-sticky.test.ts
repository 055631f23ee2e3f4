/** The sticky-packet probe inside each real runtime (agent role "probes"), and its classifier on known shapes. */
import { describe, expect, it } from "vitest";
import { classify } from "../src/in-runtime/probes/sticky.js";
import { PROBES } from "../src/in-runtime/probes/catalogue.js";
import { runProbesIn } from "../src/parent/runner/probes.js";
import { RUNTIMES } from "./helpers.js";

describe("sticky classifier", () => {
  it.each([
    [[5, 5], [10], "merged"],
    [[5, 5], [5, 5], "separate"],
    [[10], [3, 7], "split"],
    [[5, 5, 7, 100], [17, 50, 50], "merged+split"],
    [[5, 5, 7, 100], [5, 5, 7, 50, 50], "split"],
    [[5, 5, 7, 100], [20, 87], "merged+split"],
    [[5, 5], [5, 3, 2], "split"],
    [[5, 5], [], "separate"],
  ] as const)("writes %j read as %j: %s", (writes, reads, shape) => {
    expect(classify(writes, reads)).toBe(shape);
  });
});

describe("sticky probe", () => {
  it("is in the probe catalogue", () => {
    expect(PROBES.map((p) => p.id)).toContain("tcp.sticky");
  });

  it.each(RUNTIMES)("%s: unframed writes merge or split, framed messages arrive intact", async (runtime) => {
    const run = await runProbesIn(runtime, { only: ["tcp.sticky"] });
    expect(run.error).toBeUndefined();
    expect(run.results).toHaveLength(1);
    const r = run.results[0]!;
    expect(r.error, JSON.stringify(r)).toBeUndefined();
    expect(r.id).toBe("tcp.sticky");
    expect(["merged", "split", "merged+split", "separate"]).toContain(r.outcome);
    const e = r.evidence as {
      writeSizes: number[];
      readSizes: number[];
      unframedBytesIntact: boolean;
      framed: { frames: number; intact: number };
    };
    expect(e.unframedBytesIntact).toBe(true);
    expect(e.readSizes.reduce((a, b) => a + b, 0)).toBe(e.writeSizes.reduce((a, b) => a + b, 0));
    expect(classify(e.writeSizes, e.readSizes)).toBe(r.outcome);
    // A 256 KiB write is larger than any runtime's read: boundaries are never kept.
    expect(r.outcome).not.toBe("separate");
    expect(e.framed).toMatchObject({ frames: e.writeSizes.length, intact: e.writeSizes.length });
    // The report explains it in two sentences.
    expect(r.explanation.split(/(?<=\.)\s+/).filter(Boolean)).toHaveLength(2);
  });
});
