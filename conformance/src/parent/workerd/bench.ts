/**
 * workerd as a bench client (`netparity bench --runtimes ...,workerd`): the agent Worker runs
 * the bench agent's client role on `connect()` and streams the events another bench program
 * prints (`start`, then `result`) as JSON lines in its HTTP response, so the parent samples
 * workerd's CPU time around the measured part as it does for any program. Started under the
 * same generated config as the agent (loopback only, config.ts); no TLS roles, so it trusts
 * no CA.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchEvent, BenchSpec, WorkerdBenchRequest } from "../../in-runtime/bench/protocol.js";
import { spawnHarness, type Harness } from "../process/harness.js";
import { SETPRIV } from "./agent.js";
import { LOOPBACK_ALLOW, workerdConfig } from "./config.js";

const READY_TIMEOUT_MS = 20_000;

export interface WorkerdBenchOptions {
  spec: BenchSpec;
  binary: string;
  /** The binary's npm version (the compatibility date follows it). */
  version: string;
  /** The agent Worker (dist/agent-workerd.js). */
  bundle: string;
  /** Pin workerd to this CPU (taskset), or null. */
  cpu: number | null;
}

/** Starts workerd for one bench client; its events arrive through `next()` as they are streamed. */
export function startWorkerdBench(o: WorkerdBenchOptions): Harness<BenchEvent> {
  const dir = mkdtempSync(join(tmpdir(), "netparity-workerd-bench-"));
  symlinkSync(o.bundle, join(dir, "agent.js"));
  const configFile = join(dir, "config.capnp");
  writeFileSync(configFile, workerdConfig({ module: "agent.js", version: o.version, allow: LOOPBACK_ALLOW }));
  const args = ["serve", configFile, "--control-fd=1"];
  const h = spawnHarness<{ event?: string; socket?: string; port?: number }>(
    SETPRIV ?? o.binary,
    SETPRIV ? ["--pdeathsig", "SIGKILL", "--", o.binary, ...args] : args,
    { name: "workerd bench", wrap: { fdLimit: "hard", cpu: o.cpu }, parentPipe: false },
  );
  const abort = new AbortController();
  const queue: BenchEvent[] = [];
  const waiters: Array<() => void> = [];
  let ended = false;
  let failure = "";
  const wake = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  void (async () => {
    try {
      let port: number | undefined;
      for (;;) {
        const e = await h.next(READY_TIMEOUT_MS, "listen event");
        if (e === null) throw new Error("workerd ended before it listened");
        if (e.event === "listen" && e.socket === "control") {
          port = e.port;
          break;
        }
      }
      const request: WorkerdBenchRequest = { bench: o.spec, version: o.version };
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: "POST",
        body: JSON.stringify(request),
        signal: abort.signal,
      });
      if (!res.body) throw new Error(`workerd answered ${res.status} without a body`);
      const decoder = new TextDecoder();
      let buffered = "";
      for await (const chunk of res.body) {
        buffered += decoder.decode(chunk, { stream: true });
        for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) queue.push(JSON.parse(line) as BenchEvent);
          wake();
        }
      }
    } catch (e) {
      if (!abort.signal.aborted) failure = `workerd bench: ${(e as Error).message}`;
    } finally {
      ended = true;
      wake();
    }
  })();
  return {
    name: "workerd bench",
    child: h.child,
    pid: h.pid,
    exited: h.exited,
    stdout: () => h.stdout(),
    stderr: () => [h.stderr(), failure].filter(Boolean).join("\n"),
    waitStderr: (t, ms) => h.waitStderr(t, ms),
    kill: (signal) => h.kill(signal),
    async next(timeoutMs, what = "event") {
      const until = Date.now() + timeoutMs;
      while (!queue.length && !ended) {
        const left = until - Date.now();
        if (left <= 0) throw new Error(`workerd bench: no ${what} within ${timeoutMs} ms`);
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          timer = setTimeout(resolve, left);
        });
        clearTimeout(timer);
      }
      return queue.shift() ?? null;
    },
    async stop(options) {
      abort.abort();
      try {
        return await h.stop(options);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
