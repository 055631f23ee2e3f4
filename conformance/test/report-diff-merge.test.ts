/**
 * `netparity diff` and `netparity merge` on report files made from the sample run with two
 * node versions (no runtime spawned): the pairing rules of the shared contract, the bench
 * spread rule, the exit codes, and the four merged files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { writeReportFiles } from "../src/parent/report/index.js";
import { probeMatrix } from "../src/parent/report/columns.js";
import { diffReports, renderDiffMarkdown } from "../src/parent/report/diff.js";
import { mergeReports } from "../src/parent/report/merge.js";
import type { Report } from "../src/parent/report/model.js";
import { cli } from "./peer-helpers.js";
import { sampleReportWithNode } from "./report-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "netparity-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const node20 = sampleReportWithNode("20.20.2", { same: true });
const node22 = sampleReportWithNode("22.23.3");
writeReportFiles(join(dir, "node-20"), node20);
writeReportFiles(join(dir, "node-22"), node22);

const clone = (r: Report): Report => JSON.parse(JSON.stringify(r));

describe("diffReports", () => {
  it("a report against itself: no change", () => {
    const d = diffReports(node20, clone(node20));
    expect(d.same).toBe(true);
    expect(d.changes).toEqual([]);
    expect(d.counts.cell.compared).toBe(27);
    expect(d.counts.probe.compared).toBe(18);
    expect(d.counts.bench.compared).toBe(6);
  });

  it("node 20 against node 22: node's results are paired by name and the changes named", () => {
    const d = diffReports(node20, node22);
    expect(d.same).toBe(false);
    expect(d.versionChanges).toEqual([{ name: "node", a: ["20.20.2"], b: ["22.23.3"] }]);
    const probe = d.changes.find((c) => c.subject === "probe")!;
    expect(probe).toMatchObject({
      change: "changed",
      id: "tcp.reuseport",
      on: "node",
      a: "error",
      b: "both listen",
      versions: "node 20.20.2 → 22.23.3",
    });
    const cell = d.changes.find((c) => c.subject === "cell")!;
    expect(cell).toMatchObject({ change: "changed", id: "echo/tcp/127.0.0.1", on: "node->deno", a: "pass", b: "fail" });
    expect(cell.detail).toBe("echoed bytes differ at offset 3");
    expect(d.changes.filter((c) => c.change !== "changed")).toEqual([]);
    expect(d.counts.probe).toEqual({ compared: 18, changed: 1, added: 0, removed: 0 });
  });

  it("bench: a difference only when each median lies outside the other's spread", () => {
    const b = clone(node20);
    const r = b.bench!.workloads[0]!.results[0]!; // node server: 900 in [850, 950]
    // Within A's spread: no change, however far B's spread reaches.
    Object.assign(r, { median: 940, min: 700, max: 1500 });
    expect(diffReports(node20, b).same).toBe(true);
    // B's median outside A's spread, but A's median inside B's spread: still no change.
    Object.assign(r, { median: 1000, min: 880, max: 1100 });
    expect(diffReports(node20, b).same).toBe(true);
    // Outside both: a change, with the ratio.
    Object.assign(r, { median: 1000, min: 960, max: 1100 });
    const d = diffReports(node20, b);
    expect(d.changes).toHaveLength(1);
    expect(d.changes[0]).toMatchObject({ subject: "bench", id: "echo throughput 64 KiB (server)", on: "node" });
    expect(d.changes[0]!.detail).toMatch(/^median \+11%/);
    // A ci95, where present, is the spread instead of min-max.
    Object.assign(r, { median: 1000, min: 960, max: 1100, ci95: [880, 1100] });
    expect(diffReports(node20, b).same).toBe(true);
  });

  it("several versions of a runtime in one report: paired by (name, version), the rest added or removed", () => {
    // One report holding node 20 and node 22 (a merge of the two runs) against the node-20 run.
    const both = mergeReports(
      [
        { report: node20, source: "a/report.json" },
        { report: node22, source: "b/report.json" },
      ],
      { command: ["netparity", "merge"], toolVersion: "0.1.0" },
    );
    const d = diffReports(node20, both);
    expect(d.same).toBe(false);
    const nodeProbes = d.changes.filter((c) => c.subject === "probe" && c.on.startsWith("node"));
    // node 20's probes are paired with node 20's (unchanged); node 22's have no partner.
    expect(nodeProbes.every((c) => c.change === "added" && c.on === "node@22.23.3")).toBe(true);
    expect(nodeProbes).toHaveLength(6);
    expect(d.changes.some((c) => c.on.includes("node@20.20.2") && c.change !== "added")).toBe(false);
  });

  it("merge keeps each run's negative controls, tagged with the run, and counts them", () => {
    const control = (version: string, detected: boolean) => ({
      scenario: "greet",
      transport: "tcp" as const,
      runtime: "node" as const,
      version,
      mutation: "mutation no-bang",
      description: "a greet server that answers without the '!'",
      detected,
      outcome: detected ? ("detected" as const) : ("undetected" as const),
      expected: "a failed check named greeting",
      durationMs: 10,
    });
    const merged = mergeReports(
      [
        { report: { ...node20, controls: [control("20.20.2", true)] }, source: "a/report.json" },
        { report: { ...node22, controls: [control("22.23.3", false)] }, source: "b/report.json" },
      ],
      { command: ["netparity", "merge"], toolVersion: "0.1.0" },
    );
    expect(merged.controls?.map((c) => [(c as { run?: string }).run, c.version, c.detected])).toEqual([
      ["a", "20.20.2", true],
      ["b", "22.23.3", false],
    ]);
    expect(merged.summary.controls).toMatchObject({ total: 2, detected: 1, undetected: 1 });
  });

  it("markdown for a PR comment names the change", () => {
    const md = renderDiffMarkdown(diffReports(node20, node22, { a: "node-20", b: "node-22" }));
    expect(md).toContain("## netparity diff");
    expect(md).toContain("❌ 3 changed, 0 added, 0 removed");
    expect(md).toContain(
      "| ≠ changed | probe | `tcp.reuseport` | node (node 20.20.2 → 22.23.3) | error | both listen |",
    );
  });
});

describe("netparity diff (CLI)", () => {
  it("exits 1 and names tcp.reuseport for node 20 against node 22", () => {
    const r = cli(["diff", join(dir, "node-20"), join(dir, "node-22")]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/≠ probe\s+tcp\.reuseport\s+node\s+error\s+both listen/);
    expect(r.stdout).toContain("versions: node 20.20.2 → 22.23.3");
    expect(r.stdout).toContain("3 changed, 0 added, 0 removed");
  });

  it("exits 0 for a report against itself (a directory and its report.json)", () => {
    const r = cli(["diff", join(dir, "node-20"), join(dir, "node-20", "report.json")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("no differences in 51 results");
  });

  it("--json and --markdown", () => {
    const j = cli(["diff", "--json", join(dir, "node-20"), join(dir, "node-22")]);
    expect(j.code).toBe(1);
    const d = JSON.parse(j.stdout);
    expect(d.schema).toBe("netparity.diff/1");
    expect(d.changes.map((c: { id: string }) => c.id)).toContain("tcp.reuseport");
    const m = cli(["diff", "--markdown", join(dir, "node-20"), join(dir, "node-22")]);
    expect(m.code).toBe(1);
    expect(m.stdout.startsWith("## netparity diff")).toBe(true);
  });

  it("exits 2 with one line for what is not a readable report, and for bad flags", () => {
    const notReport = join(dir, "other.json");
    writeFileSync(notReport, JSON.stringify({ schema: "something/1" }));
    const broken = join(dir, "broken.json");
    writeFileSync(broken, "{ not json");
    mkdirSync(join(dir, "empty"), { recursive: true });
    for (const [args, msg] of [
      [["diff", join(dir, "missing"), join(dir, "node-20")], /missing: no such file or directory/],
      [["diff", join(dir, "node-20"), notReport], /not a netparity report \(schema "something\/1"/],
      [["diff", broken, join(dir, "node-20")], /broken\.json: not JSON/],
      [["diff", join(dir, "empty"), join(dir, "node-20")], /no report\.json in this directory/],
      [["diff", "--json", "--markdown", join(dir, "node-20"), join(dir, "node-22")], /cannot be used with/],
      [["diff", join(dir, "node-20")], /missing required argument/],
      [["diff", "--nope", join(dir, "node-20"), join(dir, "node-22")], /unknown option/],
    ] as const) {
      const r = cli([...args]);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stdout).toBe("");
    }
  });

  it("--help explains the pairing and exits 0", () => {
    const r = cli(["diff", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("--markdown");
    expect(r.stdout.replace(/\s+/g, " ")).toContain("by name when each report has one version of that runtime");
  });
});

describe("netparity merge", () => {
  const out = join(dir, "merged");

  it("writes the four files holding both versions, each result tagged with its run", () => {
    const r = cli(["merge", join(dir, "node-20"), join(dir, "node-22"), "--report-dir", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("tcp.reuseport (node)");
    const j = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as Report;
    expect(j.schema).toBe("netparity.report/1");
    expect(j.runs!.map((x) => x.id)).toEqual(["node-20", "node-22"]);
    expect(j.runs!.map((x) => x.runtimes.find((y) => y.name === "node")!.version)).toEqual(["20.20.2", "22.23.3"]);
    expect(j.runtimes.map((x) => `${x.name} ${x.version}`)).toEqual([
      "node 20.20.2",
      "bun 1.4.5",
      "deno 2.9.6",
      "node 22.23.3",
    ]);
    expect(j.cells).toHaveLength(54);
    expect(j.probes).toHaveLength(36);
    expect(new Set(j.cells.map((c) => c.run))).toEqual(new Set(["node-20", "node-22"]));
    // Two versions of node in one report: node's ends are written name@version in the keys.
    expect(j.cells.map((c) => c.key)).toContain("echo/tcp/127.0.0.1/node@22.23.3->deno");
    expect(j.cells.map((c) => c.key)).toContain("echo/tcp/127.0.0.1/bun->node@20.20.2");
    expect(j.summary.cells.total).toBe(54);
    expect(j.bench!.workloads[0]!.results).toHaveLength(6);

    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain("| probe | node 20.20.2 | node 22.23.3 | bun 1.4.5 | deno 2.9.6 | |");
    const firstRow = md.split("\n").find((l) => l.startsWith("| `"))!;
    expect(firstRow).toBe(
      "| `tcp.reuseport` | ⚠️ error | both listen | both listen | both listen | ≠ **changed** in node |",
    );
    expect(md).toContain("#### Run node-22");

    const xml = readFileSync(join(out, "junit.xml"), "utf8");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@",
      isArray: (n) => n === "testsuite" || n === "testcase",
    }).parse(xml);
    const cases = (doc.testsuites.testsuite as Array<{ testcase: Array<Record<string, string>> }>).flatMap(
      (s) => s.testcase,
    );
    expect(cases).toHaveLength(54 + 36);
    const ids = cases.map((c) => `${c["@classname"]}|${c["@name"]}`);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain("node-22/probes/node|tcp.reuseport: title of tcp.reuseport");
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain('<section id="differences"');
  });

  it("a merged report merges again (a run it holds, given again, is merged once) and diffs against itself as same", () => {
    const again = join(dir, "merged-again");
    const r = cli(["merge", out, join(dir, "node-20"), "--report-dir", again]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(
      `netparity: ${join(dir, "node-20", "report.json")} repeats a run of ${join(out, "report.json")}: merged once\n`,
    );
    const j = JSON.parse(readFileSync(join(again, "report.json"), "utf8")) as Report;
    expect(j.runs!.map((x) => x.id)).toEqual(["node-20", "node-22"]);
    expect(j.cells).toHaveLength(54);
    expect(cli(["diff", out, out]).code).toBe(0);
  });

  it("the same run twice is merged once, said on stderr; counts are not doubled", () => {
    const twice = join(dir, "merged-twice");
    const r = cli(["merge", join(dir, "node-20"), join(dir, "node-20"), "--report-dir", twice]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("repeats a run of");
    const j = JSON.parse(readFileSync(join(twice, "report.json"), "utf8")) as Report;
    expect(j.runs).toHaveLength(1);
    expect(j.cells).toHaveLength(27);
  });

  it("--report-dir naming a file: exit 2, one line, the file untouched", () => {
    const file = join(dir, "a-file");
    writeFileSync(file, "keep");
    const r = cli(["merge", join(dir, "node-20"), "--report-dir", file]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      `netparity: --report-dir ${file} is not a directory (a file is there)`,
    ]);
    expect(readFileSync(file, "utf8")).toBe("keep");
  });

  it("the probe matrix puts rows that changed between versions first", () => {
    const j = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as Report;
    const { rows, columns } = probeMatrix(j);
    expect(columns.map((c) => c.label)).toEqual(["node 20.20.2", "node 22.23.3", "bun 1.4.5", "deno 2.9.6"]);
    expect(rows[0]).toMatchObject({ id: "tcp.reuseport", changed: true, changedIn: ["node"] });
    expect(rows.filter((x) => x.changed)).toHaveLength(1);
    expect(rows.findIndex((x) => !x.differs)).toBeGreaterThan(rows.findLastIndex((x) => x.differs));
  });

  it("exits 2 for a path that is not a report or without --report-dir", () => {
    expect(cli(["merge", join(dir, "nowhere"), "--report-dir", join(dir, "x")]).code).toBe(2);
    const r = cli(["merge", join(dir, "node-20")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--report-dir/);
  });
});
