/** The reports' leading "Node API on Bun and Deno" section, from small made-up reports (nothing spawned). */
import type { RuntimeName } from "@netparity/protocol";
import { describe, expect, it } from "vitest";
import type { ProbeResult } from "../src/in-runtime/probes/types.js";
import { renderNodeApiTable } from "../src/parent/cli/node-api-table.js";
import { paint } from "../src/parent/cli/table.js";
import { renderHtml } from "../src/parent/report/html.js";
import { renderMarkdown } from "../src/parent/report/markdown.js";
import { buildReport, type Report } from "../src/parent/report/model.js";
import { nodeApiComparison } from "../src/parent/report/node-api.js";
import type { RuntimeInfo } from "../src/parent/runner/matrix.js";
import { SAMPLE_MACHINE } from "./report-fixture.js";
import { judgeRun, type Expectations } from "../src/parent/verdict/index.js";
import { sampleReport } from "./report-fixture.js";

type Target = [RuntimeName, string];
type Outcomes = Record<string, string>;

const NODE: Target = ["node", "20.20.2"];
const BUN_OLD: Target = ["bun", "1.3.0"];
const BUN: Target = ["bun", "1.4.5"];
const DENO: Target = ["deno", "2.9.6"];

/** A report whose only results are `nodeapi.*` probes: for each target, probe id → outcome. */
function reportOf(results: Array<[Target, Outcomes]>, expectations: Expectations | null = null): Report {
  const probe = (id: string, outcome: string): ProbeResult => ({
    id,
    title: `title of ${id}`,
    outcome,
    evidence: { outcome },
    explanation: `${id}: ${outcome}.`,
    ms: 2,
  });
  const runtimes: RuntimeInfo[] = results.map(([[name, version]]) => ({ name, version, features: {} }));
  const names = [...new Set(runtimes.map((r) => r.name))];
  const selection = { runtimes: names, scenarios: ["echo"], transports: ["tcp"], hosts: ["127.0.0.1"], apis: ["node"] };
  const verdicts = judgeRun({
    dir: "/tmp/expectations",
    expectations,
    selection,
    runtimes,
    cells: [],
    probes: results.map(([[runtime, version], o]) => ({
      runtime,
      version,
      results: Object.entries(o).map(([id, outcome]) => probe(id, outcome)),
    })),
  });
  return buildReport({
    command: ["netparity", "run", "--apis", "node"],
    toolVersion: "0.1.0",
    selection,
    runtimes: runtimes.map((r) => ({ ...r, binary: `/usr/bin/${r.name}` })),
    verdicts,
    durationMs: 1000,
    machine: SAMPLE_MACHINE,
    generatedAt: "2026-12-01T00:00:00.000Z",
  });
}

const AS_NODE: Outcomes = {
  "nodeapi.half-close.tcp-allow": "reply after end",
  "nodeapi.events.peer-reset": "error(ECONNRESET) close(true)",
  "nodeapi.error.eaddrinuse": "EADDRINUSE, syscall listen, errno -98",
  "nodeapi.bytes": "exact",
};

const ISSUE = "https://github.com/oven-sh/bun/issues/39600";

function differing(): Report {
  const bunFile = {
    schema: "netparity.expectations/1" as const,
    runtime: "bun" as const,
    version: "1.4.5",
    cells: {},
    probes: {
      "nodeapi.events.peer-reset": [
        { status: "supported" as const, outcome: AS_NODE["nodeapi.events.peer-reset"], versions: ">1.3.0" },
        { status: "supported" as const, outcome: "end finish close(false)", issue: ISSUE, versions: "1.3.0" },
      ],
    },
  };
  return reportOf(
    [
      [NODE, AS_NODE],
      [
        BUN_OLD,
        {
          ...AS_NODE,
          "nodeapi.half-close.tcp-allow": "reply lost",
          "nodeapi.events.peer-reset": "end finish close(false)",
          "nodeapi.error.eaddrinuse": "EADDRINUSE, syscall listen, errno 98",
        },
      ],
      [BUN, { ...AS_NODE, "nodeapi.error.eaddrinuse": "EADDRINUSE, syscall listen, errno 98" }],
      [DENO, AS_NODE],
    ],
    { bun: bunFile },
  );
}

describe("Node API on Bun and Deno", () => {
  it("lists the probes that differ from Node's, per runtime version, with counts and issues", () => {
    const c = nodeApiComparison(differing());
    expect(c.state).toBe("differ");
    expect(c.reference?.label).toBe("node 20.20.2");
    expect(c.targets.map((t) => [t.label, t.differing, t.compared])).toEqual([
      ["bun 1.3.0", 3, 4],
      ["bun 1.4.5", 1, 4],
      ["deno 2.9.6", 0, 4],
    ]);
    expect(c.rows.map((r) => r.id)).toEqual([
      "nodeapi.half-close.tcp-allow",
      "nodeapi.events.peer-reset",
      "nodeapi.error.eaddrinuse",
    ]);
    expect(c.agreeing).toEqual(["nodeapi.bytes"]);
    expect(c.summary).toBe(
      "Probes of the Node API whose outcome differs from Node's (node 20.20.2): bun 1.3.0 in 3 of 4, bun 1.4.5 in 1 of 4 and deno 2.9.6 in 0 of 4.",
    );

    const md = renderMarkdown(differing());
    // It leads: the first section, before "What differs".
    const sections = md.split("\n").filter((l) => l.startsWith("### "));
    expect(sections.slice(0, 2)).toEqual(["### Node API on Bun and Deno", "### What differs"]);
    expect(md).toContain("| probe | node 20.20.2 | bun 1.3.0 | bun 1.4.5 | deno 2.9.6 |");
    expect(md).toContain(
      `| \`nodeapi.events.peer-reset\` | error(ECONNRESET) close(true) | **end finish close(false)** ([issue](${ISSUE})) | same | same |`,
    );
    expect(md).toContain("| `nodeapi.half-close.tcp-allow` | reply after end | **reply lost** | same | same |");
    expect(md).toContain("Same as Node everywhere (1): `bytes`.");

    const html = renderHtml(differing());
    expect(html.indexOf('<section id="node-api">')).toBeGreaterThan(0);
    expect(html.indexOf('<section id="node-api">')).toBeLessThan(html.indexOf('<section id="differences"'));
    expect(html).toContain(`<b>end finish close(false)</b> <a class="issue" href="${ISSUE}"`);

    const text = renderNodeApiTable(c, paint(false), 120).split("\n");
    expect(text[0]).toBe("Node API on Bun and Deno");
    expect(text.join("\n")).toContain("bun 1.3.0 in 3 of 4");
    const row = text.find((l) => l.includes("half-close.tcp-allow"))!;
    expect(row).toMatch(/^ {2}half-close\.tcp-allow +reply after end +reply lost +same +same *$/);
  });

  it("says so when every probe has Node's outcome", () => {
    const r = reportOf([
      [NODE, AS_NODE],
      [BUN, AS_NODE],
      [DENO, AS_NODE],
    ]);
    const c = nodeApiComparison(r);
    expect(c.state).toBe("agree");
    expect(c.rows).toEqual([]);
    expect(c.summary).toBe("Every `nodeapi.*` probe has Node's outcome (node 20.20.2) on bun 1.4.5 and deno 2.9.6.");
    const md = renderMarkdown(r);
    expect(md).toContain("### Node API on Bun and Deno\n\nEvery `nodeapi.*` probe has Node's outcome");
    const section = md.slice(md.indexOf("### Node API on Bun and Deno"), md.indexOf("### What differs"));
    expect(section).not.toContain("|");
    expect(renderHtml(r)).toContain("<p>Every <code>nodeapi.*</code> probe has Node&#39;s outcome");
  });

  it("says so when no nodeapi probe ran, or none ran on Node, or only on Node", () => {
    const none = nodeApiComparison(sampleReport(false));
    expect(none.state).toBe("no-probes");
    expect(none.summary).toBe("No `nodeapi.*` probes ran: they run with `--apis node` (conformance/docs/node-api.md).");
    expect(renderMarkdown(sampleReport(false))).toContain("### Node API on Bun and Deno\n\nNo `nodeapi.*` probes ran");

    const noNode = nodeApiComparison(reportOf([[BUN, AS_NODE]]));
    expect(noNode.state).toBe("no-reference");
    expect(noNode.summary).toContain("ran on bun 1.4.5 but not on Node");

    const onlyNode = nodeApiComparison(reportOf([[NODE, AS_NODE]]));
    expect(onlyNode.state).toBe("no-others");
    expect(onlyNode.summary).toContain("ran on node 20.20.2 only");
  });

  it("compares with the newest Node when the report has several, and the older Node like any target", () => {
    const c = nodeApiComparison(
      reportOf([
        [["node", "22.12.0"], { ...AS_NODE, "nodeapi.bytes": "short" }],
        [NODE, AS_NODE],
        [BUN, AS_NODE],
      ]),
    );
    expect(c.reference?.label).toBe("node 22.12.0");
    expect(c.targets.map((t) => `${t.label}: ${t.differing}`)).toEqual(["node 20.20.2: 1", "bun 1.4.5: 1"]);
    expect(c.rows.map((r) => r.id)).toEqual(["nodeapi.bytes"]);
  });
});
