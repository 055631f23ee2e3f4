/**
 * junit.xml: one <testcase> per conformance cell (classname scenario/transport) and one per
 * probe and runtime (classname probes/<runtime>). A case fails when its result does not match
 * the expectations; known failures and unsupported cells are <skipped> with the reason.
 * Runtimes are named by their label ("node", or "node 22.23.3" when a run has several
 * versions of node); in a merged report every classname starts with the run's id.
 */
import { apiSuffix } from "../common/targets.js";
import { faultsNote } from "./faults.js";
import { runViews, targetLabel, type RunView } from "./columns.js";
import { controlsJunit } from "./controls.js";
import { cellGroups, type Report, type ReportCell, type ReportProbe } from "./model.js";

/** XML 1.0 text: the five entities escaped, characters XML cannot carry removed. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;");
}

const secs = (ms: number): string => (Math.max(0, ms) / 1000).toFixed(3);

interface Case {
  classname: string;
  name: string;
  ms: number;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
  out?: string;
}

function cellCase(c: ReportCell, view: RunView, prefix: string): Case {
  const server = targetLabel({ name: c.server, version: c.serverVersion }, view.versions);
  const client = targetLabel({ name: c.client, version: c.clientVersion }, view.versions);
  const name = `${server}${apiSuffix(c.serverApi)} server, ${client}${apiSuffix(c.api)} client${c.host === c.transport ? "" : ` on ${c.host}`}`;
  const versions = `server ${c.server} ${c.serverVersion}, client ${c.client} ${c.clientVersion}`;
  const base: Case = {
    classname: `${prefix}${c.scenario}/${c.transport}`,
    name,
    ms: c.durationMs,
    out: `${c.status}; ${versions}${c.reason ? `\n${c.reason}` : ""}`,
  };
  if (c.verdict !== "ok") {
    const expected = c.expected?.status ?? "supported";
    return {
      ...base,
      failure: {
        type: c.verdict,
        message: `${c.verdict}: expected ${expected}, got ${c.status}${c.reason ? ` (${c.reason})` : ""}`,
        body: [
          `${versions}`,
          ...c.checks.map((k) => `${k.ok ? "ok  " : "FAIL"} ${k.name}${k.detail ? `: ${k.detail}` : ""}`),
        ].join("\n"),
      },
    };
  }
  if (c.status === "unsupported") return { ...base, skipped: `unsupported: ${c.reason ?? ""}` };
  if (c.status !== "pass")
    return {
      ...base,
      skipped: `known-failing${c.expected?.issue ? ` (${c.expected.issue})` : ""}: ${c.reason ?? c.status}`,
    };
  return base;
}

function probeCase(p: ReportProbe, classname: string): Case {
  const base: Case = {
    classname,
    name: `${p.id}: ${p.title}`,
    ms: p.ms,
    out: `${p.runtime} ${p.version}: ${p.outcome}\n${p.explanation}\n${JSON.stringify(p.evidence)}`,
  };
  if (p.verdict !== "ok") {
    const expected = p.expected
      ? p.expected.status === "supported"
        ? JSON.stringify(p.expected.outcome)
        : p.expected.status
      : "(no entry)";
    return {
      ...base,
      failure: {
        type: p.verdict,
        message: `${p.verdict}: expected ${expected}, got ${JSON.stringify(p.outcome)}`,
        body: `${p.explanation}${p.error ? `\n${p.error.code}: ${p.error.message}` : ""}`,
      },
    };
  }
  if (p.outcome === "unsupported") return { ...base, skipped: p.explanation };
  return base;
}

function renderSuite(name: string, cases: Case[], timestamp: string): string {
  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const time = secs(cases.reduce((n, c) => n + c.ms, 0));
  const out = [
    `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}" timestamp="${xmlEscape(timestamp)}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}" time="${secs(c.ms)}"`;
    const inner: string[] = [];
    if (c.failure)
      inner.push(
        `      <failure message="${xmlEscape(c.failure.message)}" type="${xmlEscape(c.failure.type)}">${xmlEscape(c.failure.body)}</failure>`,
      );
    if (c.skipped !== undefined) inner.push(`      <skipped message="${xmlEscape(c.skipped)}"/>`);
    if (c.out) inner.push(`      <system-out>${xmlEscape(c.out)}</system-out>`);
    out.push(inner.length ? `${open}>\n${inner.join("\n")}\n    </testcase>` : `${open}/>`);
  }
  out.push("  </testsuite>");
  return out.join("\n");
}

export function renderJunit(r: Report): string {
  const suites: Array<{ name: string; cases: Case[] }> = [];
  for (const view of runViews(r)) {
    const prefix = view.id ? `${view.id}/` : "";
    for (const g of cellGroups(view.cells))
      suites.push({ name: `${prefix}${g.label}`, cases: g.cells.map((c) => cellCase(c, view, prefix)) });
    for (const t of view.targets) {
      const ps = view.probes.filter((p) => p.runtime === t.name && p.version === t.version);
      if (!ps.length) continue;
      const label = targetLabel(t, view.versions);
      suites.push({
        name: `${prefix}probes/${label}${label === t.name ? ` ${t.version}` : ""}`,
        cases: ps.map((p) => probeCase(p, `${prefix}probes/${label}`)),
      });
    }
    for (const e of r.probeErrors.filter((x) => (x.run ?? "") === view.id)) {
      suites.push({
        name: `${prefix}probes/${e.runtime}`,
        cases: [
          {
            classname: `${prefix}probes/${e.runtime}`,
            name: "probe agent",
            ms: 0,
            failure: { type: "not-run", message: e.error, body: e.error },
          },
        ],
      });
    }
    for (const t of view.targets) {
      const rows = view.reliability.filter((x) => x.runtime === t.name && x.version === t.version);
      if (!rows.length) continue;
      const label = targetLabel(t, view.versions);
      suites.push({
        name: `${prefix}reliability/${label}${label === t.name ? ` ${t.version}` : ""}`,
        cases: rows.map((x): Case => {
          const base: Case = {
            classname: `${prefix}reliability/${label}`,
            name: x.id,
            ms: x.durationMs,
            out: `${x.status}: ${x.detail}`,
          };
          if (x.verdict !== "ok")
            return {
              ...base,
              failure: {
                type: x.verdict,
                message: `${x.verdict}: expected ${x.expected?.status ?? "supported"}, got ${x.status} (${x.detail})`,
                body: x.checks
                  .map((c) => `${c.ok ? "ok" : "FAIL"} ${c.name}${c.detail ? `: ${c.detail}` : ""}`)
                  .join("\n"),
              },
            };
          if (x.status !== "pass")
            return {
              ...base,
              skipped: `${x.status}${x.expected?.issue ? ` (${x.expected.issue})` : ""}: ${x.detail}`,
            };
          return base;
        }),
      });
    }
  }
  const controls = controlsJunit(r.controls ?? []);
  if (controls) suites.push(controls);
  const all = suites.flatMap((s) => s.cases);
  const failures = all.filter((c) => c.failure).length;
  const skipped = all.filter((c) => c.skipped !== undefined).length;
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${xmlEscape(`netparity${faultsNote(r)}`)}" tests="${all.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${secs(r.summary.durationMs)}">`,
    ...suites.map((s) => renderSuite(s.name, s.cases, r.generatedAt)),
    `</testsuites>`,
    "",
  ].join("\n");
}
