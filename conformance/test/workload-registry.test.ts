/**
 * The bench workload registry: a workload registered once (a descriptor) reaches the CLI's
 * --workloads parser, the plan (its pairings on every runtime and asked API), the report (its
 * title, unit, parameters, order and ranking) without other edits; the API axis plans
 * `bun+node` ends and workerd's client end from the API and runtime registries. No process is
 * started here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RuntimeName } from "@netparity/protocol";
import { apiNames } from "../src/in-runtime/common/apis.js";
import { aggregate } from "../src/parent/bench/aggregate.js";
import { parseWorkloads } from "../src/parent/bench/cli.js";
import type { Sample } from "../src/parent/bench/execute.js";
import { params } from "../src/parent/bench/params.js";
import { measuredEnds, planCells, type Cell } from "../src/parent/bench/plan.js";
import { computeRanking } from "../src/parent/bench/ranking.js";
import { computeRatios } from "../src/parent/bench/ratios.js";
import { benchSection, renderMarkdown } from "../src/parent/bench/report.js";
import type { BenchOptions, BenchReport } from "../src/parent/bench/types.js";
import {
  optInWorkloads,
  registerWorkload,
  workloadNames,
  workloadOf,
  type BenchWorkload,
} from "../src/parent/bench/workloads/index.js";

const RUNTIMES: RuntimeName[] = ["node", "bun", "deno"];

/** A fake workload: echo's roles with 512 B messages, at two sizes, node API ends included. */
const FAKE: BenchWorkload = {
  name: "fake-rtt",
  default: false,
  summary: "round trips of larger messages (a test's workload)",
  specs: ({ p, host }) =>
    [256, 512].map((size) => ({
      workload: `fake-rtt-${size}`,
      group: "fake-rtt",
      server: { host, port: 0, role: "echo-server" },
      client: { host, port: 0, role: "rtt-client", size, seconds: p.seconds, warmup: p.warmup },
      kind: "messages",
      roles: "both",
      python: false,
      apis: ["native", "node"],
    })),
  title: (name) => ({ title: `Fake round trips of ${name.slice("fake-rtt-".length)} B`, unit: "round trips/s" }),
  params: (name, p) => ({ messageBytes: Number(name.slice("fake-rtt-".length)), seconds: p.seconds }),
};

const options = (apis: BenchOptions["apis"]): BenchOptions => ({
  quick: true,
  runtimes: RUNTIMES,
  apis,
  workloads: ["fake-rtt"],
  pin: false,
  binaries: {},
});

/** Samples for every cell: round r of cell i measures 1000·(i+1) + r, so rows and ratios are filled. */
function fakeSamples(cells: Cell[], rounds: number): Map<string, Sample[]> {
  return new Map(
    cells.map((c, i) => [
      c.key,
      Array.from({ length: rounds }, (_, r) => ({
        value: 1000 * (i + 1) + r,
        result: null,
        cpu: { server: 0.1, client: 0.1 },
        rss: { server: 1 << 20, client: 1 << 20 },
        units: 1000,
        wall: 0.25,
        round: r + 1,
      })),
    ]),
  );
}

describe("bench workload registry", () => {
  let unregister: () => void = () => {};
  beforeAll(() => {
    unregister = registerWorkload(FAKE);
  });
  afterAll(() => unregister());

  it("--workloads takes it, `all` includes it, and it is opt-in", () => {
    expect(parseWorkloads("fake-rtt,echo")).toEqual(["fake-rtt", "echo"]);
    expect(parseWorkloads("all")).toContain("fake-rtt");
    expect(optInWorkloads().map((w) => w.name)).toContain("fake-rtt");
    expect(workloadOf("fake-rtt-512")).toBe("fake-rtt");
    expect(() => registerWorkload(FAKE)).toThrow(/already registered/);
  });

  it("plans each size with every runtime as server and client, adapter and raw, and bun+node/deno+node with --apis native,node", () => {
    const p = params(options(["native", "node"]));
    const cells = planCells(options(["native", "node"]), p, RUNTIMES, false);
    const rows = (workload: string, role: "server" | "client"): string[] =>
      cells
        .filter((c) => c.workload === workload && c.entries.some((e) => e.role === role))
        .map((c) => (role === "server" ? c.server! : c.client).prog)
        .map((prog) => `${prog.runtime} ${prog.impl}`)
        .sort();
    const expected = [
      "bun adapter",
      "bun raw",
      "bun+node adapter",
      "bun+node raw",
      "deno adapter",
      "deno raw",
      "deno+node adapter",
      "deno+node raw",
      "node adapter",
      "node raw",
    ];
    for (const w of ["fake-rtt-256", "fake-rtt-512"]) {
      expect(rows(w, "server"), w).toEqual(expected);
      expect(rows(w, "client"), w).toEqual(expected);
    }
    // node+node is Node's native end: planned once, never as "node+node".
    expect(cells.some((c) => c.key.includes("node+node"))).toBe(false);
    // Without --apis, the native ends only, as before the API axis.
    const native = planCells(options(undefined), p, RUNTIMES, false);
    expect(native.some((c) => c.key.includes("+"))).toBe(false);
    // Per size, six programs in each role; "node raw <- node raw" is one cell for both roles.
    expect(native).toHaveLength(2 * (2 * 6 - 1));
  });

  it("the report shows its title, parameters and rows in registry order, ranks the API ends and prices the API", () => {
    const o = { ...options(["native", "node"]), workloads: ["fake-rtt", "echo"] };
    const p = params(o);
    const cells = planCells(o, p, RUNTIMES, false);
    const workloads = aggregate(cells, fakeSamples(cells, 5), p, false);
    expect(workloads.map((w) => w.name)).toEqual(["echo", "fake-rtt-256", "fake-rtt-512"]);
    const w512 = workloads.find((w) => w.name === "fake-rtt-512")!;
    expect(w512).toMatchObject({
      title: "Fake round trips of 512 B",
      unit: "round trips/s",
      params: { messageBytes: 512, seconds: p.seconds },
    });
    const ratios = computeRatios(workloads);
    const ranking = computeRanking(workloads, { node: "1", bun: "2", deno: "3" });
    const ranked = ranking.find((r) => r.workload === "fake-rtt-512" && r.role === "client")!;
    expect(ranked.rows.map((r) => r.runtime).sort()).toEqual(["bun", "bun+node", "deno", "deno+node", "node"]);
    expect(ranked.rows.find((r) => r.runtime === "bun+node")?.version).toBe("2");
    // What the compatibility layer costs: bun+node over bun, paired by round.
    const cost = (role: string) =>
      ratios.find((r) => r.name === "fake-rtt-512 node/native" && r.runtime === "bun+node" && r.role === role);
    expect(cost("server")).toBeDefined();
    expect(cost("client")).toMatchObject({
      numerator: "bun+node",
      denominator: "bun",
      ratio: expect.any(Number),
      paired: expect.anything(),
    });
    const report: BenchReport = {
      schema: "netparity.bench/1",
      createdAt: new Date(0).toISOString(),
      quick: true,
      rounds: 5,
      durationSeconds: 1,
      machine: {
        cpuModel: "test",
        cpuCount: 2,
        kernel: "6",
        loadAverageAtStart: [0],
        placement: "none",
        runtimes: { node: "1", bun: "2", deno: "3" },
      },
      workloads,
      ratios,
      ranking,
      skipped: [],
      errors: [],
    };
    const md = renderMarkdown(report);
    expect(md).toContain("### Fake round trips of 512 B (round trips/s, higher is better)");
    expect(md).toContain("Parameters: messageBytes 512");
    expect(md).toMatch(/\| fake-rtt-512 \(round trips\/s\) \| client \|.*bun\+node/);
    expect(md).toContain("### What each API costs over the runtime's own");
    // report.json's bench section: a bun+node bar carries bun's version.
    const bars = benchSection(report).workloads.find((w) => w.name === "fake-rtt-512")!.results;
    expect(bars.find((b) => b.runtime === "bun+node adapter" && b.role === "client")?.version).toBe("2");
  });

  it("ends come from the API and runtime registries: workerd is a wintertc client, never a server", () => {
    const w = { apis: apiNames(), client: { host: "127.0.0.1", port: 0, role: "bulk-client" as const } };
    const ends = (apis: Parameters<typeof measuredEnds>[1], end: "server" | "client") =>
      measuredEnds(w, apis, ["node", "bun", "workerd"], end).map((e) => `${e.runtime}/${e.api}`);
    expect(ends(["native"], "client")).toEqual(["node/native", "bun/native", "workerd/wintertc"]);
    expect(ends(["native"], "server")).toEqual(["node/native", "bun/native"]);
    expect(ends(["native", "node"], "server")).toEqual(["node/native", "bun/native", "bun/node"]);
    // A workload without the wintertc API leaves workerd out.
    expect(measuredEnds({ ...w, apis: ["native", "node"] }, ["native"], ["workerd"], "client")).toEqual([]);
    expect(workloadNames().indexOf("fake-rtt")).toBeGreaterThan(workloadNames().indexOf("idle-memory"));
  });
});
