/**
 * The WinterTC Sockets spec suite as a Markdown table: one row per check (named by the draft's
 * section), one column per implementation; normative checks pass (yes), fail (NO) or skip
 * (skip: why); probes show what the implementation did. Below it, each implementation's
 * deviations from the draft: its failed normative checks with their evidence.
 */
import type { SocketsSpecEvent } from "../runner/sockets-spec.js";
import { machineInfo, REPORT_SCHEMA, type Report, type ReportRuntime, type ReportSocketsSpec } from "./model.js";

/** The file in a report directory that carries the suite's results into a later `run` (as bench.json does). */
export const SOCKETS_SPEC_FILE = "sockets-spec.json";

/** One implementation's results: an agent's event, or a report's `socketsSpec` entry. */
type SpecColumn = Pick<SocketsSpecEvent, "implementation" | "runtime" | "version" | "results"> & { run?: string };

function columnName(e: SpecColumn): string {
  return `${e.implementation} on ${e.runtime} ${e.version}${e.run ? ` · ${e.run}` : ""}`;
}

/** The agents' events as the report's `socketsSpec` section. */
export function socketsSpecSection(events: readonly SocketsSpecEvent[]): ReportSocketsSpec[] {
  return events.map((e) => ({
    implementation: e.implementation,
    runtime: e.runtime,
    version: e.version,
    results: e.results,
  }));
}

function cell(status: string, detail: string | undefined): string {
  const text =
    status === "pass" ? "yes" : status === "fail" ? "NO" : status === "skip" ? `skip: ${detail ?? ""}` : (detail ?? "");
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Normative checks passed out of those run (skips left out), per implementation. */
export function socketsSpecScore(e: SpecColumn): { passed: number; run: number; skipped: number } {
  const normative = e.results.filter((r) => r.kind === "normative");
  const run = normative.filter((r) => r.status !== "skip");
  return {
    passed: run.filter((r) => r.status === "pass").length,
    run: run.length,
    skipped: normative.length - run.length,
  };
}

export function socketsSpecMarkdown(events: readonly SpecColumn[]): string {
  const lines: string[] = [];
  lines.push(`| section | check | ${events.map(columnName).join(" | ")} |`);
  lines.push(`| --- | --- | ${events.map(() => "---").join(" | ")} |`);
  const keys: Array<{ section: string; name: string }> = [];
  for (const e of events)
    for (const r of e.results)
      if (!keys.some((k) => k.section === r.section && k.name === r.name))
        keys.push({ section: r.section, name: r.name });
  for (const k of keys) {
    const cells = events.map((e) => {
      const r = e.results.find((x) => x.section === k.section && x.name === k.name);
      return r ? cell(r.status, r.detail) : "";
    });
    lines.push(`| ${k.section} | ${k.name.replace(/\|/g, "\\|")} | ${cells.join(" | ")} |`);
  }
  lines.push(
    `| **normative checks passed** | | ${events
      .map((e) => {
        const s = socketsSpecScore(e);
        return `**${s.passed}/${s.run}**${s.skipped ? ` (${s.skipped} skipped)` : ""}`;
      })
      .join(" | ")} |`,
  );
  lines.push("", "Deviations from the draft (failed normative checks):", "");
  for (const e of events) {
    const failed = e.results.filter((r) => r.kind === "normative" && r.status === "fail");
    lines.push(`- ${columnName(e)}: ${failed.length === 0 ? "none" : ""}`);
    for (const r of failed) lines.push(`  - ${r.section}: ${r.name}: ${r.detail ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}

/** Whether @netparity/sockets passed every normative check it ran (the suite's exit code, and its report's `ok`). */
export function socketsSpecOk(section: readonly SpecColumn[]): boolean {
  return section
    .filter((e) => e.implementation === "@netparity/sockets")
    .every((e) => {
      const s = socketsSpecScore(e);
      return s.passed === s.run;
    });
}

/**
 * The report `netparity sockets-spec --report-dir` writes: `existing` (a run's report.json in
 * that directory) with its `socketsSpec` section replaced, so cells, probes and bench stay; or,
 * where there is none, a report of the same schema with no cells or probes and this section.
 */
export function reportWithSocketsSpec(
  existing: Report | undefined,
  section: ReportSocketsSpec[],
  o: { command: string[]; toolVersion: string; runtimes: ReportRuntime[]; durationMs: number; generatedAt?: string },
): Report {
  if (existing) return { ...existing, socketsSpec: section };
  return {
    schema: REPORT_SCHEMA,
    generatedAt: o.generatedAt ?? new Date().toISOString(),
    tool: { name: "netparity", version: o.toolVersion },
    command: o.command,
    machine: machineInfo(),
    selection: { runtimes: o.runtimes.map((r) => r.name), scenarios: [], transports: [], hosts: [], probes: [] },
    runtimes: o.runtimes,
    cells: [],
    probes: [],
    probeErrors: [],
    expectations: null,
    summary: {
      cells: { total: 0, pass: 0, fail: 0, error: 0, unsupported: 0 },
      probes: { total: 0, runtimes: 0, differing: 0, errors: 0 },
      ok: socketsSpecOk(section),
      durationMs: Math.round(o.durationMs),
    },
    socketsSpec: section,
  };
}

/** report.html's section for `socketsSpec`: the same table as the Markdown, one column per implementation. */
export function socketsSpecHtml(section: readonly SpecColumn[], esc: (s: string) => string): string {
  if (!section.length) return "";
  const keys: Array<{ section: string; name: string }> = [];
  for (const e of section)
    for (const r of e.results)
      if (!keys.some((k) => k.section === r.section && k.name === r.name))
        keys.push({ section: r.section, name: r.name });
  const colour = (status: string): string =>
    status === "pass" ? "#dafbe1" : status === "fail" ? "#ffebe9" : status === "skip" ? "#f3f4f6" : "#fff8c5";
  const out = [
    `<h2 id="sockets-spec">WinterTC Sockets spec suite</h2>`,
    `<p class="notes">Each normative check of the draft (yes, NO, skip) and what each implementation does where the draft is open (its probes). Normative checks passed: ${section
      .map((e) => {
        const s = socketsSpecScore(e);
        return `${esc(columnName(e))} ${s.passed}/${s.run}`;
      })
      .join(" · ")}.</p>`,
    `<table class="sockets-spec"><thead><tr><th>section</th><th>check</th>${section.map((e) => `<th>${esc(columnName(e))}</th>`).join("")}</tr></thead><tbody>`,
  ];
  for (const k of keys) {
    const cells = section.map((e) => {
      const r = e.results.find((x) => x.section === k.section && x.name === k.name);
      return r
        ? `<td style="background:${colour(r.status)};padding:4px 8px">${esc(cell(r.status, r.detail))}</td>`
        : "<td></td>";
    });
    out.push(`<tr><td>${esc(k.section)}</td><td>${esc(k.name)}</td>${cells.join("")}</tr>`);
  }
  out.push("</tbody></table>");
  return out.join("\n");
}
