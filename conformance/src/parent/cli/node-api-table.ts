import { NODE_API_FAMILY, NODE_API_HEADING, type NodeApiComparison } from "../report/node-api.js";
import { column, fitColumns, TABLE_WIDTH } from "./table.js";

/** `text` in lines of at most `width` columns, indented by two, broken at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (let rest = text; rest; ) {
    const cut = rest.length <= width - 2 ? rest.length : rest.lastIndexOf(" ", width - 2);
    const at = cut > 0 ? cut : Math.min(rest.length, width - 2);
    lines.push(`  ${rest.slice(0, at)}`);
    rest = rest.slice(at).trimStart();
  }
  return lines;
}

/**
 * The terminal's "Node API on Bun and Deno": the summary line, then (when some differ) one row
 * per differing `nodeapi.*` probe with Node's outcome and each runtime version's ("same" where
 * it has Node's). The run prints it first.
 */
export function renderNodeApiTable(
  c: NodeApiComparison,
  paint: { yellow(s: string): string; dim(s: string): string; bold(s: string): string },
  width = TABLE_WIDTH,
): string {
  const out = [paint.bold(NODE_API_HEADING), ...wrap(c.summary.replace(/`/g, ""), width).map(paint.dim)];
  if (c.state !== "differ" || !c.reference) return `${out.join("\n")}\n`;
  const short = (id: string): string => id.slice(NODE_API_FAMILY.length);
  const heads = [NODE_API_FAMILY, c.reference.label, ...c.targets.map((t) => t.label)];
  const text = c.rows.map((row) => [
    short(row.id),
    row.reference.outcome,
    ...c.targets.map((t) => {
      const p = row.byTarget.get(t.key);
      return p ? (row.differsOn.includes(t.key) ? p.outcome : "same") : "";
    }),
  ]);
  const natural = heads.map((h, i) => Math.max(h.length, ...text.map((r) => [...r[i]!].length)) + 1);
  const w = fitColumns(natural, width - 2);
  out.push(`  ${heads.map((h, i) => column(h, w[i]!)).join("")}`);
  c.rows.forEach((row, n) => {
    const cells = text[n]!.map((v, i) => {
      const s = column(v, w[i]!);
      if (i < 2) return s;
      return row.differsOn.includes(c.targets[i - 2]!.key) ? paint.yellow(s) : paint.dim(s);
    });
    out.push(`  ${cells.join("")}`);
  });
  if (c.agreeing.length)
    out.push(...wrap(`same as Node everywhere: ${c.agreeing.map(short).join(", ")}`, width).map(paint.dim));
  return `${out.join("\n")}\n`;
}
