import type { RuntimeName } from "@netparity/protocol";
import type { AgentEvent, AgentSpec } from "../../in-runtime/agent-protocol.js";
import { spawnHarness, type Harness, type HarnessOptions } from "../process/harness.js";
import { runtimeOf } from "../common/runtime-descriptors.js";
import { agentCommand, driverBundle, DRIVERS, runtimeBinary, runtimeVersion } from "./runtimes.js";

export interface AgentProcess extends Harness<AgentEvent> {
  readonly runtime: RuntimeName;
}

/**
 * Starts the agent of `runtime` for one role. `stop()` sends SIGTERM and SIGKILL 3 s later:
 * a server's clean stop is part of what is checked. `options` adds wrappers, environment,
 * or other stop defaults.
 */
export function startAgent(
  runtime: RuntimeName,
  spec: AgentSpec,
  binaries: Partial<Record<RuntimeName, string>> = {},
  options: HarnessOptions = {},
): AgentProcess {
  const driver = runtimeOf(runtime).driver;
  if (driver) {
    const v = runtimeVersion(runtime, binaries);
    const h = DRIVERS[driver].start(
      spec,
      runtimeBinary(runtime, binaries),
      v.version ?? "unknown",
      driverBundle(runtime),
      {
        ...options,
        stop: { signal: "SIGTERM", graceMs: 3000, ...options.stop },
      },
    );
    return Object.assign(h, { runtime });
  }
  const { cmd, args } = agentCommand(runtime, spec, binaries);
  const h = spawnHarness<AgentEvent>(cmd, args, {
    name: `${runtime} agent`,
    ...options,
    stop: { signal: "SIGTERM", graceMs: 3000, ...options.stop },
  });
  return Object.assign(h, { runtime });
}
