/**
 * The WinterTC Sockets spec suite as a Markdown table: one row per check (named by the draft's
 * section), one column per implementation; normative checks pass (yes), fail (NO) or skip
 * (skip: why); probes show what the implementation did. Below it, each implementation's
 * deviations from the draft: its failed normative checks with their evidence.
 */
import type { SocketsSpecEvent } from "../runner/sockets-spec.js";

function columnName(e: SocketsSpecEvent): string {
  return `${e.implementation} on ${e.runtime} ${e.version}`;
}

function cell(status: string, detail: string | undefined): string {
  const text =
    status === "pass" ? "yes" : status === "fail" ? "NO" : status === "skip" ? `skip: ${detail ?? ""}` : (detail ?? "");
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Normative checks passed out of those run (skips left out), per implementation. */
export function socketsSpecScore(e: SocketsSpecEvent): { passed: number; run: number; skipped: number } {
  const normative = e.results.filter((r) => r.kind === "normative");
  const run = normative.filter((r) => r.status !== "skip");
  return {
    passed: run.filter((r) => r.status === "pass").length,
    run: run.length,
    skipped: normative.length - run.length,
  };
}

export function socketsSpecMarkdown(events: readonly SocketsSpecEvent[]): string {
  const lines: string[] = [];
  lines.push(`| section | check | ${events.map(columnName).join(" | ")} |`);
  lines.push(`| --- | --- | ${events.map(() => "---").join(" | ")} |`);
  const keys: Array<{ section: string; name: string }> = [];
  for (const e of events)
    for (const r of e.results)
      if (!keys.some((k) => k.section === r.section && k.name === r.name))
        keys.push({ section: r.section, name: r.name });
  for (const k of keys) {
    const cells = events.map((e) => {
      const r = e.results.find((x) => x.section === k.section && x.name === k.name);
      return r ? cell(r.status, r.detail) : "";
    });
    lines.push(`| ${k.section} | ${k.name.replace(/\|/g, "\\|")} | ${cells.join(" | ")} |`);
  }
  lines.push(
    `| **normative checks passed** | | ${events
      .map((e) => {
        const s = socketsSpecScore(e);
        return `**${s.passed}/${s.run}**${s.skipped ? ` (${s.skipped} skipped)` : ""}`;
      })
      .join(" | ")} |`,
  );
  lines.push("", "Deviations from the draft (failed normative checks):", "");
  for (const e of events) {
    const failed = e.results.filter((r) => r.kind === "normative" && r.status === "fail");
    lines.push(`- ${columnName(e)}: ${failed.length === 0 ? "none" : ""}`);
    for (const r of failed) lines.push(`  - ${r.section}: ${r.name}: ${r.detail ?? ""}`);
  }
  return `${lines.join("\n")}\n`;
}
