/**
 * The verdict of a negative control: the client must fail, and one of its failed checks must
 * name the problem (the control's expected check, and detail where it gives one). A client
 * that passes, fails for another reason, or could not run did not detect the wrong server.
 */
import type { RuntimeName, Transport } from "@netparity/protocol";
import type { Check } from "../../in-runtime/scenarios/types.js";
import type { ControlRun } from "../runner/controls.js";

export type ControlOutcome = "detected" | "undetected" | "error" | "unsupported";

/** One row of report.json's `controls` section. */
export interface JudgedControl {
  scenario: string;
  transport: Transport;
  /** The runtime of the client (its server ran in the same runtime). */
  runtime: RuntimeName;
  version: string;
  /** "mutation <id>" or "faults <spec>", plus the client mode when not the matrix's. */
  mutation: string;
  description: string;
  detected: boolean;
  outcome: ControlOutcome;
  /** The failed check that names the problem; when undetected, the client's verdict instead. */
  check?: Check;
  /** What the control looked for: the check's name pattern (and detail pattern). */
  expected: string;
  /** Why it was not detected (the client passed, failed otherwise, or could not run). */
  reason?: string;
  /** What a client cannot detect with a foreign server, where that applies. */
  limit?: string;
  durationMs: number;
}

export function judgeControl(r: ControlRun): JudgedControl {
  const { check, detail } = r.def.expect;
  const expected = `a failed check named ${String(check)}${detail ? ` with detail ${String(detail)}` : ""}`;
  const base = {
    scenario: r.scenario,
    transport: r.transport,
    runtime: r.runtime,
    version: r.version,
    mutation: r.mutation,
    description: r.description,
    expected,
    ...(r.def.limit ? { limit: r.def.limit } : {}),
    durationMs: Math.round(r.cell.durationMs),
  };
  const c = r.cell;
  if (c.status === "unsupported")
    return { ...base, detected: false, outcome: "unsupported", reason: c.reason ?? "unsupported" };
  if (c.status === "error")
    return { ...base, detected: false, outcome: "error", reason: c.reason ?? "the control did not run" };
  const failed = c.checks.filter((x) => !x.ok);
  const naming = failed.find((x) => check.test(x.name) && (!detail || detail.test(x.detail ?? "")));
  if (c.status === "fail" && naming) return { ...base, detected: true, outcome: "detected", check: naming };
  const reason =
    c.status === "pass"
      ? "the client passed against the wrong server"
      : `the client failed, but no failed check names the problem: ${c.reason ?? failed.map((x) => x.name).join("; ")}`;
  return { ...base, detected: false, outcome: "undetected", ...(failed[0] ? { check: failed[0] } : {}), reason };
}

/** Every control judged; `ok` when none was left undetected or failed to run (unsupported ones are fine). */
export function judgeControls(runs: readonly ControlRun[]): { controls: JudgedControl[]; ok: boolean } {
  const controls = runs.map(judgeControl);
  return { controls, ok: controls.every((c) => c.detected || c.outcome === "unsupported") };
}
