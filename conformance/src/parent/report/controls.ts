/**
 * The negative controls in the four report files: report.json carries them as judged
 * (`Report.controls`); this file renders them for report.md, report.html and junit.xml, each
 * as one self-contained section the writers append.
 */
import { targetLabeler } from "../common/targets.js";
import type { JudgedControl } from "../verdict/index.js";

export type ReportControl = JudgedControl;

/** A control's runtime as a name, or "node 22.23.3" when the controls ran several versions of it. */
export function controlRuntimeLabel(rows: readonly ReportControl[]): (c: ReportControl) => string {
  const label = targetLabeler(rows.map((c) => ({ name: c.runtime, version: c.version })));
  return (c) => label(c.runtime, c.version);
}

/** Counts of the controls section. */
export function controlsSummary(rows: readonly ReportControl[]): {
  total: number;
  detected: number;
  undetected: number;
  unsupported: number;
} {
  return {
    total: rows.length,
    detected: rows.filter((c) => c.detected).length,
    undetected: rows.filter((c) => !c.detected && c.outcome !== "unsupported").length,
    unsupported: rows.filter((c) => c.outcome === "unsupported").length,
  };
}

/** What the controls cannot show with a foreign server: each distinct limit once. */
export function controlLimits(rows: readonly ReportControl[]): Array<{ scenario: string; limit: string }> {
  const seen = new Map<string, { scenario: string; limit: string }>();
  for (const c of rows) if (c.limit) seen.set(`${c.scenario}\0${c.limit}`, { scenario: c.scenario, limit: c.limit });
  return [...seen.values()];
}

function mark(c: ReportControl): string {
  return c.detected ? "✅ detected" : c.outcome === "unsupported" ? "➖ unsupported" : `❌ ${c.outcome}`;
}

function checkText(c: ReportControl): string {
  if (!c.check) return c.reason ?? "";
  const text = `${c.check.name}: ${c.check.detail ?? ""}`;
  return c.detected ? text : `${c.reason ?? ""} (${text})`;
}

/** report.md: one table row per control, then what stays undetectable with a foreign server. */
export function controlsMarkdown(rows: readonly ReportControl[], cell: (s: string) => string): string[] {
  if (!rows.length) return [];
  const s = controlsSummary(rows);
  const out = [
    "### Negative controls",
    "",
    `Each client against a server that is wrong on purpose (its own runtime's server, mutated, or a corrupting proxy in between): a control passes only when the client fails with a check that names the problem. ${s.detected} of ${s.total} detected${s.undetected ? `, ${s.undetected} not` : ""}${s.unsupported ? `, ${s.unsupported} unsupported` : ""}.`,
    "",
    "| scenario | transport | runtime | wrong server | result | the failing check |",
    "|---|---|---|---|---|---|",
  ];
  for (const c of rows)
    out.push(
      `| ${cell(c.scenario)} | ${c.transport} | ${cell(`${c.runtime} ${c.version}`)} | ${cell(c.mutation)} | ${mark(c)} | ${cell(checkText(c).slice(0, 300))} |`,
    );
  out.push("");
  for (const l of controlLimits(rows))
    out.push(`> Undetectable with a foreign server (${cell(l.scenario)}): ${cell(l.limit)}`, "");
  return out;
}

/** report.html: the same table, rows coloured by result. */
export function controlsHtml(rows: readonly ReportControl[], esc: (s: string) => string): string {
  if (!rows.length) return "";
  const s = controlsSummary(rows);
  const out = [
    `<h2 id="controls">Negative controls</h2>`,
    `<p class="notes">Each client against a server that is wrong on purpose: a control passes only when the client fails with a check that names the problem. ${s.detected} of ${s.total} detected${s.undetected ? `, ${s.undetected} not` : ""}${s.unsupported ? `, ${s.unsupported} unsupported` : ""}.</p>`,
    `<table class="negative-controls"><thead><tr><th>scenario</th><th>transport</th><th>runtime</th><th>wrong server</th><th>result</th><th>the failing check</th></tr></thead><tbody>`,
  ];
  for (const c of rows) {
    const bg = c.detected ? "#dafbe1" : c.outcome === "unsupported" ? "#f3f4f6" : "#ffebe9";
    out.push(
      `<tr><td>${esc(c.scenario)}</td><td>${esc(c.transport)}</td><td>${esc(`${c.runtime} ${c.version}`)}</td><td title="${esc(c.description)}"><code>${esc(c.mutation)}</code></td><td style="background:${bg};padding:4px 8px">${esc(mark(c))}</td><td>${esc(checkText(c).slice(0, 300))}</td></tr>`,
    );
  }
  out.push("</tbody></table>");
  for (const l of controlLimits(rows))
    out.push(`<p class="notes">Undetectable with a foreign server (${esc(l.scenario)}): ${esc(l.limit)}</p>`);
  return out.join("\n");
}

/** junit.xml: one suite "controls", a failure for every control not detected. */
export interface ControlCase {
  classname: string;
  name: string;
  ms: number;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
  out?: string;
}

export function controlsJunit(rows: readonly ReportControl[]): { name: string; cases: ControlCase[] } | undefined {
  if (!rows.length) return undefined;
  const who = controlRuntimeLabel(rows);
  return {
    name: "controls",
    cases: rows.map((c): ControlCase => {
      const base: ControlCase = {
        classname: `controls/${c.scenario}/${c.transport}`,
        name: `${who(c)}: ${c.mutation}`,
        ms: c.durationMs,
        out: `${c.description}; ${mark(c)}: ${checkText(c)}`,
      };
      if (c.detected) return base;
      if (c.outcome === "unsupported") return { ...base, skipped: c.reason ?? "unsupported" };
      return {
        ...base,
        failure: {
          type: c.outcome,
          message: `not detected: ${c.reason ?? c.outcome}`,
          body: `expected ${c.expected}\n${checkText(c)}`,
        },
      };
    }),
  };
}
