/** report.json / report.md / junit.xml / report.html from one made-up run (no runtimes spawned). */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { barChart, niceCeil } from "../src/parent/report/charts.js";
import { REPORT_FILES, writeReportFiles } from "../src/parent/report/index.js";
import { renderJunit, xmlEscape } from "../src/parent/report/junit.js";
import { mdCell } from "../src/parent/report/markdown.js";
import { REPORT_SCHEMA } from "../src/parent/report/model.js";
import { sampleReport } from "./report-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "netparity-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const report = sampleReport();
const paths = writeReportFiles(dir, report);
const read = (name: string): string => readFileSync(join(dir, name), "utf8");

describe("report files", () => {
  it("writes the four files", () => {
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([...REPORT_FILES]);
  });

  it("report.json: versioned schema, versions on every cell and probe, machine info", () => {
    const j = JSON.parse(read("report.json"));
    expect(j.schema).toBe(REPORT_SCHEMA);
    expect(j.schema).toBe("netparity.report/1");
    expect(j.machine).toMatchObject({ cpuModel: "Test CPU", cpuCount: 2, kernel: "6.1.0-test", os: "Test OS" });
    expect(j.runtimes.map((r: { name: string; version: string; binary: string }) => `${r.name} ${r.version}`)).toEqual([
      "node 20.20.2",
      "bun 1.4.5",
      "deno 2.9.6",
    ]);
    expect(j.cells).toHaveLength(27);
    for (const c of j.cells) {
      expect(c.key).toBe(`${c.scenario}/${c.transport}/${c.host}/${c.server}->${c.client}`);
      expect(c.serverVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(c.clientVersion).toMatch(/^\d+\.\d+\.\d+$/);
      expect(typeof c.verdict).toBe("string");
    }
    expect(j.probes).toHaveLength(18);
    for (const p of j.probes) {
      expect(p.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(p.explanation.length).toBeGreaterThan(0);
      expect(typeof p.evidence).toBe("object");
    }
    expect(j.summary.cells).toEqual({ total: 27, pass: 20, fail: 1, error: 1, unsupported: 5 });
    expect(j.summary.ok).toBe(false);
    expect(j.expectations.diffs.length).toBeGreaterThan(0);
    expect(j.bench.workloads[0].results[0]).toMatchObject({ runtime: "node", median: 900, min: 850, max: 950 });
  });

  it("junit.xml parses as XML with one testcase per cell and per probe, failures carry a message", () => {
    const xml = read("junit.xml");
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: "@",
      isArray: (name) => name === "testsuite" || name === "testcase",
    }).parse(xml);
    const suites = doc.testsuites.testsuite as Array<{
      "@name": string;
      "@tests": string;
      testcase: Array<Record<string, unknown>>;
    }>;
    const cases = suites.flatMap((s) => s.testcase);
    expect(cases).toHaveLength(27 + 18);
    expect(Number(doc.testsuites["@tests"])).toBe(45);
    expect(suites.reduce((n, s) => n + Number(s["@tests"]), 0)).toBe(45);
    const classnames = new Set(cases.map((c) => c["@classname"]));
    expect(classnames).toEqual(
      new Set(["echo/tcp", "echo/unix", "time/udp", "probes/node", "probes/bun", "probes/deno"]),
    );
    const failed = cases.filter((c) => c.failure);
    expect(failed.length).toBe(report.expectations!.diffs.length);
    const timeout = failed.find(
      (c) => c["@classname"] === "time/udp" && String(c["@name"]).startsWith("deno server, deno client"),
    )!;
    expect((timeout.failure as Record<string, string>)["@message"]).toMatch(
      /^unexpected-failure: expected supported, got error/,
    );
    // The known failure is skipped with its issue, not failed.
    const known = cases.find(
      (c) => c["@classname"] === "time/udp" && String(c["@name"]).startsWith("bun server, node client"),
    )!;
    expect(known.failure).toBeUndefined();
    expect((known.skipped as Record<string, string>)["@message"]).toContain("https://github.com/oven-sh/bun/issues/1");
    // Special characters round-trip through the escaping.
    expect((known.skipped as Record<string, string>)["@message"]).toContain(`<"%Y"> & 'quotes' differ | pipe`);
  });

  it("junit escaping removes characters XML cannot carry", () => {
    expect(xmlEscape(`a<b>&"c'\u0000\u001b`)).toBe("a&lt;b&gt;&amp;&quot;c&apos;");
    const r = sampleReport(false);
    r.cells[0]!.reason = "bad \u0007 bell";
    r.cells[0]!.verdict = "unexpected-failure";
    expect(XMLValidator.validate(renderJunit(r))).toBe(true);
  });

  it("report.md: verdict and what differs first, then the summary, server × client tables and probes", () => {
    const md = read("report.md");
    expect(md).toContain("## netparity conformance");
    // The verdict is the first line after the title; what differs comes before any detail.
    expect(md.split("\n")[2]).toMatch(/^❌ \*\*\d+ differences from the expectations\*\* — 27 cells/);
    const at = (s: string): number => {
      const i = md.indexOf(s);
      expect(i, s).toBeGreaterThanOrEqual(0);
      return i;
    };
    expect(at("### What differs")).toBeLessThan(at("### Server × client"));
    expect(at("#### Against the expectations")).toBeLessThan(at("#### Probes where runtimes differ"));
    expect(at("#### Probes where runtimes differ")).toBeLessThan(at("#### Benchmark ranking"));
    expect(at("### Server × client")).toBeLessThan(at("### Behaviour probes"));
    // The scenario × transport summary: pairings that passed of all, the 3 × 3 tables folded.
    expect(md).toContain("| scenario | tcp | unix | udp |");
    expect(md).toContain("| **echo** | ✅ 9/9 | ❌ 4/9 · 5 n/a |   |");
    expect(md).toContain("| **time** |   |   | ❌ 7/9 · 1 known |");
    expect(at("<details><summary>Every server × client table")).toBeLessThan(at("| server \\ client |"));
    // The ranking: per workload, best median first (latency: lowest first).
    expect(md).toContain("1. bun (server) 1200 · 2. deno (server) 1000 · 3. node (server) 900");
    expect(md).toContain("(µs, lower is better): 1. bun 40 · 2. deno 55 · 3. node 80");
    // Only the differing probes are in the differences; the full table has all six.
    const differs = md.slice(at("#### Probes where runtimes differ"), at("#### Benchmark ranking"));
    expect(differs).toContain("`tcp.nodelay-default`");
    expect(differs).not.toContain("`tcp.half-close`");
    expect(md.slice(at("### Behaviour probes"))).toContain("`tcp.half-close`");
    expect(md).toContain("| server \\ client | node | bun | deno |");
    expect(md).toMatch(/\| \*\*node\*\* \| ✅ \| ✅ \| ✅ \|/);
    expect(md).toContain("➖");
    expect(md).toContain("❌ [known](https://github.com/oven-sh/bun/issues/1)");
    expect(md).toContain("### Behaviour probes");
    expect(md).toContain(
      "| `tcp.nodelay-default` | nagle on (noDelay false) | ⚠️ nagle off (noDelay true) | nagle on (noDelay false) | ≠ |",
    );
    expect(md).toContain("#### Against the expectations");
    expect(md).toContain(
      '| changed | probe `tcp.nodelay-default` on bun | "nagle on (noDelay false)" | "nagle off (noDelay true)" |',
    );
    expect(md).toContain("bun 1.4.5 (recorded with 1.4.4)");
    expect(md).toContain("### Benchmarks");
    // Table cells never break the table.
    expect(mdCell("a|b\nc")).toBe("a\\|b c");
    const probeRows = md.split("\n").filter((l) => l.startsWith("| `tcp."));
    expect(probeRows.length).toBeGreaterThan(0);
    for (const line of probeRows) expect(line.split(/(?<!\\)\|/).length).toBe(7);
  });

  it("report.html is self-contained: no external src, href, url() or imports", () => {
    const html = read("report.html");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/\bsrc\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    // The only absolute links are anchors to upstream issues, never loaded by the page.
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs.every((h) => /^https:\/\/github\.com\/[^/]+\/[^/]+\/issues\/\d+$/.test(h))).toBe(true);
    expect(html).toContain('class="heatmap"');
    expect(html).toContain('class="probe-matrix"');
    expect(html).toContain('<svg class="chart"');
    expect(html).not.toContain("<b>&</b>"); // evidence is escaped
    expect(html).toContain("&lt;b&gt;&amp;&lt;/b&gt;");
  });

  it("charts: round axis maxima and one bar per value", () => {
    expect([niceCeil(436), niceCeil(0.36), niceCeil(1300), niceCeil(100)]).toEqual([500, 0.5, 2000, 100]);
    const svg = barChart({
      title: "t",
      unit: "ms",
      bars: [
        { label: "node", value: 1 },
        { label: "bun", value: 2, min: 1, max: 3 },
      ],
    });
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg.match(/class="whisker"/g)).toHaveLength(3);
  });
});
