import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderHtml } from "./html.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import type { Report } from "./model.js";

export const REPORT_FILES = ["report.json", "report.md", "junit.xml", "report.html"] as const;

/** Writes report.json, report.md, junit.xml and report.html into `dir`; returns their paths. */
export function writeReportFiles(dir: string, report: Report): string[] {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, string]> = [
    ["report.json", `${JSON.stringify(report, null, 2)}\n`],
    ["report.md", renderMarkdown(report)],
    ["junit.xml", renderJunit(report)],
    ["report.html", renderHtml(report)],
  ];
  return files.map(([name, text]) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  });
}

export { renderHtml, renderJunit, renderMarkdown };
export type { Report } from "./model.js";
