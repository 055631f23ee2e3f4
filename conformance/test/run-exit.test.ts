/**
 * A run exits after its report, always. `--faults reset=N` once left the parent spinning in
 * Node's exit cleanup (a socket reset while its FIN was pending was never closed, see
 * `reset()` in parent/faults/tcp.ts), in about a third of the runs. The smallest selection
 * that showed it (node only, one echo cell) runs 10 times here, each under a deadline: a
 * return of that hang fails it with a probability of 1 - (2/3)^10, about 98 %.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnHarness } from "../src/parent/process/harness.js";
import { BIN } from "./peer-helpers.js";

const RUNS = 10;
/** A run takes about 5 s alone; a hang never ends. */
const DEADLINE_MS = 45_000;

describe("a run with resets exits after its report", () => {
  it(
    `node echo/tcp --faults reset=100000: ${RUNS} runs, each exits within ${DEADLINE_MS / 1000} s`,
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "netparity-exit-"));
      const hung: number[] = [];
      try {
        for (let i = 0; i < RUNS; i++) {
          const h = spawnHarness<Record<string, unknown>>(
            process.execPath,
            [
              BIN,
              "run",
              "--runtimes",
              "node",
              "--scenarios",
              "echo",
              "--transports",
              "tcp",
              "--no-ipv6",
              "--faults",
              "reset=100000",
              "--no-probes",
              "--no-reliability",
              "--report-dir",
              join(dir, String(i)),
            ],
            { detached: true },
          );
          try {
            let timer: ReturnType<typeof setTimeout> | undefined;
            const status = await Promise.race([
              h.exited,
              new Promise<"deadline">((r) => {
                timer = setTimeout(() => r("deadline"), DEADLINE_MS);
              }),
            ]);
            clearTimeout(timer);
            if (status === "deadline") hung.push(i);
            // The clients went through resets: their cells differ from the expectations (exit 1).
            else expect(status, h.stderr()).toBe(1);
          } finally {
            h.kill("SIGKILL");
            await h.exited;
          }
        }
        expect(hung, `runs still alive after ${DEADLINE_MS} ms`).toEqual([]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    RUNS * (DEADLINE_MS + 5_000),
  );
});
