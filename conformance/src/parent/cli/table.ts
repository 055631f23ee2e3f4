import type { RuntimeName } from "@netparity/protocol";
import { apiSuffix } from "../common/targets.js";
import type { CellResult, CellStatus } from "../runner/matrix.js";
import { targetColumns, type TargetColumn } from "../common/targets.js";

/** Colours only on a TTY and only without NO_COLOR (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  return (
    Boolean(stream.isTTY) && !("NO_COLOR" in process.env && process.env.NO_COLOR !== "") && process.env.TERM !== "dumb"
  );
}

export function paint(on: boolean) {
  const wrap = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}

const SYMBOL: Record<CellStatus, string> = { pass: "pass", fail: "FAIL", error: "ERROR", unsupported: "unsupported" };

/**
 * The most columns a terminal table takes, whatever the terminal: a wider line wraps and
 * breaks the grid. Long cells are cut with "…" here; the report files keep them whole.
 */
export const TABLE_WIDTH = 120;

/** The width to lay tables out in on `stream`: its columns when it is a terminal, at most TABLE_WIDTH. */
export function tableWidth(stream: { columns?: number } = process.stdout): number {
  return Math.min(stream.columns || TABLE_WIDTH, TABLE_WIDTH);
}

/** `s` cut to at most `w` code points, ending with "…" when something was cut. */
export function clip(s: string, w: number): string {
  if (w <= 0) return "";
  const chars = [...s];
  return chars.length <= w ? s : `${chars.slice(0, w - 1).join("")}…`;
}

/** `s` clipped to `w` code points and padded with spaces to exactly `w`. */
export function fit(s: string, w: number): string {
  const t = clip(s, w);
  return t + " ".repeat(w - [...t].length);
}

/** A table cell `w` columns wide: `s` fitted to `w - 1` and a space, so neighbours never touch. */
export function column(s: string, w: number): string {
  return `${fit(s, w - 1)} `;
}

/**
 * Column widths that add up to at most `width`. Columns keep their natural width (their
 * longest cell plus its gap) when the row fits; otherwise the widest are narrowed to one
 * common cap, so a single long cell cannot starve the others, and no column goes below `min`
 * (the row may then stay wider than `width`).
 */
export function fitColumns(natural: readonly number[], width: number, min = 8): number[] {
  const sum = (cap: number): number => natural.reduce((a, n) => a + Math.min(n, cap), 0);
  let cap = Math.max(0, ...natural);
  if (sum(cap) <= width) return [...natural];
  while (cap > min && sum(cap) > width) cap--;
  const out = natural.map((n) => Math.min(n, cap));
  // Hand what the common cap left over back to the narrowed columns, one each.
  let spare = width - sum(cap);
  for (let i = 0; i < out.length && spare > 0; i++) {
    if (natural[i]! > out[i]!) {
      out[i]!++;
      spare--;
    }
  }
  return out;
}

/** The longest of `texts` in code points. */
function longest(texts: Iterable<string>): number {
  let n = 0;
  for (const t of texts) n = Math.max(n, [...t].length);
  return n;
}

/** One server × client table per scenario/transport/host group. */
export function renderTables(
  cells: CellResult[],
  targets: readonly TargetColumn[],
  color: boolean,
  width = TABLE_WIDTH,
): string {
  const c = paint(color);
  // Columns are targets: "node" or, with several versions of node in the run, "node 22.23.3".
  const { labels, labelOf } = targetColumns(targets);
  // An end on another API is a row or column of its own (`bun+node`), after the native ends.
  const serverOf = (x: CellResult): string => `${labelOf(x.server, x.serverVersion)}${apiSuffix(x.serverApi)}`;
  const clientOf = (x: CellResult): string => `${labelOf(x.client, x.clientVersion)}${apiSuffix(x.api)}`;
  const ends = new Set(cells.flatMap((x) => [serverOf(x), clientOf(x)]));
  const apis = [...new Set(cells.flatMap((x) => [x.serverApi, x.api]).filter((a) => a !== undefined))];
  const runtimes = [
    ...labels,
    ...apis.flatMap((a) => labels.map((l) => `${l}${apiSuffix(a)}`).filter((l) => ends.has(l) && !labels.includes(l))),
  ];
  // Rows are the ends that serve a cell, columns those that are a client in one: an end with no
  // server (workerd) has no row, a runtime whose only client end is another API (workerd+wintertc)
  // no empty column of its own.
  const servers = runtimes.filter((r) => cells.some((x) => serverOf(x) === r));
  const clients = runtimes.filter((r) => cells.some((x) => clientOf(x) === r));
  const groups = new Map<string, CellResult[]>();
  for (const cell of cells) {
    const key = `${cell.scenario}/${cell.transport}${cell.host.includes(":") ? ` [${cell.host}]` : ""}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(cell);
  }
  const out: string[] = [];
  const statusW = Math.max(10, longest(Object.values(SYMBOL)));
  const [rowW, ...colW] = fitColumns(
    [Math.max(15, longest(servers)) + 1, ...clients.map((r) => Math.max(statusW, r.length + 1) + 1)],
    width - 2,
  );
  for (const [key, group] of groups) {
    out.push(c.bold(key) + c.dim("   rows: server, columns: client"));
    out.push(`  ${column("server \\ client", rowW!)}${clients.map((r, i) => column(r, colW[i]!)).join("")}`);
    for (const server of servers) {
      const row = clients.map((client, i) => {
        const cell = group.find((x) => serverOf(x) === server && clientOf(x) === client);
        if (!cell) return " ".repeat(colW[i]!);
        const text = column(SYMBOL[cell.status], colW[i]!);
        return cell.status === "pass" ? c.green(text) : cell.status === "unsupported" ? c.dim(text) : c.red(text);
      });
      out.push(`  ${column(server, rowW!)}${row.join("")}`);
    }
    out.push("");
  }
  return out.join("\n");
}

export function renderProblems(cells: CellResult[], color: boolean, targets: readonly TargetColumn[] = []): string {
  const c = paint(color);
  const lines: string[] = [];
  const { labelOf } = targetColumns(targets);
  for (const cell of cells) {
    if (cell.status === "pass") continue;
    const label = `${cell.scenario}/${cell.transport}${cell.host.includes(":") ? `[${cell.host}]` : ""} server=${labelOf(cell.server, cell.serverVersion)}${apiSuffix(cell.serverApi)} client=${labelOf(cell.client, cell.clientVersion)}${apiSuffix(cell.api)}`;
    const text = `${SYMBOL[cell.status]} ${label}: ${cell.reason ?? "no reason given"}`;
    lines.push(cell.status === "unsupported" ? c.dim(`  ${text}`) : c.red(`  ${text}`));
  }
  return lines.join("\n");
}

/**
 * The probe table: one row per probe, one column per runtime. Rows where runtimes differ are
 * marked "≠"; a result that differs from the expectations is marked "!" and shown in red.
 */
export function renderProbeTable(
  probes: Array<{ id: string; runtime: RuntimeName; version: string; outcome: string; verdict: string }>,
  targets: readonly TargetColumn[],
  color: boolean,
  width = TABLE_WIDTH,
): string {
  const c = paint(color);
  const { labels, labelOf } = targetColumns(targets);
  const col = (p: { runtime: string; version: string }): string => labelOf(p.runtime, p.version);
  const rts = labels.filter((rt) => probes.some((p) => col(p) === rt));
  if (!rts.length) return "";
  const ids = [...new Set(probes.map((p) => p.id))];
  const shown = (p: { outcome: string; verdict: string }): string => `${p.verdict !== "ok" ? "! " : ""}${p.outcome}`;
  const heading = (rt: string): string => {
    const v = probes.find((p) => col(p) === rt)?.version ?? "";
    return rt.endsWith(` ${v}`) ? rt : `${rt} ${v}`;
  };
  // Each column is as wide as its longest cell and a one-space gap, narrowed to fit the width.
  const natural = [
    longest(["probe", ...ids]) + 2,
    ...rts.map((rt) => longest([heading(rt), ...probes.filter((p) => col(p) === rt).map(shown)]) + 1),
  ];
  const [idW, ...colW] = fitColumns(natural, width - 4);
  const out: string[] = [];
  out.push(c.bold("behaviour probes") + c.dim("   ≠ runtimes differ, ! differs from the expectations"));
  out.push(`    ${column("probe", idW!)}${rts.map((rt, i) => column(heading(rt), colW[i]!)).join("")}`);
  for (const id of ids) {
    const row = rts.map((rt) => probes.find((p) => p.id === id && col(p) === rt));
    const differs = new Set(row.filter(Boolean).map((p) => p!.outcome)).size > 1;
    const cells = row.map((p, i) => {
      if (!p) return " ".repeat(colW[i]!);
      const off = p.verdict !== "ok";
      const text = column(shown(p), colW[i]!);
      if (off || p.outcome === "error" || p.outcome === "timeout") return c.red(text);
      if (p.outcome === "unsupported") return c.dim(text);
      return differs ? c.yellow(text) : text;
    });
    out.push(`  ${differs ? c.yellow("≠ ") : "  "}${column(id, idW!)}${cells.join("")}`);
  }
  out.push("");
  return out.join("\n");
}

/** The expectation diff: what changed, expected X, got Y, and why. */
export function renderExpectationDiff(
  cmp: {
    dir: string;
    diffs: Array<{
      kind: string;
      subject: string;
      key: string;
      runtimes: string[];
      runtimeVersions?: string[];
      expected: string;
      actual: string;
      detail?: string;
      issue?: string;
      versions: string[];
    }>;
    notes: Array<{ kind: string; message: string }>;
  },
  color: boolean,
): string {
  const c = paint(color);
  const out: string[] = [];
  if (cmp.diffs.length) {
    out.push(
      c.red(
        c.bold(
          `${cmp.diffs.length} difference${cmp.diffs.length === 1 ? "" : "s"} from the expectations in ${cmp.dir}:`,
        ),
      ),
    );
    for (const d of cmp.diffs) {
      const what =
        d.subject === "probe" ? `probe ${d.key} [${(d.runtimeVersions ?? d.runtimes).join(", ")}]` : `cell ${d.key}`;
      out.push(c.red(`  ${d.kind}: ${what}: expected ${d.expected}, got ${d.actual}`));
      if (d.detail) out.push(c.dim(`      ${d.detail.length > 240 ? `${d.detail.slice(0, 239)}…` : d.detail}`));
      if (d.issue) out.push(c.dim(`      known issue: ${d.issue}`));
      if (d.versions.length) out.push(c.dim(`      versions: ${d.versions.join("; ")}`));
    }
    out.push(
      c.dim(
        "  If the new behaviour is right, record it: netparity run --update-expectations (then review and commit the diff).",
      ),
    );
  }
  const shown = cmp.notes.slice(0, 12);
  for (const n of shown) out.push(c.dim(`  note: ${n.message}`));
  if (cmp.notes.length > shown.length)
    out.push(c.dim(`  … and ${cmp.notes.length - shown.length} more notes (see report.json)`));
  if (out.length) out.push("");
  return out.join("\n");
}
