/**
 * A run's verdicts, in one place: every result judged (judge.ts), the comparison with the
 * expectation files (compare.ts) and whether the run as a whole is ok. cli/run.ts calls this
 * once; report/ and the terminal only render what it returns.
 */
import type { RuntimeName } from "@netparity/protocol";
import { multiVersionNames } from "../common/targets.js";
import type { ReliabilityResult } from "../reliability/types.js";
import type { ControlRun } from "../runner/controls.js";
import { judgeControls, type JudgedControl } from "./controls.js";
import { compare, reliabilityDiffs, reliabilityNotes, type Comparison } from "./compare.js";
import type { CompareInput, Expectations } from "./expectations-file.js";
import {
  judgeReliability,
  judgedCell,
  judgedProbes,
  type JudgedCell,
  type JudgedProbe,
  type JudgedReliability,
} from "./judge.js";

export interface JudgeInput extends Omit<CompareInput, "dir" | "expectations"> {
  /** Where the expectation files are; null: not compared. */
  dir: string | null;
  expectations: Expectations | null;
  /** Present when the run had the reliability section. */
  reliability?: ReliabilityResult[];
  /** Present when the run had negative controls. */
  controls?: readonly ControlRun[];
}

export interface RunVerdicts {
  cells: JudgedCell[];
  probes: JudgedProbe[];
  /** Runtimes whose probe agent failed as a whole. */
  probeErrors: Array<{ runtime: RuntimeName; error: string }>;
  reliability?: JudgedReliability[];
  /** The negative controls, when the run had them. */
  controls?: JudgedControl[];
  comparison: Comparison | null;
  /** Everything matched the expectations (or, without them, nothing failed), and every control was detected. */
  ok: boolean;
}

export function judgeRun(i: JudgeInput): RunVerdicts {
  const exp = i.expectations;
  // Runtimes with several versions in the run: their ends are keyed name@version in reports.
  const multi = multiVersionNames(i.runtimes);
  const cells = i.cells.map((c) => judgedCell(c, exp, multi));
  const probes = i.probes.flatMap((rp) => judgedProbes(rp, exp));
  const probeErrors = i.probes.filter((p) => p.error).map((p) => ({ runtime: p.runtime, error: p.error! }));
  const reliability = i.reliability ? judgeReliability(i.reliability, exp) : undefined;
  let comparison: Comparison | null = null;
  if (i.dir !== null && exp) {
    comparison = compare({
      dir: i.dir,
      expectations: exp,
      selection: i.selection,
      runtimes: i.runtimes,
      cells: i.cells,
      probes: i.probes,
    });
    comparison.diffs.push(...reliabilityDiffs(reliability ?? [], multi));
    comparison.notes.push(...reliabilityNotes(i.reliability ?? [], exp));
    comparison.ok = comparison.diffs.length === 0;
  }
  // A control not detected fails the run whatever the expectations say: it is a check that cannot fail.
  const controls = i.controls ? judgeControls(i.controls) : undefined;
  const ok =
    (comparison
      ? comparison.ok
      : cells.every((c) => c.verdict === "ok") &&
        probes.every((p) => p.verdict === "ok") &&
        probeErrors.length === 0 &&
        (reliability ?? []).every((r) => r.verdict === "ok")) &&
    (controls?.ok ?? true);
  return {
    cells,
    probes,
    probeErrors,
    ...(reliability ? { reliability } : {}),
    ...(controls ? { controls: controls.controls } : {}),
    comparison,
    ok,
  };
}
