import type { RuntimeName } from "@netparity/protocol";
import type { CellResult, CellStatus } from "../runner/matrix.js";

/** Colours only on a TTY and only without NO_COLOR (https://no-color.org). */
export function useColor(stream: { isTTY?: boolean } = process.stdout): boolean {
  return Boolean(stream.isTTY) && !("NO_COLOR" in process.env && process.env["NO_COLOR"] !== "") && process.env["TERM"] !== "dumb";
}

export function paint(on: boolean) {
  const wrap = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { green: wrap(32), red: wrap(31), yellow: wrap(33), dim: wrap(2), bold: wrap(1) };
}

const SYMBOL: Record<CellStatus, string> = { pass: "pass", fail: "FAIL", error: "ERROR", unsupported: "unsupported" };

/** One server × client table per scenario/transport/host group. */
export function renderTables(cells: CellResult[], runtimes: RuntimeName[], color: boolean): string {
  const c = paint(color);
  const groups = new Map<string, CellResult[]>();
  for (const cell of cells) {
    const key = `${cell.scenario}/${cell.transport}${cell.host.includes(":") ? ` [${cell.host}]` : ""}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(cell);
  }
  const out: string[] = [];
  const colW = Math.max(11, ...runtimes.map((r) => r.length + 2));
  for (const [key, group] of groups) {
    out.push(c.bold(key) + c.dim("   rows: server, columns: client"));
    out.push("  " + "server \\ client".padEnd(16) + runtimes.map((r) => r.padEnd(colW)).join(""));
    for (const server of runtimes) {
      const row = runtimes.map((client) => {
        const cell = group.find((x) => x.server === server && x.client === client);
        if (!cell) return "".padEnd(colW);
        const text = SYMBOL[cell.status].padEnd(colW);
        return cell.status === "pass" ? c.green(text) : cell.status === "unsupported" ? c.dim(text) : c.red(text);
      });
      out.push("  " + server.padEnd(16) + row.join(""));
    }
    out.push("");
  }
  return out.join("\n");
}

export function renderProblems(cells: CellResult[], color: boolean): string {
  const c = paint(color);
  const lines: string[] = [];
  for (const cell of cells) {
    if (cell.status === "pass") continue;
    const label = `${cell.scenario}/${cell.transport}${cell.host.includes(":") ? `[${cell.host}]` : ""} server=${cell.server} client=${cell.client}`;
    const text = `${SYMBOL[cell.status]} ${label}: ${cell.reason ?? "no reason given"}`;
    lines.push(cell.status === "unsupported" ? c.dim("  " + text) : c.red("  " + text));
  }
  return lines.join("\n");
}

function fit(s: string, w: number): string {
  if (w <= 1) return "";
  const chars = [...s];
  return chars.length <= w ? s + " ".repeat(w - chars.length) : chars.slice(0, w - 1).join("") + "…";
}

/**
 * The probe table: one row per probe, one column per runtime. Rows where runtimes differ are
 * marked "≠"; a result that differs from the expectations is marked "!" and shown in red.
 */
export function renderProbeTable(
  probes: Array<{ id: string; runtime: RuntimeName; version: string; outcome: string; verdict: string }>,
  runtimes: RuntimeName[],
  color: boolean,
  width = 120,
): string {
  const c = paint(color);
  const rts = runtimes.filter((rt) => probes.some((p) => p.runtime === rt));
  if (!rts.length) return "";
  const ids = [...new Set(probes.map((p) => p.id))];
  const idW = Math.min(30, Math.max(...ids.map((id) => id.length))) + 2;
  const colW = Math.max(16, Math.floor((width - idW - 4) / rts.length));
  const out: string[] = [];
  out.push(c.bold("behaviour probes") + c.dim("   ≠ runtimes differ, ! differs from the expectations"));
  out.push("    " + fit("probe", idW) + rts.map((rt) => fit(`${rt} ${probes.find((p) => p.runtime === rt)?.version ?? ""}`, colW)).join(""));
  for (const id of ids) {
    const row = rts.map((rt) => probes.find((p) => p.id === id && p.runtime === rt));
    const differs = new Set(row.filter(Boolean).map((p) => p!.outcome)).size > 1;
    const cells = row.map((p) => {
      if (!p) return " ".repeat(colW);
      const off = p.verdict !== "ok";
      const text = fit(`${off ? "! " : ""}${p.outcome}`, colW - 1) + " ";
      if (off || p.outcome === "error" || p.outcome === "timeout") return c.red(text);
      if (p.outcome === "unsupported") return c.dim(text);
      return differs ? c.yellow(text) : text;
    });
    out.push("  " + (differs ? c.yellow("≠ ") : "  ") + fit(id, idW) + cells.join(""));
  }
  out.push("");
  return out.join("\n");
}

/** The expectation diff: what changed, expected X, got Y, and why. */
export function renderExpectationDiff(
  cmp: { dir: string; diffs: Array<{ kind: string; subject: string; key: string; runtimes: string[]; expected: string; actual: string; detail?: string; issue?: string; versions: string[] }>; notes: Array<{ kind: string; message: string }> },
  color: boolean,
): string {
  const c = paint(color);
  const out: string[] = [];
  if (cmp.diffs.length) {
    out.push(c.red(c.bold(`${cmp.diffs.length} difference${cmp.diffs.length === 1 ? "" : "s"} from the expectations in ${cmp.dir}:`)));
    for (const d of cmp.diffs) {
      const what = d.subject === "probe" ? `probe ${d.key} [${d.runtimes.join(", ")}]` : `cell ${d.key}`;
      out.push(c.red(`  ${d.kind}: ${what}: expected ${d.expected}, got ${d.actual}`));
      if (d.detail) out.push(c.dim(`      ${d.detail.length > 240 ? d.detail.slice(0, 239) + "…" : d.detail}`));
      if (d.issue) out.push(c.dim(`      known issue: ${d.issue}`));
      if (d.versions.length) out.push(c.dim(`      versions: ${d.versions.join("; ")}`));
    }
    out.push(c.dim("  If the new behaviour is right, record it: netparity run --update-expectations (then review and commit the diff)."));
  }
  const shown = cmp.notes.slice(0, 12);
  for (const n of shown) out.push(c.dim(`  note: ${n.message}`));
  if (cmp.notes.length > shown.length) out.push(c.dim(`  … and ${cmp.notes.length - shown.length} more notes (see report.json)`));
  if (out.length) out.push("");
  return out.join("\n");
}
