/**
 * A workerd agent: workerd started with a generated config (config.ts), asked over HTTP on the
 * loopback port it reports, stopped like any agent. It looks to the runner like the other
 * runtimes' agents (a Harness of AgentEvents), so cells, probes and the CLI need no other path.
 *
 * No workerd outlives the parent: workerd does not watch a parent pipe, so on Linux it runs
 * under `setpriv --pdeathsig SIGKILL` (util-linux), which has the kernel kill it when the
 * parent dies; elsewhere the runner's own stop in `finally` is what ends it.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AgentEvent, AgentSpec, WorkerdRequest } from "../../in-runtime/agent-protocol.js";
import { spawnHarness, type Harness, type HarnessOptions } from "../process/harness.js";
import { LOOPBACK_ALLOW, workerdConfig } from "./config.js";

const READY_TIMEOUT_MS = 20_000;

/** Where setpriv is (Linux): workerd runs under it with --pdeathsig SIGKILL (here and in bench.ts). */
export const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((p) => process.platform === "linux" && existsSync(p));

/** The CA a role trusts, as PEM: a client's `tls.ca`, the spec suite's `certs.ca`, the probes' main CA. */
function trustedCaOf(spec: AgentSpec): string | undefined {
  const path =
    spec.role === "client"
      ? spec.tls?.ca
      : spec.role === "sockets-spec"
        ? spec.certs?.ca
        : spec.role === "probes"
          ? spec.certs?.main.ca
          : undefined;
  return path ? readFileSync(path, "utf8") : undefined;
}

/** The addresses the role may reach: loopback, and the run's namespaces' subnet when it sweeps one. */
function allowOf(spec: AgentSpec): string[] {
  const subnet = spec.role === "client" ? spec.extra.subnet : undefined;
  return [...LOOPBACK_ALLOW, ...(typeof subnet === "string" ? [subnet] : [])];
}

/**
 * Starts workerd for one role of `spec`. `bundle`: the agent Worker (dist/agent-workerd.js);
 * `version`: the binary's npm version. The events arrive through `next()` as from any agent.
 */
export function startWorkerdAgent(
  spec: AgentSpec,
  binary: string,
  version: string,
  bundle: string,
  options: HarnessOptions = {},
): Harness<AgentEvent> {
  const dir = mkdtempSync(join(tmpdir(), "netparity-workerd-"));
  const trustedCa = trustedCaOf(spec);
  symlinkSync(bundle, join(dir, "agent.js"));
  const configFile = join(dir, "config.capnp");
  writeFileSync(
    configFile,
    workerdConfig({
      module: "agent.js",
      version,
      allow: allowOf(spec),
      ...(trustedCa !== undefined ? { trustedCa } : {}),
    }),
  );
  // --control-fd=1: workerd writes {"event":"listen","socket":"control","port":N} on stdout,
  // where the harness reads JSON lines.
  const args = ["serve", configFile, "--control-fd=1"];
  const h = spawnHarness<{ event?: string; socket?: string; port?: number }>(
    SETPRIV ?? binary,
    SETPRIV ? ["--pdeathsig", "SIGKILL", "--", binary, ...args] : args,
    { name: "workerd agent", ...options, parentPipe: false },
  );
  const abort = new AbortController();
  const logs: string[] = [];
  const request: WorkerdRequest = { spec, version, ...(trustedCa !== undefined ? { trustedCa } : {}) };
  // The role's events, or null when workerd ended (or never listened) before answering.
  const answer: Promise<AgentEvent[] | null> = (async () => {
    let port: number | undefined;
    for (;;) {
      const e = await h.next(READY_TIMEOUT_MS, "listen event");
      if (e === null) return null;
      if (e.event === "listen" && e.socket === "control") {
        port = e.port;
        break;
      }
    }
    const res = await fetch(`http://127.0.0.1:${port}/`, {
      method: "POST",
      body: JSON.stringify(request),
      signal: abort.signal,
    });
    const body = (await res.json()) as { events: AgentEvent[]; logs: string[] };
    logs.push(...body.logs);
    return body.events;
  })().catch((e: Error) => {
    if (!abort.signal.aborted) logs.push(`workerd agent: ${e.message}`);
    return null;
  });
  let queue: AgentEvent[] | undefined;
  const harness: Harness<AgentEvent> = {
    name: "workerd agent",
    child: h.child,
    pid: h.pid,
    exited: h.exited,
    stdout: () => h.stdout(),
    stderr: () => [h.stderr(), ...logs].filter(Boolean).join("\n"),
    waitStderr: (t, ms) => h.waitStderr(t, ms),
    kill: (signal) => h.kill(signal),
    async next(timeoutMs, what = "answer") {
      if (!queue) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`workerd agent: no ${what} within ${timeoutMs} ms`)), timeoutMs);
        });
        try {
          const events = await Promise.race([answer, timeout]);
          if (events === null) return null;
          queue = [...events];
        } finally {
          clearTimeout(timer);
        }
      }
      return queue.shift() ?? null;
    },
    async stop(o) {
      abort.abort();
      try {
        return await h.stop(o);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return harness;
}
