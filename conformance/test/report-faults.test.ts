/**
 * A run with --faults says so in the headline of every format (report.md, report.html,
 * junit.xml) and of `diff` (table, Markdown, JSON): its differences come from the faults the
 * clients went through, not from a regression.
 */
import { describe, expect, it } from "vitest";
import { diffReports, diffSummary, renderDiffMarkdown } from "../src/parent/report/diff.js";
import { faultsOfCommand, reportFaults } from "../src/parent/report/faults.js";
import { renderHtml } from "../src/parent/report/html.js";
import { renderJunit } from "../src/parent/report/junit.js";
import { renderMarkdown } from "../src/parent/report/markdown.js";
import type { Report } from "../src/parent/report/model.js";
import { renderDiffTable } from "../src/parent/cli/diff.js";
import { sampleReport } from "./report-fixture.js";

const NOTE = "clients through faults reset=100000,seed=1";

function withFaults(): Report {
  const r = sampleReport(false);
  return { ...r, command: ["netparity", "run", "--faults", "reset=100000", "--no-probes"] };
}

describe("faults in every headline", () => {
  it("reads --faults and --faults= from the recorded command, normalized", () => {
    expect(faultsOfCommand(["netparity", "run", "--faults", "reset=100000"])).toBe("reset=100000,seed=1");
    expect(faultsOfCommand(["netparity", "run", "--faults=drop=0.2,seed=7"])).toBe("drop=0.2,seed=7");
    expect(faultsOfCommand(["netparity", "run"])).toBeUndefined();
    expect(reportFaults(sampleReport(false))).toBeUndefined();
  });

  it("report.md and report.html lead with the faults", () => {
    const md = renderMarkdown(withFaults());
    const headline = md.split("\n").find((l) => l.includes("**"))!;
    expect(headline).toContain(NOTE);
    const html = renderHtml(withFaults());
    expect(/<p class="verdict[^"]*" id="verdict">([^<]*)<\/p>/.exec(html)?.[1]).toContain(NOTE);
    // Without faults, no such words.
    expect(renderMarkdown(sampleReport(false))).not.toContain("clients through faults");
  });

  it("junit.xml names the faults in its testsuites element", () => {
    const xml = renderJunit(withFaults());
    expect(/<testsuites name="([^"]*)"/.exec(xml)?.[1]).toBe(`netparity (${NOTE})`);
    expect(/<testsuites name="([^"]*)"/.exec(renderJunit(sampleReport(false)))?.[1]).toBe("netparity");
  });

  it("diff says which side went through faults, in its summary, table, Markdown and JSON", () => {
    const d = diffReports(sampleReport(false), withFaults(), { a: "a.json", b: "b.json" });
    expect(d.b.faults).toBe("reset=100000,seed=1");
    expect(d.a.faults).toBeUndefined();
    expect(diffSummary(d)).toContain(`(B: ${NOTE})`);
    expect(renderDiffTable(d, false, 120)).toContain(`B  b.json`);
    expect(
      renderDiffTable(d, false, 120)
        .split("\n")
        .find((l) => l.startsWith("  B")),
    ).toContain(NOTE);
    expect(renderDiffMarkdown(d)).toContain("clients through faults `reset=100000,seed=1`");
  });
});
