/**
 * The WinterTC Sockets spec suite as a section of report.json (`socketsSpec`), on constructed
 * reports (no runtime spawned): diff pairs its checks and sees a changed status or probe
 * observation, merge keeps the section with each entry's run, report.md renders it, and a
 * report with the section is still read as netparity.report/1.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SpecResult } from "../src/in-runtime/sockets-spec/spec.js";
import { diffReports } from "../src/parent/report/diff.js";
import { renderMarkdown, writeReportFiles } from "../src/parent/report/index.js";
import { loadReport } from "../src/parent/report/load.js";
import { mergeReports } from "../src/parent/report/merge.js";
import type { Report, ReportSocketsSpec } from "../src/parent/report/model.js";
import { reportWithSocketsSpec, socketsSpecOk } from "../src/parent/report/sockets-spec.js";
import { sampleReport } from "./report-fixture.js";

const dir = mkdtempSync(join(tmpdir(), "netparity-spec-report-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const result = (name: string, kind: SpecResult["kind"], status: SpecResult["status"], detail?: string): SpecResult => ({
  section: kind === "probe" ? "closed-attribute" : "close-method",
  name,
  kind,
  status,
  ms: 3,
  ...(detail !== undefined ? { detail } : {}),
});

function section(o: { closeFails?: boolean; probe?: string; workerdVersion?: string } = {}): ReportSocketsSpec[] {
  return [
    {
      implementation: "@netparity/sockets",
      runtime: "node",
      version: "20.20.2",
      results: [
        result("close() resolves closed", "normative", "pass"),
        result("probe: closed when the peer closes", "probe", "observed", "resolved"),
      ],
    },
    {
      implementation: "cloudflare:sockets",
      runtime: "workerd",
      version: o.workerdVersion ?? "1.20261123.1",
      results: [
        result(
          "close() resolves closed",
          "normative",
          o.closeFails ? "fail" : "pass",
          o.closeFails ? "hung" : undefined,
        ),
        result("probe: closed when the peer closes", "probe", "observed", o.probe ?? "pending"),
      ],
    },
  ];
}

const opts = { command: ["netparity", "sockets-spec"], toolVersion: "0.0.0-test", durationMs: 1200 };
const runtimes: Report["runtimes"] = [
  { name: "node", version: "20.20.2", features: {}, binary: "node" },
  { name: "workerd", version: "1.20261123.1", features: {}, binary: "workerd" },
];

describe("report.json's socketsSpec section", () => {
  it("a report of the suite alone: the v1 schema, no cells, the section, ok from @netparity/sockets", () => {
    const r = reportWithSocketsSpec(undefined, section({ closeFails: true }), { ...opts, runtimes });
    expect(r.schema).toBe("netparity.report/1");
    expect(r.cells).toEqual([]);
    expect(r.socketsSpec).toHaveLength(2);
    // workerd's failure is information; @netparity/sockets passed all it ran.
    expect(r.summary.ok).toBe(true);
    const ours = section();
    ours[0]!.results[0]!.status = "fail";
    expect(socketsSpecOk(ours)).toBe(false);
    writeReportFiles(join(dir, "alone"), r);
    const back = loadReport(join(dir, "alone")).report;
    expect(back.socketsSpec).toEqual(r.socketsSpec);
    expect(readFileSync(join(dir, "alone", "report.md"), "utf8")).toContain("### WinterTC Sockets spec suite");
    const html = readFileSync(join(dir, "alone", "report.html"), "utf8");
    expect(html).toContain('<h2 id="sockets-spec">');
    expect(html).toContain("cloudflare:sockets on workerd 1.20261123.1 0/1");
  });

  it("a run's report gains the section and keeps its cells and probes", () => {
    const run = sampleReport(false);
    const r = reportWithSocketsSpec(run, section(), { ...opts, runtimes });
    expect(r.cells).toEqual(run.cells);
    expect(r.probes).toEqual(run.probes);
    expect(r.socketsSpec).toEqual(section());
    expect(renderMarkdown(r)).toContain("cloudflare:sockets on workerd 1.20261123.1");
  });

  it("diff: the same section is no change; a status and a probe's observation are", () => {
    const a = reportWithSocketsSpec(undefined, section(), { ...opts, runtimes });
    const same = diffReports(a, reportWithSocketsSpec(undefined, section(), { ...opts, runtimes }));
    expect(same.same).toBe(true);
    expect(same.counts.spec).toEqual({ compared: 4, changed: 0, added: 0, removed: 0 });
    const b = reportWithSocketsSpec(undefined, section({ closeFails: true, probe: "resolved" }), {
      ...opts,
      runtimes,
    });
    const d = diffReports(a, b);
    expect(d.same).toBe(false);
    expect(d.counts.spec).toEqual({ compared: 4, changed: 2, added: 0, removed: 0 });
    const status = d.changes.find((c) => c.id === "close-method: close() resolves closed");
    expect(status).toMatchObject({ subject: "spec", on: "cloudflare:sockets on workerd", a: "pass", b: "fail" });
    expect(status?.detail).toBe("hung");
    const probe = d.changes.find((c) => c.id.startsWith("closed-attribute"));
    expect(probe).toMatchObject({ a: "pending", b: "resolved" });
  });

  it("diff: another workerd version pairs by name and names both versions", () => {
    const a = reportWithSocketsSpec(undefined, section(), { ...opts, runtimes });
    const later = [runtimes[0]!, { ...runtimes[1]!, version: "1.20261201.1" }];
    const b = reportWithSocketsSpec(undefined, section({ probe: "resolved", workerdVersion: "1.20261201.1" }), {
      ...opts,
      runtimes: later,
    });
    const d = diffReports(a, b);
    expect(d.counts.spec.changed).toBe(1);
    expect(d.changes[0]?.versions).toBe("workerd 1.20261123.1 → 1.20261201.1");
  });

  it("merge: each entry keeps its results and gains its run; the merged report diffs against itself", () => {
    const a = reportWithSocketsSpec(undefined, section(), { ...opts, runtimes, generatedAt: "2026-12-07T10:00:00Z" });
    const b = reportWithSocketsSpec(undefined, section({ probe: "resolved" }), {
      ...opts,
      runtimes,
      generatedAt: "2026-12-07T11:00:00Z",
    });
    const m = mergeReports(
      [
        { report: a, source: "a/report.json" },
        { report: b, source: "b/report.json" },
      ],
      { command: ["netparity", "merge"], toolVersion: "0.0.0-test" },
    );
    expect(m.socketsSpec?.map((x) => `${x.implementation}|${x.run}`)).toEqual([
      "@netparity/sockets|a",
      "cloudflare:sockets|a",
      "@netparity/sockets|b",
      "cloudflare:sockets|b",
    ]);
    expect(m.socketsSpec?.[3]?.results[1]?.detail).toBe("resolved");
    const d = diffReports(m, JSON.parse(JSON.stringify(m)) as Report);
    expect(d.same).toBe(true);
    expect(d.counts.spec.compared).toBe(8);
    // A merged report merges again: the runs' entries stay theirs.
    const again = mergeReports([{ report: m, source: "m/report.json" }], {
      command: ["netparity", "merge"],
      toolVersion: "0.0.0-test",
    });
    expect(again.socketsSpec?.map((x) => x.run)).toEqual(["a", "a", "b", "b"]);
  });

  it("a report without the section reads and diffs as before", () => {
    const r = sampleReport(false);
    expect(r.socketsSpec).toBeUndefined();
    expect(diffReports(r, JSON.parse(JSON.stringify(r)) as Report).counts.spec.compared).toBe(0);
  });
});
