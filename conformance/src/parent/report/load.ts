/** Reads a report.json back (for diff and merge): a file, or a report directory holding one. */
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { REPORT_SCHEMA, type Report } from "./model.js";

/** The path does not lead to a netparity report; the message names it and says why. */
export class ReportReadError extends Error {
  override readonly name = "ReportReadError";
}

/** `path` is a report.json or a directory with one; returns the report and the file read. */
export function loadReport(path: string): { report: Report; file: string } {
  let file = path;
  try {
    if (statSync(path).isDirectory()) file = join(path, "report.json");
  } catch (e) {
    throw new ReportReadError(
      `${path}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : (e as Error).message}`,
    );
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ReportReadError(
      `${file}: ${code === "ENOENT" ? "no report.json in this directory" : (e as Error).message}`,
    );
  }
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new ReportReadError(`${file}: not JSON (${(e as Error).message})`);
  }
  const o = j as Partial<Report> | null;
  if (!o || typeof o !== "object" || Array.isArray(o))
    throw new ReportReadError(`${file}: not a netparity report (not a JSON object)`);
  if (o.schema !== REPORT_SCHEMA)
    throw new ReportReadError(
      `${file}: not a netparity report (schema ${JSON.stringify(o.schema ?? null)}, expected "${REPORT_SCHEMA}")`,
    );
  for (const k of ["cells", "probes", "runtimes"] as const)
    if (!Array.isArray(o[k])) throw new ReportReadError(`${file}: not a netparity report ("${k}" is not a list)`);
  if (!o.machine || typeof o.machine !== "object")
    throw new ReportReadError(`${file}: not a netparity report (no "machine")`);
  return { report: o as Report, file };
}
