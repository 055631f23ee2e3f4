/**
 * The bench's option parsers (--workloads, --target, --rounds), apart from the bench itself so
 * that the command line parses every command's options without loading the bench's code.
 */
import { UsageError } from "../common/usage.js";
import type { WorkloadName } from "./types.js";
import { isWorkloadName, workloadNames } from "./workloads/index.js";

/** --workloads: comma-separated names, or "all" (every workload, the opt-in ones included). */
export function parseWorkloads(value: string): WorkloadName[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const names = workloadNames();
  if (list.length === 1 && list[0] === "all") return names;
  for (const w of list) {
    if (!isWorkloadName(w)) throw new UsageError(`unknown workload "${w}" (expected ${names.join(", ")} or all)`);
  }
  if (!list.length) throw new UsageError(`--workloads needs at least one of ${names.join(", ")}`);
  return [...new Set(list)];
}

/** --target HOST:PORT (an IPv6 literal in brackets: [::1]:9000). */
export function parseTarget(value: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 1 || port > 65533)
    throw new UsageError(`invalid target "${value}" (expected HOST:PORT, the base port of \`netparity serve bench\`)`);
  return { host: (m[1] ?? m[2])!, port };
}

/** --rounds: a positive number of rounds, or "auto". */
export function parseRounds(value: string): number | "auto" {
  if (value === "auto") return "auto";
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`invalid rounds "${value}" (expected a positive integer or "auto")`);
  return Number(value);
}
