/**
 * No process outlives its parent. The harness starts every child with stdin as a pipe it
 * never writes to; our agents and bench programs exit when it ends, which the kernel does
 * when the parent dies, SIGKILL included. Without the harness's opt-in (stdin /dev/null, as
 * a user might run an agent) nothing changes.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { program, pythonProgram, type Program } from "../src/parent/bench/programs.js";
import { spawnHarness } from "../src/parent/process/harness.js";
import { startAgent } from "../src/parent/runner/agent-process.js";
import { RUNTIMES } from "./helpers.js";
import { BIN, hasPython, spawnJson } from "./peer-helpers.js";

/**
 * Whether `pid` has exited. A process whose parent died is reaped by init; an init that does
 * not reap (some containers' PID 1) leaves a zombie, which has exited all the same.
 */
function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ESRCH";
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    return true;
  }
}

async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!gone(pid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe.each(RUNTIMES)("%s: nothing outlives its parent", (runtime) => {
  it("`netparity serve` SIGKILLed alone: its agent is gone within 3 s", async () => {
    const cli = spawnJson(process.execPath, [BIN, "serve", "echo", "--runtime", runtime], {}, 30_000);
    let agentPid = 0;
    try {
      const ready = await cli.first;
      expect(ready).toMatchObject({ event: "listening", runtime });
      agentPid = Number(ready.pid);
      expect(agentPid).toBeGreaterThan(0);
      expect(gone(agentPid)).toBe(false);
      // The CLI only, not its process group: the agent has to notice by itself.
      process.kill(cli.pid, "SIGKILL");
      expect(await cli.exited).toBe("SIGKILL");
      expect(await goneWithin(agentPid, 3000), `agent ${agentPid} still running 3 s after its parent was killed`).toBe(
        true,
      );
    } finally {
      cli.kill();
      if (agentPid > 0 && !gone(agentPid)) process.kill(agentPid, "SIGKILL");
    }
  });

  it("`netparity serve` started by a harness stops its agent and exits 0 when its stdin pipe ends", async () => {
    const cli = spawnHarness<{ event?: string; pid?: number }>(
      process.execPath,
      [BIN, "serve", "echo", "--runtime", runtime],
      { name: "netparity serve", detached: true },
    );
    let agentPid = 0;
    try {
      const ready = await cli.next(30_000, "its listening line");
      expect(ready).toMatchObject({ event: "listening" });
      agentPid = Number(ready?.pid);
      expect(agentPid).toBeGreaterThan(0);
      // What the kernel does when the harness's process dies: the write end of the pipe closes.
      cli.child.stdin!.end();
      const code = await Promise.race([
        cli.exited,
        new Promise((r) => setTimeout(() => r("still running after 5 s"), 5000)),
      ]);
      expect(code).toBe(0);
      expect(await goneWithin(agentPid, 3000), `agent ${agentPid} still running`).toBe(true);
    } finally {
      cli.kill("SIGKILL");
      if (agentPid > 0 && !gone(agentPid)) process.kill(agentPid, "SIGKILL");
    }
  });

  it("an agent with stdin /dev/null (no opt-in) keeps serving and stops on SIGTERM with 0", async () => {
    const agent = startAgent(
      runtime,
      { role: "server", scenario: "echo", transport: "tcp", host: "127.0.0.1", port: 0, extra: {} },
      {},
      { parentPipe: false },
    );
    try {
      expect((await agent.next(20_000))?.event).toBe("listening");
      await new Promise((r) => setTimeout(r, 300));
      expect(gone(agent.pid)).toBe(false);
      expect(await agent.stop()).toBe(0);
    } finally {
      agent.kill();
    }
  });
});

const benchPrograms: Program[] = [
  ...RUNTIMES.flatMap((rt) => [program(rt, "adapter", {}), program(rt, "raw", {})]),
  ...(hasPython ? [pythonProgram()] : []),
];

describe("bench programs", () => {
  it.each(benchPrograms.map((p) => [`${p.runtime} ${p.impl}`, p] as const))(
    "%s exits when its stdin ends",
    async (_, p) => {
      const h = p.start({ role: "sink-server", host: "127.0.0.1", port: 0 }, null, false);
      try {
        expect((await h.next(20_000, "listening line"))?.event).toBe("listening");
        // What the kernel does when the parent dies. The bound only keeps a failure short.
        h.child.stdin!.destroy();
        const timer = setTimeout(() => h.kill("SIGKILL"), 10_000);
        const code = await h.exited;
        clearTimeout(timer);
        expect(code, h.stderr()).toBe(129);
      } finally {
        h.kill();
      }
    },
  );
});
