/**
 * report.md: GitHub-flavoured Markdown that fits a job summary ($GITHUB_STEP_SUMMARY) or a
 * PR comment: a server × client table per scenario, the probe table, the expectation diff.
 */
import {
  reportLabeler,
  targetLabels,
  cellGroups,
  probeRows,
  reliabilityRows,
  type Report,
  type ReportCell,
  type ReportReliability,
} from "./model.js";

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
function reliabilityMarkdown(
  rows: ReportReliability[],
  runtimes: string[],
  lab: (name: string, version: string) => string = (name) => name,
): string[] {
  if (!rows.length) return [];
  const rts = runtimes.filter((rt) => rows.some((r) => lab(r.runtime, r.version) === rt));
  const out = [
    "### Reliability",
    "",
    "Bad input, faults, load and lifecycle, case × runtime (the runtime's server; clients of the same runtime where one is used). ✅ pass · ❌ fail · ➖ unsupported.",
    "",
  ];
  out.push(`| case | ${rts.join(" | ")} |`, `|---|${rts.map(() => "---").join("|")}|`);
  for (const t of reliabilityRows(rows, lab)) {
    const cells = rts.map((rt) => {
      const r = t.byRuntime.get(rt);
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
        `- \`${r.id}\` on ${r.runtime}: ${r.status}${r.expected?.issue ? ` ([issue](${r.expected.issue}))` : ""}: ${mdCell(r.detail)}`,
      );
    out.push("", "</details>", "");
  }
  return out;
}

/** Column labels: one per target ("node", or "node 22.23.3" when the run holds several versions of node). */
function runtimesOf(r: Report): string[] {
  return r.runtimes.length ? targetLabels(r) : r.selection.runtimes;
}

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const rts = runtimesOf(r);
  const lab = reportLabeler(r);
  const s = r.summary;
  out.push("## netparity conformance", "");
  out.push(
    r.runtimes.map((x) => `**${x.name}** ${x.version}${x.error ? ` (${mdCell(x.error)})` : ""}`).join(" · ") +
      ` — ${mdCell(r.machine.os)}, kernel ${mdCell(r.machine.kernel)}, ${r.machine.arch}, ${r.machine.cpuCount}× ${mdCell(r.machine.cpuModel)}`,
    "",
  );
  const verdict = r.expectations
    ? r.expectations.ok
      ? "✅ everything matches the expectations"
      : `❌ ${r.expectations.diffs.length} difference${r.expectations.diffs.length === 1 ? "" : "s"} from the expectations`
    : s.ok
      ? "✅ no failures (expectations not compared)"
      : "❌ failures (expectations not compared)";
  out.push(
    `${verdict} — ${s.cells.total} cells: ${s.cells.pass} ✅, ${s.cells.fail + s.cells.error} ❌, ${s.cells.unsupported} ➖ · ${s.probes.total} probe results in ${s.probes.runtimes} runtime${s.probes.runtimes === 1 ? "" : "s"}, ${s.probes.differing} differ between runtimes · ${(s.durationMs / 1000).toFixed(1)} s`,
    "",
  );

  if (r.expectations?.diffs.length) {
    out.push("### Expectation diff", "");
    out.push("| | what | expected | got | why |", "|---|---|---|---|---|");
    for (const d of r.expectations.diffs) {
      const what =
        d.subject === "probe"
          ? `probe \`${d.key}\` on ${(d.runtimeVersions ?? d.runtimes).join(", ")}`
          : `\`${d.key}\``;
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
  }

  if (r.cells.length) {
    out.push(
      "### Server × client",
      "",
      "Rows: server runtime, columns: client runtime. ✅ pass · ❌ fail · ➖ unsupported.",
      "",
    );
    for (const g of cellGroups(r.cells)) {
      out.push(`**${mdCell(g.label)}**`, "");
      out.push(`| server \\ client | ${rts.join(" | ")} |`, `|---|${rts.map(() => "---").join("|")}|`);
      for (const server of rts) {
        const row = rts.map((client) => {
          const c = g.cells.find(
            (x) => lab(x.server, x.serverVersion) === server && lab(x.client, x.clientVersion) === client,
          );
          return c ? mark(c) : " ";
        });
        out.push(`| **${server}** | ${row.join(" | ")} |`);
      }
      out.push("");
    }
    const problems = r.cells.filter((c) => c.status !== "pass");
    if (problems.length) {
      out.push("<details><summary>Why cells did not pass</summary>", "");
      for (const c of problems)
        out.push(
          `- \`${c.key}\` ${c.status}${c.expected?.issue ? ` ([issue](${c.expected.issue}))` : ""}: ${mdCell(c.reason ?? "no reason given")}`,
        );
      out.push("", "</details>", "");
    }
  }

  const rows = probeRows(r.probes, lab);
  if (rows.length) {
    const prts = rts.filter((rt) => r.probes.some((p) => lab(p.runtime, p.version) === rt));
    const heading = (rt: string): string => {
      const v = r.probes.find((p) => lab(p.runtime, p.version) === rt)?.version ?? "";
      return rt.endsWith(` ${v}`) ? rt : `${rt} ${v}`;
    };
    out.push(
      "### Behaviour probes",
      "",
      "What each runtime does; ≠ marks probes where runtimes differ, ⚠️ a result that differs from the expectations.",
      "",
    );
    out.push(`| probe | ${prts.map(heading).join(" | ")} | |`, `|---|${prts.map(() => "---").join("|")}|---|`);
    for (const row of rows) {
      const cells = prts.map((rt) => {
        const p = row.byRuntime.get(rt);
        if (!p) return " ";
        return `${p.verdict === "ok" ? "" : "⚠️ "}${mdCell(p.outcome)}`;
      });
      out.push(`| \`${row.id}\` | ${cells.join(" | ")} | ${row.differs ? "≠" : ""} |`);
    }
    out.push("");
  }
  for (const e of r.probeErrors) out.push(`> ❌ probes did not run in ${e.runtime}: ${mdCell(e.error)}`, "");
  out.push(...reliabilityMarkdown(r.reliability ?? [], rts, lab));

  if (r.bench?.workloads.length) {
    out.push("### Benchmarks", "", "| workload | runtime | median | min | max |", "|---|---|---|---|---|");
    for (const w of r.bench.workloads) {
      for (const x of w.results)
        out.push(
          `| ${mdCell(w.name)} | ${mdCell(x.runtime + (x.role ? ` (${x.role})` : ""))} | ${x.median} ${mdCell(w.unit)} | ${x.min} | ${x.max} |`,
        );
    }
    out.push("");
  }
  if (r.expectations?.notes.length) {
    out.push("<details><summary>Expectation notes</summary>", "");
    for (const n of r.expectations.notes) out.push(`- ${n.kind}: ${mdCell(n.message)}`);
    out.push("", "</details>", "");
  }
  return out.join("\n");
}
