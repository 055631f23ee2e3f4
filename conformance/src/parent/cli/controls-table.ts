import type { ReportControl } from "../report/controls.js";
import { controlLimits, controlRuntimeLabel, controlsSummary } from "../report/controls.js";
import { TABLE_WIDTH, clip } from "./table.js";

/** The terminal lines of the negative controls: one per control, then the foreign-server limits. */
export function renderControlsTable(
  rows: readonly ReportControl[],
  paint: { green(s: string): string; red(s: string): string; dim(s: string): string; bold(s: string): string },
  width = TABLE_WIDTH,
): string {
  if (!rows.length) return "";
  const s = controlsSummary(rows);
  const out = [
    paint.bold("negative controls") +
      paint.dim(clip(`   ${s.detected} of ${s.total} wrong servers detected by the client`, width - 17)),
  ];
  const who = controlRuntimeLabel(rows);
  const w = Math.max(...rows.map((c) => `${c.scenario}/${c.transport} ${who(c)}`.length)) + 2;
  for (const c of rows) {
    const where = `${c.scenario}/${c.transport} ${who(c)}`.padEnd(w);
    const mark = c.detected
      ? paint.green("detected")
      : c.outcome === "unsupported"
        ? paint.dim("unsupported")
        : paint.red(c.outcome.toUpperCase());
    const why = c.detected ? `${c.check?.name ?? ""}` : (c.reason ?? "");
    out.push(`  ${where}${mark}  ${clip(`${c.mutation} → ${why}`, Math.max(20, width - w - 16))}`);
  }
  for (const l of controlLimits(rows))
    out.push(paint.dim(clip(`  undetectable with a foreign server (${l.scenario}): ${l.limit}`, width)));
  return `${out.join("\n")}\n`;
}
