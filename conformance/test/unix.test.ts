/**
 * Unix socket files: a leftover file from a SIGKILLed server is replaced, a live server's
 * path gives EADDRINUSE, and a clean stop removes the file. One scenario per runtime, so the
 * three stream scenarios and the three runtimes are all covered.
 */
import { existsSync, lstatSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { RuntimeName } from "@netparity/protocol";
import type { AgentEvent } from "../src/in-runtime/agent-protocol.js";
import { listening, startRole, type Spawned } from "./peer-helpers.js";

const CASES: Array<[RuntimeName, string]> = [
  ["node", "transfer"],
  ["bun", "time"],
  ["deno", "echo"],
];

describe("unix socket files", () => {
  it.each(CASES)(
    "%s %s server: stale file replaced, live path EADDRINUSE, file removed on clean stop",
    async (runtime, scenario) => {
      const dir = mkdtempSync(join(tmpdir(), "netparity-unix-"));
      const path = join(dir, `${scenario}.sock`);
      const started: Array<Spawned<AgentEvent>> = [];
      const start = (): Spawned<AgentEvent> => {
        const s = startRole(runtime, "server", scenario, "unix", { path });
        started.push(s);
        return s;
      };
      try {
        const crashed = start();
        await listening(crashed);
        crashed.kill("SIGKILL");
        await crashed.exited;
        expect(lstatSync(path).isSocket(), "a SIGKILLed server leaves its socket file").toBe(true);

        const second = start();
        expect(await listening(second)).toMatchObject({ event: "listening", path });

        const third = start();
        const e = (await third.first) as AgentEvent;
        expect(e).toMatchObject({ event: "error", code: "EADDRINUSE" });
        expect(await third.exited).toBe(1);

        // The live server still answers: a client of the same scenario passes over the path.
        const client = startRole(runtime, "client", scenario, "unix", { path, extra: { size: 1024 * 1024 } });
        started.push(client);
        const r = (await client.first) as AgentEvent;
        expect(r.event === "result" && r.ok, JSON.stringify(r)).toBe(true);

        second.kill("SIGTERM");
        expect(await second.exited).toBe(0);
        expect(existsSync(path), "a clean stop removes the socket file").toBe(false);
      } finally {
        for (const s of started) s.kill();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
