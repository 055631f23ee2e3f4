/** What `serve` and `client` check before they start an agent. */
import type { RuntimeName, Transport } from "@netparity/protocol";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import { UsageError } from "../common/usage.js";
import { runtimeVersion } from "../runner/runtimes.js";

/** Throws a UsageError unless `scenario` runs over `transport`. */
export function requireTransport(scenario: string, transport: Transport): void {
  const sc = SCENARIOS[scenario]!;
  if (!sc.transports.includes(transport))
    throw new UsageError(`${scenario} does not run over ${transport} (it supports ${sc.transports.join(", ")})`);
}

/** Whether the runtime's binary runs; if not, says why on stderr (the command then exits 1). */
export function runtimeRuns(runtime: RuntimeName, binaries: Partial<Record<RuntimeName, string>>): boolean {
  const v = runtimeVersion(runtime, binaries);
  if (v.error) process.stderr.write(`netparity: ${v.error}\n`);
  return !v.error;
}
