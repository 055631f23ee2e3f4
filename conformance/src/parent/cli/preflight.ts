/** What `serve` and `client` check before they start an agent. */
import type { RuntimeName, Transport } from "@netparity/protocol";
import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import { apiOf, type ApiName, type End } from "../../in-runtime/common/apis.js";
import { endApi } from "../common/targets.js";
import { runtimeOf } from "../common/runtime-descriptors.js";
import { UsageError } from "../common/usage.js";
import { runtimeVersion } from "../runner/runtimes.js";

/** Throws a UsageError unless `scenario` runs over `transport`. */
export function requireTransport(scenario: string, transport: Transport): void {
  const sc = SCENARIOS[scenario]!;
  if (!sc.transports.includes(transport))
    throw new UsageError(`${scenario} does not run over ${transport} (it supports ${sc.transports.join(", ")})`);
}

/**
 * The API an end of `runtime` takes for `--api` (Node's `node` is its native API); a usage
 * error when the runtime does not offer it on that end over that transport.
 */
export function requireApi(runtime: RuntimeName, api: ApiName, end: End, transport: Transport): ApiName {
  const a = endApi(runtime, api, end, transport);
  if (a === undefined) {
    const own = apiOf(api);
    if (own.transports && !own.transports.includes(transport))
      throw new UsageError(
        `--api ${api}: the ${api} API runs over ${own.transports.join(" and ")} only, not ${transport}`,
      );
    const offered = Object.entries(runtimeOf(runtime).apis)
      .filter(([, ends]) => ends?.includes(end))
      .map(([n]) => n);
    throw new UsageError(
      `--api ${api}: ${runtime} offers no ${end} on the ${api} API over ${transport} (its ${end} APIs: ${offered.join(", ")}; see --help)`,
    );
  }
  return a;
}

/** Whether the runtime's binary runs; if not, says why on stderr (the command then exits 1). */
export function runtimeRuns(runtime: RuntimeName, binaries: Partial<Record<RuntimeName, string>>): boolean {
  const v = runtimeVersion(runtime, binaries);
  if (v.error) process.stderr.write(`netparity: ${v.error}\n`);
  return !v.error;
}
