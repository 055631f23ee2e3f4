/**
 * Which faults a report's clients went through, read from the command line it records
 * (`--faults`), so every format can say so in its headline: a cell that failed behind
 * `reset=100000` is the fault doing its work, not a regression. Older reports carry the
 * same command, so they are read the same way.
 */
import { FaultSyntaxError, formatFaults, parseFaults } from "../faults/index.js";
import type { Report } from "./model.js";

/** The --faults of a command line in the --faults syntax (with its seed), or undefined. */
export function faultsOfCommand(command: readonly string[]): string | undefined {
  for (let i = 0; i < command.length; i++) {
    const a = command[i]!;
    const text =
      a === "--faults" ? command[i + 1] : a.startsWith("--faults=") ? a.slice("--faults=".length) : undefined;
    if (text === undefined) continue;
    try {
      return formatFaults(parseFaults(text));
    } catch (e) {
      if (e instanceof FaultSyntaxError) return text;
      throw e;
    }
  }
  return undefined;
}

/**
 * The faults of a report: of its own command, or in a merged report of each run that had any
 * ("run a: reset=100,seed=1; run b: drop=0.2,seed=1"). Undefined when no client went through one.
 */
export function reportFaults(r: Report): string | undefined {
  if (r.runs?.length) {
    const each = r.runs.flatMap((run) => {
      const f = faultsOfCommand(run.command);
      return f ? [`run ${run.id}: ${f}`] : [];
    });
    return each.length ? each.join("; ") : undefined;
  }
  return faultsOfCommand(r.command);
}

/** " (clients through faults …)" for a headline, or "" without faults. */
export function faultsNote(r: Report): string {
  const f = reportFaults(r);
  return f ? ` (clients through faults ${f})` : "";
}
