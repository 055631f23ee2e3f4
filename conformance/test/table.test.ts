/**
 * Terminal tables fit TABLE_WIDTH (120) columns: long cells are cut with "…", counted in code
 * points once colour codes are stripped. The report files keep every cell whole (tested in
 * report-writers.test.ts); this is only the terminal.
 */
import { describe, expect, it } from "vitest";
import {
  TABLE_WIDTH,
  clip,
  column,
  fit,
  fitColumns,
  renderProbeTable,
  renderTables,
  tableWidth,
} from "../src/parent/cli/table.js";
import { renderReliabilityTable } from "../src/parent/cli/reliability-table.js";
import { paint } from "../src/parent/cli/table.js";
import type { ReportReliability } from "../src/parent/report/model.js";
import { RTS, sampleReport } from "./report-fixture.js";

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts the colour codes this strips.
const ANSI = /\x1b\[[0-9;]*m/g;

/** The visible lines of `text`: colour codes removed. */
function visibleLines(text: string): string[] {
  return text.replace(ANSI, "").split("\n");
}

/** Width in code points (a character outside the BMP is one, not two UTF-16 units). */
const columns = (line: string): number => [...line].length;

/** An outcome as long as a probe's evidence printed whole, with characters outside ASCII. */
const LONG = `cause ${JSON.stringify({ code: "ERR_SOCKET_DGRAM_NOT_RUNNING", message: "Not running — the socket was closed before send() ≠ bind()", errno: -9, syscall: "send", note: "✓ 😀" })}`;

/** The fixture's probes, with LONG as one runtime's outcome of one probe, or of every probe on every runtime. */
function probesWithLong(everywhere = false) {
  const probes = sampleReport(false).probes;
  return probes.map((p) =>
    everywhere || (p.id === "tcp.half-close" && p.runtime === "bun") ? { ...p, outcome: `${LONG} (${p.runtime})` } : p,
  );
}

describe("clip, fit, column and fitColumns", () => {
  it("clip keeps what fits and ends what it cuts with …, counting code points", () => {
    expect(clip("abc", 3)).toBe("abc");
    expect(clip("abcd", 3)).toBe("ab…");
    expect(clip("≠✓é😀x", 4)).toBe("≠✓é…");
    expect(clip("😀😀😀", 2)).toBe("😀…");
    expect(clip("abc", 0)).toBe("");
  });

  it("fit pads or cuts to exactly the width", () => {
    expect(fit("ab", 4)).toBe("ab  ");
    expect(fit("abcdef", 4)).toBe("abc…");
    expect(columns(fit("😀😀😀😀", 3))).toBe(3);
  });

  it("column keeps one space after its text, cut or not", () => {
    expect(column("ab", 4)).toBe("ab  ");
    expect(column("abcdef", 4)).toBe("ab… ");
  });

  it("fitColumns keeps natural widths that fit and narrows the widest to one cap otherwise", () => {
    expect(fitColumns([10, 20, 30], 60)).toEqual([10, 20, 30]);
    const w = fitColumns([32, 150, 20, 150], 116);
    expect(w.reduce((a, b) => a + b, 0)).toBe(116);
    expect(w[0]).toBe(32);
    expect(w[2]).toBe(20);
    expect(Math.abs(w[1]! - w[3]!)).toBeLessThanOrEqual(1);
    // Never below the minimum, even when the row cannot fit.
    expect(fitColumns([100, 100], 10, 8)).toEqual([8, 8]);
  });

  it("tableWidth is the terminal's width, at most TABLE_WIDTH", () => {
    expect(TABLE_WIDTH).toBe(120);
    expect(tableWidth({ columns: 200 })).toBe(120);
    expect(tableWidth({ columns: 80 })).toBe(80);
    expect(tableWidth({})).toBe(120);
  });
});

describe("terminal tables from the report fixture", () => {
  for (const color of [false, true]) {
    it(`the probe table with a cell longer than the table fits ${TABLE_WIDTH} columns${color ? " (coloured)" : ""}, the long cell cut with …`, () => {
      const text = renderProbeTable(probesWithLong(), RTS, color);
      const lines = visibleLines(text);
      expect(lines.length).toBeGreaterThan(3);
      for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(TABLE_WIDTH);

      // bun's column runs from its heading to deno's, in code points.
      const header = lines.find((l) => l.trimStart().startsWith("probe "))!;
      const at = (s: string): number => columns(header.slice(0, header.indexOf(s)));
      const row = lines.find((l) => l.includes("tcp.half-close"));
      expect(row).toBeDefined();
      const cell = [...row!].slice(at("bun "), at("deno ")).join("").trimEnd();
      expect(cell.endsWith("…"), cell).toBe(true);
      expect(LONG.startsWith(cell.slice(0, -1).replace(/^! /, "")), cell).toBe(true);
      // The other runtimes' cells in that row are still shown whole.
      expect(row).toContain("server writes after FIN");
    });
  }

  it("a long outcome on every runtime: every column is cut and the table still fits", () => {
    const lines = visibleLines(renderProbeTable(probesWithLong(true), RTS, true));
    for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(TABLE_WIDTH);
    const rows = lines.filter((l) => l.includes(LONG.slice(0, 12)));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) expect(row.match(/…/g)).toHaveLength(RTS.length);
  });

  it("a narrower terminal narrows the probe table to its width", () => {
    const lines = visibleLines(renderProbeTable(probesWithLong(), RTS, false, 80));
    for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(80);
    // Narrowed columns still keep a space between them: the column before each runtime's ends in one.
    const header = lines.find((l) => l.trimStart().startsWith("probe "))!;
    const starts = RTS.map((rt) => columns(header.slice(0, header.indexOf(`${rt} `))));
    const rows = lines.filter((l) => /^ {2}(≠| ) \S/.test(l) && l !== header);
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) for (const at of starts) expect([...row][at - 1], row).toBe(" ");
  });

  it("short outcomes are not cut", () => {
    const text = renderProbeTable(sampleReport(false).probes, RTS, false);
    expect(text).not.toContain("…");
    expect(text).toContain("nagle off (noDelay true)");
  });

  it(`the server × client tables fit ${TABLE_WIDTH} columns`, () => {
    const lines = visibleLines(renderTables(sampleReport(false).cells, RTS, true));
    expect(lines.filter((l) => l.includes("server \\ client")).length).toBeGreaterThan(0);
    for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(TABLE_WIDTH);
    // The longest status word, unsupported, still has a space after it.
    expect(lines.join("\n")).toContain("unsupported unsupported unsupported");
  });
});

describe("the reliability table", () => {
  /** One result per runtime and case; bun fails the second case with a detail longer than the table. */
  function rows(): ReportReliability[] {
    const cases = ["frame.too-large", "lifecycle.killed-peer-under-backpressure-with-a-long-name"];
    return cases.flatMap((id, i) =>
      RTS.map((runtime): ReportReliability => {
        const failing = i === 1 && runtime === "bun";
        return {
          id,
          title: id,
          runtime,
          version: "1.0.0",
          status: failing ? "fail" : "pass",
          detail: failing ? LONG.repeat(2) : "ok",
          checks: [],
          metrics: {},
          durationMs: 1234,
          verdict: failing ? "unexpected-failure" : "ok",
        };
      }),
    );
  }

  for (const width of [TABLE_WIDTH, 80]) {
    it(`fits ${width} columns, a long detail line cut with …`, () => {
      const lines = visibleLines(renderReliabilityTable(rows(), RTS, paint(true), width));
      expect(lines.length).toBeGreaterThan(4);
      for (const line of lines) expect(columns(line), line).toBeLessThanOrEqual(width);
      const detail = lines.find((l) => l.includes("on bun:"));
      expect(detail?.endsWith("…"), detail).toBe(true);
      expect(lines.some((l) => l.includes("frame.too-large") && l.includes("pass 1.2s"))).toBe(true);
    });
  }
});
