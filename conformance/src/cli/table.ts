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
