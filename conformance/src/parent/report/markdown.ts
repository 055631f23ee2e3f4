/**
 * report.md: GitHub-flavoured Markdown that fits a job summary ($GITHUB_STEP_SUMMARY) or a
 * PR comment. It leads with the verdict, the Node API on Bun and Deno (node-api.ts) and what
 * differs (the expectation diff, the probes
 * where runtimes or versions differ, the benchmark ranking); then the details: a scenario ×
 * transport summary whose server × client tables fold away, every probe, reliability, bench,
 * the WinterTC Sockets spec suite.
 */
import {
  benchRanking,
  cellAt,
  cellSummary,
  cellTargets,
  countCells,
  probeMatrix,
  runViews,
  targetLabel,
  type GroupCount,
  type ProbeColumn,
  type ProbeRow,
  type RunView,
} from "./columns.js";
import { socketsSpecMarkdown } from "./sockets-spec.js";
import { cellGroups, reliabilityRows, type Report, type ReportCell } from "./model.js";
import { differHeading, verdictOf } from "./overview.js";
import { controlsMarkdown } from "./controls.js";
import { nodeApiComparison, nodeApiMarkdown } from "./node-api.js";

/** A table cell: pipes escaped, no line breaks. */
export function mdCell(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/\|/g, "\\|").replace(/\r?\n/g, " ").replace(/</g, "&lt;");
}

function mark(c: ReportCell): string {
  const known = c.verdict === "ok" && (c.status === "fail" || c.status === "error");
  if (c.status === "pass") return c.verdict === "ok" ? "✅" : "✅ (unexpected pass)";
  if (c.status === "unsupported") return "➖";
  if (known) return c.expected?.issue ? `❌ [known](${c.expected.issue})` : "❌ (known)";
  return "❌";
}

/** The case × runtime table and why anything did not pass. */
function reliabilityMarkdown(view: RunView): string[] {
  const rows = view.reliability;
  if (!rows.length) return [];
  const rts = view.targets.filter((t) => rows.some((r) => r.runtime === t.name && r.version === t.version));
  const out = [
    `### Reliability${view.label ? ` · ${mdCell(view.label)}` : ""}`,
    "",
    "Bad input, faults, load and lifecycle, case × runtime (the runtime's server; clients of the same runtime where one is used). ✅ pass · ❌ fail · ➖ unsupported.",
    "",
  ];
  out.push(
    `| case | ${rts.map((t) => targetLabel(t, view.versions)).join(" | ")} |`,
    `|---|${rts.map(() => "---").join("|")}|`,
  );
  for (const t of reliabilityRows(rows)) {
    const cells = rts.map((rt) => {
      const r = t.all.find((x) => x.runtime === rt.name && x.version === rt.version);
      if (!r) return " ";
      const m =
        r.status === "pass"
          ? "✅"
          : r.status === "unsupported"
            ? "➖"
            : r.verdict === "ok"
              ? r.expected?.issue
                ? `❌ [known](${r.expected.issue})`
                : "❌ (known)"
              : "❌";
      return `${m}${r.verdict !== "ok" && r.status === "pass" ? " (unexpected pass)" : ""}`;
    });
    out.push(`| \`${t.id}\` ${mdCell(t.title)} | ${cells.join(" | ")} |`);
  }
  out.push("");
  const bad = rows.filter((r) => r.status !== "pass");
  if (bad.length) {
    out.push("<details><summary>Why reliability cases did not pass</summary>", "");
    for (const r of bad)
      out.push(
        `- \`${r.id}\` on ${r.runtime} ${r.version}: ${r.status}${r.expected?.issue ? ` ([issue](${r.expected.issue}))` : ""}: ${mdCell(r.detail)}`,
      );
    out.push("", "</details>", "");
  }
  return out;
}

/** "✅ 9/9", "❌ 7/9 · 1 known", "➖ 4/9 · 5 n/a" for one scenario × transport cell. */
export function countLabel(n: GroupCount): string {
  const markOf = n.off ? "❌" : n.pass === n.total ? "✅" : n.known ? "⚠️" : "➖";
  const extra = [n.known ? `${n.known} known` : "", n.unsupported ? `${n.unsupported} n/a` : ""].filter(Boolean);
  return `${markOf} ${n.pass}/${n.total}${extra.length ? ` · ${extra.join(" · ")}` : ""}`;
}

function probeTable(rows: ProbeRow[], columns: ProbeColumn[]): string[] {
  const out = [
    `| probe | ${columns.map((c) => mdCell(c.label)).join(" | ")} | |`,
    `|---|${columns.map(() => "---").join("|")}|---|`,
  ];
  for (const row of rows) {
    const cells = columns.map((col) => {
      const p = row.byColumn.get(col.key);
      if (!p) return " ";
      return `${p.verdict === "ok" ? "" : "⚠️ "}${mdCell(p.outcome)}`;
    });
    const note = row.changed ? `≠ **changed** in ${row.changedIn.join(", ")}` : row.differs ? "≠" : "";
    out.push(`| \`${row.id}\` | ${cells.join(" | ")} | ${note} |`);
  }
  return out;
}

function expectationDiff(r: Report): string[] {
  const e = r.expectations;
  if (!e) return ["Expectations were not compared in this run.", ""];
  if (!e.diffs.length) return [`✅ Every result matches the expectations.`, ""];
  const out = ["| | what | expected | got | why |", "|---|---|---|---|---|"];
  for (const d of e.diffs) {
    const run = (d as { run?: string }).run;
    const what = `${d.subject === "probe" ? `probe \`${d.key}\` on ${d.runtimes.join(", ")}` : `\`${d.key}\``}${run ? ` · ${run}` : ""}`;
    const why = [
      d.detail ?? "",
      d.issue ? `[issue](${d.issue})` : "",
      d.versions.length ? `versions: ${d.versions.join("; ")}` : "",
    ]
      .filter(Boolean)
      .join(" ");
    out.push(`| ${d.kind} | ${mdCell(what)} | ${mdCell(d.expected)} | ${mdCell(d.actual)} | ${mdCell(why)} |`);
  }
  out.push("");
  return out;
}

function cellDetails(r: Report): string[] {
  if (!r.cells.length) return [];
  const out = ["### Server × client", ""];
  const sum = cellSummary(r.cells);
  out.push(
    "Each cell: the pairings that passed, of all server × client pairings of that scenario and transport (✅ all pass · ❌ differs from the expectations · ⚠️ known failures · ➖ unsupported).",
    "",
  );
  out.push(`| scenario | ${sum.columns.map(mdCell).join(" | ")} |`, `|---|${sum.columns.map(() => "---").join("|")}|`);
  for (const sc of sum.scenarios) {
    const row = sum.columns.map((k) => {
      const cs = sum.at(sc, k);
      return cs.length ? countLabel(countCells(cs)) : " ";
    });
    out.push(`| **${mdCell(sc)}** | ${row.join(" | ")} |`);
  }
  out.push("", "<details><summary>Every server × client table (rows: server, columns: client)</summary>", "");
  for (const view of runViews(r)) {
    if (view.label) out.push(`#### Run ${mdCell(view.label)}`, "");
    for (const g of cellGroups(view.cells)) {
      const { servers, clients } = cellTargets(view, g.cells);
      const label = (t: { name: string; version: string }): string => targetLabel(t, view.versions);
      out.push(`**${mdCell(g.label)}** ${countLabel(countCells(g.cells))}`, "");
      out.push(
        `| server \\ client | ${clients.map(label).join(" | ")} |`,
        `|---|${clients.map(() => "---").join("|")}|`,
      );
      for (const server of servers) {
        const row = clients.map((client) => {
          const c = cellAt(g.cells, server, client);
          return c ? mark(c) : " ";
        });
        out.push(`| **${label(server)}** | ${row.join(" | ")} |`);
      }
      out.push("");
    }
  }
  out.push("</details>", "");
  const problems = r.cells.filter((c) => c.status !== "pass");
  if (problems.length) {
    out.push("<details><summary>Why cells did not pass</summary>", "");
    for (const c of problems)
      out.push(
        `- \`${c.key}\`${c.run ? ` · ${mdCell(c.run)}` : ""} ${c.status}${c.expected?.issue ? ` ([issue](${c.expected.issue}))` : ""}: ${mdCell(c.reason ?? "no reason given")}`,
      );
    out.push("", "</details>", "");
  }
  return out;
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const v = verdictOf(r);
  const views = runViews(r);
  out.push("## netparity conformance", "");
  out.push(`${v.ok ? "✅" : "❌"} **${v.headline}** — ${v.counts}`, "");
  const machine = (m: Report["machine"]): string =>
    `${mdCell(m.os)}, kernel ${mdCell(m.kernel)}, ${m.arch}, ${m.cpuCount}× ${mdCell(m.cpuModel)}`;
  if (r.runs?.length) {
    for (const run of r.runs)
      out.push(
        `- **${mdCell(run.id)}**: ${run.runtimes.map((x) => `${x.name} ${x.version}`).join(" · ")} — ${machine(run.machine)} — ${run.summary.ok ? "✅" : "❌"} ${run.summary.cells.pass}/${run.summary.cells.total} cells pass`,
      );
    out.push("");
  } else {
    out.push(
      r.runtimes.map((x) => `**${x.name}** ${x.version}${x.error ? ` (${mdCell(x.error)})` : ""}`).join(" · ") +
        ` — ${machine(r.machine)}`,
      "",
    );
  }

  // The Node API on Bun and Deno, first; then what differs.
  out.push(...nodeApiMarkdown(nodeApiComparison(r), mdCell));
  out.push("### What differs", "", "#### Against the expectations", "", ...expectationDiff(r));
  const pm = probeMatrix(r);
  const differing = pm.rows.filter((x) => x.differs);
  if (pm.rows.length) {
    out.push(
      `#### ${differHeading(
        r,
        differing.some((x) => x.changed),
      )}`,
      "",
    );
    if (differing.length) out.push(...probeTable(differing, pm.columns), "");
    else out.push("Every probe has the same outcome everywhere.", "");
  }
  const ranking = benchRanking(r);
  if (ranking.length) {
    out.push("#### Benchmark ranking", "", "Best first, by median.", "");
    for (const w of ranking)
      out.push(
        `- **${mdCell(w.workload)}** (${mdCell(w.unit)}, ${w.higherIsBetter ? "higher" : "lower"} is better): ${w.results.map((x, i) => `${i + 1}. ${mdCell(x.label)} ${x.median}`).join(" · ")}`,
      );
    out.push("");
  }

  // Then the details.
  out.push(...cellDetails(r));
  if (pm.rows.length) {
    out.push(
      "### Behaviour probes",
      "",
      "What each runtime does; ≠ marks probes where outcomes differ, **changed** where one runtime's versions disagree, ⚠️ a result that differs from the expectations.",
      "",
      ...probeTable(pm.rows, pm.columns),
      "",
    );
  }
  for (const e of r.probeErrors)
    out.push(`> ❌ probes did not run in ${e.runtime}${e.run ? ` (${mdCell(e.run)})` : ""}: ${mdCell(e.error)}`, "");
  for (const view of views) out.push(...reliabilityMarkdown(view));
  out.push(...controlsMarkdown(r.controls ?? [], mdCell));

  if (r.bench?.workloads.length) {
    out.push("### Benchmarks", "", "| workload | runtime | median | min | max |", "|---|---|---|---|---|");
    for (const w of r.bench.workloads) {
      for (const x of w.results)
        out.push(
          `| ${mdCell(w.name)} | ${mdCell(x.runtime + (x.version ? ` ${x.version}` : "") + (x.role ? ` (${x.role})` : "") + (x.run ? ` · ${x.run}` : ""))} | ${x.median} ${mdCell(w.unit)} | ${x.min} | ${x.max} |`,
        );
    }
    out.push("");
  }
  if (r.socketsSpec?.length) out.push("### WinterTC Sockets spec suite", "", socketsSpecMarkdown(r.socketsSpec));
  if (r.expectations?.notes.length) {
    out.push("<details><summary>Expectation notes</summary>", "");
    for (const n of r.expectations.notes) out.push(`- ${n.kind}: ${mdCell(n.message)}`);
    out.push("", "</details>", "");
  }
  return out.join("\n");
}
