import type { RuntimeName, Transport } from "@netparity/protocol";
import { startAgent } from "../runner/agent-process.js";
import { requireTransport, runtimeRuns } from "./preflight.js";
import { UsageError } from "../common/usage.js";

export interface ServeOptions {
  runtime: RuntimeName;
  transport: Transport;
  host: string;
  port: number;
  path?: string;
  extra: Record<string, string | number | boolean>;
  binaries: Partial<Record<RuntimeName, string>>;
}

/**
 * Runs a scenario's server inside the chosen runtime and relays its JSON lines. SIGINT or
 * SIGTERM stops the server cleanly (exit 0); a server that cannot start exits 1 with one line.
 */
export async function serve(scenario: string, o: ServeOptions): Promise<number> {
  requireTransport(scenario, o.transport);
  if (o.transport === "unix" && !o.path) throw new UsageError("--transport unix needs --path");
  if (!runtimeRuns(o.runtime, o.binaries)) return 1;
  const agent = startAgent(
    o.runtime,
    {
      role: "server",
      scenario,
      transport: o.transport,
      host: o.host,
      port: o.port,
      ...(o.path ? { path: o.path } : {}),
      extra: o.extra,
    },
    o.binaries,
    { onStderr: (s) => process.stderr.write(s) },
  );
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void agent.stop({ graceMs: 5000 });
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    const ready = await agent.next(30_000);
    if (!ready) {
      process.stderr.write(`netparity: ${o.runtime} server exited before listening\n`);
      return 1;
    }
    if (ready.event === "error") {
      process.stderr.write(`netparity: ${ready.code}: ${ready.message}\n`);
      return ready.code === "USAGE" ? 2 : 1;
    }
    process.stdout.write(`${JSON.stringify(ready)}\n`);
    for (;;) {
      const e = await agent.next(2 ** 31 - 1);
      if (!e) break;
      if (e.event !== "stopped") process.stdout.write(`${JSON.stringify(e)}\n`);
    }
    const code = await agent.exited;
    return stopping ? 0 : typeof code === "number" ? code : 1;
  } finally {
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    await agent.stop();
  }
}
