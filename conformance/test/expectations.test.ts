/** Comparing results with expectation files, and rewriting them (no runtimes spawned). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  cellExpectation,
  compare,
  judgeCell,
  judgeProbe,
  loadExpectations,
  updatedExpectations,
  writeExpectations,
  alternatives,
  type Entry,
  type Expectations,
} from "../src/parent/verdict/index.js";
import { DEFAULT_EXPECTATIONS_DIR } from "../src/parent/cli/run.js";
import { PROBES, WINTERTC_PROBES } from "../src/in-runtime/probes/catalogue.js";
import { NODE_API_PROBES } from "../src/node-api/catalogue.js";
import { RTS, sampleInputs } from "./report-fixture.js";

const selection = {
  runtimes: RTS,
  scenarios: ["echo", "time"],
  transports: ["tcp", "udp", "unix"],
  hosts: ["127.0.0.1"],
};
/** The one alternative of an entry that has no versions. */
function only<T extends object>(e: Entry<T> | undefined): T {
  const alts = alternatives(e);
  expect(alts).toHaveLength(1);
  return alts[0]!;
}

const tmp = mkdtempSync(join(tmpdir(), "netparity-exp-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("judging one result", () => {
  it.each([
    ["pass", undefined, "ok"],
    ["fail", undefined, "unexpected-failure"],
    ["unsupported", undefined, "changed"],
    ["fail", "known-failing", "ok"],
    ["error", "known-failing", "ok"],
    ["pass", "known-failing", "unexpected-pass"],
    ["unsupported", "unsupported", "ok"],
    ["pass", "unsupported", "unexpected-pass"],
  ] as const)("cell %s vs %s: %s", (status, want, verdict) => {
    expect(judgeCell(status, want ? { status: want } : undefined)).toBe(verdict);
  });

  it.each([
    ["65507", { status: "supported", outcome: "65507" }, "ok"],
    ["9216", { status: "supported", outcome: "65507" }, "changed"],
    ["error", { status: "supported", outcome: "65507" }, "unexpected-failure"],
    ["anything", { status: "varies", outcome: "127.0.0.1" }, "ok"],
    ["timeout", { status: "known-failing" }, "ok"],
    ["delivered", { status: "known-failing" }, "unexpected-pass"],
    ["unsupported", { status: "unsupported" }, "ok"],
    ["delivered", undefined, "ok"],
  ] as const)("probe %s vs %j: %s", (outcome, want, verdict) => {
    expect(judgeProbe(outcome, want)).toBe(verdict);
  });

  it("a cell's expectation is the stronger of the server's and the client's entry", () => {
    const key = "echo/tcp/127.0.0.1/node->bun";
    const exp: Expectations = {
      node: {
        schema: "netparity.expectations/1",
        runtime: "node",
        version: "1",
        cells: { [key]: { status: "supported" } },
        probes: {},
      },
      bun: {
        schema: "netparity.expectations/1",
        runtime: "bun",
        version: "1",
        cells: { [key]: { status: "known-failing", issue: "https://x/1" } },
        probes: {},
      },
    };
    expect(
      cellExpectation(exp, { scenario: "echo", transport: "tcp", host: "127.0.0.1", server: "node", client: "bun" }),
    ).toEqual({ status: "known-failing", issue: "https://x/1" });
  });
});

describe("update, then compare", () => {
  const i = sampleInputs();
  const dir = join(tmp, "round-trip");

  it("--update-expectations writes files that then compare clean, keeping issue links of unchanged entries", () => {
    writeExpectations(dir, i.expectations);
    const before = loadExpectations(dir, RTS);
    const input = { dir, expectations: before, selection, runtimes: i.runtimes, cells: i.cells, probes: i.probes };
    expect(compare(input).ok).toBe(false);
    writeExpectations(dir, updatedExpectations(input));
    const after = loadExpectations(dir, RTS);
    const cmp = compare({ ...input, expectations: after });
    expect(cmp.diffs).toEqual([]);
    expect(cmp.ok).toBe(true);
    expect(after.bun!.version).toBe("1.4.5");
    expect(after.bun!.cells["time/udp/127.0.0.1/bun->node"]).toEqual({
      status: "known-failing",
      issue: "https://github.com/oven-sh/bun/issues/1",
    });
    expect(only(after.node!.cells["time/udp/127.0.0.1/bun->node"]).status).toBe("known-failing");
    expect(only(after.deno!.cells["time/udp/127.0.0.1/deno->deno"]).note).toMatch(
      /^recorded by --update-expectations: client deno: ETIMEDOUT/,
    );
    // Recorded with bun 1.4.4, seen otherwise on 1.4.5: each keeps its version (versions.ts).
    expect(after.bun!.probes["tcp.nodelay-default"]).toEqual([
      { status: "supported", outcome: "nagle on (noDelay false)", versions: "<1.4.5" },
      { status: "supported", outcome: "nagle off (noDelay true)", versions: "1.4.5" },
    ]);
    expect(only(after.node!.probes["tcp.reuseport"]).status).toBe("known-failing");
    expect(after.deno!.probes["unix.roundtrip"]).toEqual({ status: "unsupported" });
    // One line per entry (alternatives included): a changed expectation is a one-line diff.
    expect(readFileSync(join(dir, "bun.json"), "utf8")).toContain(
      '    "tcp.nodelay-default": [{"status":"supported","outcome":"nagle on (noDelay false)","versions":"<1.4.5"},{"status":"supported","outcome":"nagle off (noDelay true)","versions":"1.4.5"}]',
    );
  });

  it("a hand-edited expectation makes the comparison fail with expected X, got Y", () => {
    const path = join(dir, "deno.json");
    const f = JSON.parse(readFileSync(path, "utf8"));
    f.probes["udp.max-datagram"].outcome = "9216";
    f.cells["echo/tcp/127.0.0.1/node->deno"].status = "known-failing";
    writeFileSync(path, JSON.stringify(f));
    const cmp = compare({
      dir,
      expectations: loadExpectations(dir, RTS),
      selection,
      runtimes: i.runtimes,
      cells: i.cells,
      probes: i.probes,
    });
    expect(cmp.ok).toBe(false);
    expect(cmp.diffs).toEqual([
      expect.objectContaining({
        kind: "unexpected-pass",
        subject: "cell",
        key: "echo/tcp/127.0.0.1/node->deno",
        expected: "known-failing",
        actual: "pass",
      }),
      expect.objectContaining({
        kind: "changed",
        subject: "probe",
        key: "udp.max-datagram",
        runtimes: ["deno"],
        expected: '"9216"',
        actual: '"65507"',
      }),
    ]);
  });

  it("entries of runtimes, scenarios and probes not selected are ignored, and kept by an update", () => {
    const only = {
      ...selection,
      runtimes: ["node", "bun"] as typeof RTS,
      scenarios: ["echo"],
      probes: ["tcp.half-close"],
    };
    const cells = i.cells.filter((c) => c.scenario === "echo" && c.server !== "deno" && c.client !== "deno");
    const probes = i.probes
      .filter((p) => p.runtime !== "deno")
      .map((p) => ({ ...p, results: p.results.filter((r) => r.id === "tcp.half-close") }));
    const runtimes = i.runtimes.filter((r) => r.name !== "deno");
    const exp = loadExpectations(dir, ["node", "bun"]);
    const cmp = compare({ dir, expectations: exp, selection: only, runtimes, cells, probes });
    expect(cmp.diffs).toEqual([]);
    expect(cmp.ignored).toBeGreaterThan(10);
    const next = updatedExpectations({ dir, expectations: exp, selection: only, runtimes, cells, probes });
    expect(next.deno).toBeUndefined();
    expect(next.node!.cells["time/udp/127.0.0.1/bun->node"]).toEqual(exp.node!.cells["time/udp/127.0.0.1/bun->node"]);
    expect(Object.keys(next.node!.probes).sort()).toEqual(Object.keys(exp.node!.probes).sort());
  });

  it("a different runtime version is still compared, and the diff names both versions", () => {
    const exp = loadExpectations(dir, RTS);
    exp.deno!.version = "2.0.0";
    const cmp = compare({ dir, expectations: exp, selection, runtimes: i.runtimes, cells: i.cells, probes: i.probes });
    expect(
      cmp.notes.some((n) => n.kind === "version" && n.message.includes("2.9.6") && n.message.includes("2.0.0")),
    ).toBe(true);
    expect(cmp.diffs.find((d) => d.key === "udp.max-datagram")!.versions).toEqual(["deno 2.9.6 (recorded with 2.0.0)"]);
  });

  it("a malformed file is refused with its path", () => {
    const bad = join(tmp, "bad");
    writeExpectations(bad, {
      node: { schema: "netparity.expectations/1", runtime: "node", version: "1", cells: {}, probes: {} },
    });
    writeFileSync(
      join(bad, "node.json"),
      JSON.stringify({
        schema: "netparity.expectations/1",
        runtime: "node",
        cells: { "echo/tcp/x/node->bun": { status: "flaky" } },
        probes: {},
      }),
    );
    expect(() => loadExpectations(bad, ["node"])).toThrow(
      /node\.json: cell "echo\/tcp\/x\/node->bun": status must be one of/,
    );
  });
});

describe("the committed expectation files", () => {
  it("load, and name every probe of the catalogue, the Node API and the wintertc families for every runtime", () => {
    const exp = loadExpectations(DEFAULT_EXPECTATIONS_DIR, RTS);
    const ids = [...PROBES, ...NODE_API_PROBES, ...WINTERTC_PROBES].map((p) => p.id).sort();
    for (const rt of RTS) {
      expect(exp[rt], `${rt}.json`).toBeDefined();
      expect(Object.keys(exp[rt]!.probes).sort()).toEqual(ids);
      for (const [key, entry] of Object.entries(exp[rt]!.cells)) {
        for (const e of alternatives(entry))
          if (e.status === "known-failing") expect(e.issue ?? e.note, `${rt} ${key} says why`).toBeTruthy();
      }
    }
  });
});
