/**
 * "Node API on Bun and Deno", the section every report leads with: the `nodeapi.*` probes
 * (the Node socket API itself, run by `--apis node`) whose outcome on a runtime and version
 * differs from Node's. Node is the runtime whose native API is `node` (its descriptor's
 * `nativeIs`), so the reference is data, not a name. This file holds the comparison and its
 * report.md and report.html renderings; the terminal's is in cli/node-api-table.ts.
 */
import semver from "semver";
import { isKnownRuntime, runtimeOf } from "../common/runtime-descriptors.js";
import { cleanVersion } from "../verdict/index.js";
import { probeMatrix, type ProbeColumn } from "./columns.js";
import type { Report, ReportProbe } from "./model.js";

/** The id prefix of the Node API probe family (pinned: "Probes of the Node API itself are `nodeapi.*`"). */
export const NODE_API_FAMILY = "nodeapi.";

export const NODE_API_HEADING = "Node API on Bun and Deno";

/** A runtime and version compared with Node, and how many of its probes differ. */
export interface NodeApiTarget extends ProbeColumn {
  /** Probes it ran that Node ran too. */
  compared: number;
  differing: number;
}

export interface NodeApiRow {
  id: string;
  title: string;
  /** Node's result. */
  reference: ReportProbe;
  /** By target key; absent where that target did not run the probe. */
  byTarget: Map<string, ReportProbe>;
  /** The keys of the targets whose outcome differs from Node's. */
  differsOn: string[];
}

export interface NodeApiComparison {
  /**
   * - `no-probes`: no `nodeapi.*` probe ran;
   * - `no-reference`: they ran, but not on Node, so nothing to compare with;
   * - `no-others`: they ran on Node only;
   * - `agree`: every compared probe has Node's outcome everywhere;
   * - `differ`: some do (rows).
   */
  state: "no-probes" | "no-reference" | "no-others" | "agree" | "differ";
  reference?: ProbeColumn;
  /** Every other runtime and version that ran the probes, by runtime, oldest version first. */
  targets: NodeApiTarget[];
  /** The probes that differ from Node's on at least one target, in catalogue order. */
  rows: NodeApiRow[];
  /** The probes that have Node's outcome on every target that ran them. */
  agreeing: string[];
  /** Probes some target ran that Node did not: not compared. */
  uncompared: string[];
  /** One or two sentences: the counts per target, or what the empty section means. */
  summary: string;
}

function isNodeApi(id: string): boolean {
  return id.startsWith(NODE_API_FAMILY);
}

/** Whether `name` is the runtime whose native API is the Node API (Node itself). */
function isReferenceRuntime(name: string): boolean {
  return isKnownRuntime(name) && runtimeOf(name).nativeIs === "node";
}

function byVersion(a: ProbeColumn, b: ProbeColumn): number {
  const va = cleanVersion(a.version);
  const vb = cleanVersion(b.version);
  return va && vb ? semver.compare(va, vb) : 0;
}

/** "bun 1.3.0, bun 1.4.5 and deno 2.9.6". */
function listed(labels: string[]): string {
  return labels.length <= 1 ? (labels[0] ?? "") : `${labels.slice(0, -1).join(", ")} and ${labels.at(-1)}`;
}

/**
 * Compares every runtime and version's `nodeapi.*` outcomes with Node's. With several Node
 * versions, the newest is the reference and the others are compared with it like any target.
 * A merged report's results of one target from several runs share a column; outcomes that
 * disagree between those runs read "a / b" and differ from Node's unless both are Node's.
 */
export function nodeApiComparison(r: Report): NodeApiComparison {
  const pm = probeMatrix(r);
  const rows = pm.rows.filter((x) => isNodeApi(x.id));
  const columns = pm.columns.filter((c) => rows.some((x) => x.byColumn.has(c.key)));
  const empty = { targets: [], rows: [], agreeing: [], uncompared: [] };
  if (!rows.length)
    return {
      state: "no-probes",
      ...empty,
      summary: "No `nodeapi.*` probes ran: they run with `--apis node` (conformance/docs/node-api.md).",
    };
  const reference = columns
    .filter((c) => isReferenceRuntime(c.name))
    .sort(byVersion)
    .at(-1);
  if (!reference)
    return {
      state: "no-reference",
      ...empty,
      summary: `The \`nodeapi.*\` probes ran on ${listed(columns.map((c) => c.label))} but not on Node, so nothing was compared: add node to \`--runtimes\`.`,
    };
  const names = [...new Set(columns.map((c) => c.name))];
  const others = columns
    .filter((c) => c.key !== reference.key)
    .sort((a, b) => names.indexOf(a.name) - names.indexOf(b.name) || byVersion(a, b));
  const targets: NodeApiTarget[] = others.map((c) => ({ ...c, compared: 0, differing: 0 }));
  const out: NodeApiRow[] = [];
  const agreeing: string[] = [];
  const uncompared: string[] = [];
  for (const row of rows) {
    const ref = row.byColumn.get(reference.key);
    if (!ref) {
      uncompared.push(row.id);
      continue;
    }
    const byTarget = new Map<string, ReportProbe>();
    const differsOn: string[] = [];
    for (const t of targets) {
      const p = row.byColumn.get(t.key);
      if (!p) continue;
      byTarget.set(t.key, p);
      t.compared++;
      if (p.outcome !== ref.outcome) {
        t.differing++;
        differsOn.push(t.key);
      }
    }
    if (differsOn.length) out.push({ id: row.id, title: row.title, reference: ref, byTarget, differsOn });
    else agreeing.push(row.id);
  }
  // Catalogue order (probeMatrix puts changed rows first; this section is read by probe).
  const order = new Map(r.probes.map((p, i) => [p.id, i] as const));
  const first = (id: string): number => order.get(id) ?? 0;
  out.sort((a, b) => first(a.id) - first(b.id));
  agreeing.sort((a, b) => first(a) - first(b));
  const base = { reference, targets, rows: out, agreeing, uncompared };
  if (!targets.length)
    return {
      state: "no-others",
      ...base,
      summary: `The \`nodeapi.*\` probes ran on ${reference.label} only: add bun or deno to \`--runtimes\` to compare them with Node.`,
    };
  const counts = targets.map((t) => `${t.label} in ${t.differing} of ${t.compared}`);
  const skipped = uncompared.length
    ? ` ${uncompared.length} probe${uncompared.length === 1 ? "" : "s"} did not run on Node and ${uncompared.length === 1 ? "is" : "are"} not compared.`
    : "";
  if (!out.length)
    return {
      state: "agree",
      ...base,
      summary: `Every \`nodeapi.*\` probe has Node's outcome (${reference.label}) on ${listed(targets.map((t) => t.label))}.${skipped}`,
    };
  return {
    state: "differ",
    ...base,
    summary: `Probes of the Node API whose outcome differs from Node's (${reference.label}): ${listed(counts)}.${skipped}`,
  };
}

/** A target's cell: "same" where it has Node's outcome, the outcome where it differs, blank where it did not run. */
function cellOf(row: NodeApiRow, t: NodeApiTarget): { text: string; differs: boolean; issue?: string } | undefined {
  const p = row.byTarget.get(t.key);
  if (!p) return undefined;
  if (!row.differsOn.includes(t.key)) return { text: "same", differs: false };
  return { text: p.outcome, differs: true, ...(p.expected?.issue ? { issue: p.expected.issue } : {}) };
}

/** report.md: the heading, the summary, then the differing probes × targets with Node's outcome first. */
export function nodeApiMarkdown(c: NodeApiComparison, cell: (s: string) => string): string[] {
  const out = [`### ${NODE_API_HEADING}`, "", cell(c.summary), ""];
  if (c.state !== "differ" || !c.reference) return out;
  out.push(
    `| probe | ${cell(c.reference.label)} | ${c.targets.map((t) => cell(t.label)).join(" | ")} |`,
    `|---|---|${c.targets.map(() => "---").join("|")}|`,
  );
  for (const row of c.rows) {
    const cells = c.targets.map((t) => {
      const x = cellOf(row, t);
      if (!x) return " ";
      if (!x.differs) return "same";
      return `**${cell(x.text)}**${x.issue ? ` ([issue](${x.issue}))` : ""}`;
    });
    out.push(`| \`${row.id}\` | ${cell(row.reference.outcome)} | ${cells.join(" | ")} |`);
  }
  out.push("");
  if (c.agreeing.length)
    out.push(
      `Same as Node everywhere (${c.agreeing.length}): ${c.agreeing.map((id) => `\`${id.slice(NODE_API_FAMILY.length)}\``).join(", ")}.`,
      "",
    );
  return out;
}

/** report.html: the same section; differing outcomes are marked and link their issue. */
export function nodeApiHtml(c: NodeApiComparison, esc: (s: string) => string): string {
  const summary = esc(c.summary).replace(/`([^`]+)`/g, "<code>$1</code>");
  const head = `<section id="node-api"><h2>${esc(NODE_API_HEADING)}</h2><p>${summary}</p>`;
  if (c.state !== "differ" || !c.reference) return `${head}</section>`;
  const link = (url: string): string =>
    /^https:\/\/[^\s"'<>]+$/.test(url) ? ` <a class="issue" href="${esc(url)}" rel="noreferrer">issue</a>` : "";
  const rows = c.rows
    .map((row) => {
      const tds = c.targets.map((t) => {
        const x = cellOf(row, t);
        if (!x) return `<td></td>`;
        if (!x.differs) return `<td class="notes">same</td>`;
        return `<td class="node-api-differs"><b>${esc(x.text)}</b>${x.issue ? link(x.issue) : ""}</td>`;
      });
      return `<tr><td><code>${esc(row.id)}</code><br><span class="notes">${esc(row.title)}</span></td><td>${esc(row.reference.outcome)}</td>${tds.join("")}</tr>`;
    })
    .join("");
  const agreeing = c.agreeing.length
    ? `<p class="notes">Same as Node everywhere (${c.agreeing.length}): ${c.agreeing.map((id) => `<code>${esc(id.slice(NODE_API_FAMILY.length))}</code>`).join(", ")}.</p>`
    : "";
  return `${head}<table class="node-api"><thead><tr><th>probe</th><th>${esc(c.reference.label)}</th>${c.targets.map((t) => `<th>${esc(t.label)}</th>`).join("")}</tr></thead><tbody>${rows}</tbody></table>${agreeing}</section>`;
}
