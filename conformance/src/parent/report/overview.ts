/**
 * What a report leads with, shared by report.md and report.html: the verdict in one line,
 * and the text of the "what differs" headings. The renderers put these first and the
 * details (every matrix, every probe, the charts) after them.
 */
import { faultsNote } from "./faults.js";
import type { Report } from "./model.js";

export interface Verdict {
  ok: boolean;
  /** e.g. "3 differences from the expectations", "everything matches the expectations". */
  headline: string;
  /** e.g. "27 cells: 20 pass, 2 fail, 5 unsupported · 18 probe results, 3 differ · 12.3 s". */
  counts: string;
}

export function verdictOf(r: Report): Verdict {
  const s = r.summary;
  const e = r.expectations;
  const n = e?.diffs.length ?? 0;
  const headline = e
    ? e.ok
      ? "everything matches the expectations"
      : `${n} difference${n === 1 ? "" : "s"} from the expectations`
    : s.ok
      ? "no failures (expectations not compared)"
      : "failures (expectations not compared)";
  // An undetected negative control fails the run whatever the expectations say.
  const missed = s.controls?.undetected ?? 0;
  const controls = missed ? `; ${missed} negative control${missed === 1 ? "" : "s"} not detected` : "";
  const runs = r.runs?.length ? `${r.runs.length} runs · ` : "";
  const counts = `${runs}${s.cells.total} cells: ${s.cells.pass} pass, ${s.cells.fail + s.cells.error} fail, ${s.cells.unsupported} unsupported · ${s.probes.total} probe results, ${s.probes.differing} probe${s.probes.differing === 1 ? " differs" : "s differ"} · ${(s.durationMs / 1000).toFixed(1)} s`;
  // Differences caused by injected faults are not regressions: the headline says which faults.
  return { ok: (e ? e.ok : s.ok) && missed === 0, headline: headline + controls + faultsNote(r), counts };
}

/** "runtimes" or "runtimes or versions", as the probe-difference heading says it. */
export function differHeading(r: Report, changed: boolean): string {
  const multi = Boolean(r.runs && r.runs.length > 1);
  return changed
    ? `Probes whose outcome changed between versions${multi ? " or runs" : ""} of a runtime, then where runtimes differ`
    : "Probes where runtimes differ";
}
