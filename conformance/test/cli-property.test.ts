/**
 * The command line cannot be broken by its input: seeded argument vectors (known and unknown
 * commands and flags, odd values, empty strings, huge numbers, unicode) for every command, each
 * run under a deadline. Each must exit 0, 1 or 2 (or still be working at the deadline: a valid
 * command, stopped), print no stack trace, print exactly one stderr line (beginning "netparity:") when it exits 2, leave
 * no process behind, and create no file outside the report directory it was given.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BIN } from "./peer-helpers.js";

const DEADLINE_MS = 6_000;

const COMMANDS = ["serve", "client", "run", "bench", "diff", "merge", "runtimes", "sockets-spec", "nope", ""];
const FLAGS = [
  "--runtime",
  "--runtimes",
  "--transport",
  "--transports",
  "--scenarios",
  "--host",
  "--port",
  "--path",
  "--size",
  "--timeout",
  "--idle-timeout",
  "--max-connections",
  "--faults",
  "--probes",
  "--reliability",
  "--max-head",
  "--url",
  "--help",
  "--version",
  "--json",
  "--runtim",
  "--",
  "-x",
];
const VALUES = [
  "",
  "node",
  "bun",
  "deno",
  "node@",
  "echo",
  "time",
  "transfer",
  "udp",
  "tcp",
  "unix",
  "0",
  "-1",
  "65536",
  "99999999999999999999999",
  "1e308",
  "100GiB",
  "NaN",
  "reset=",
  "drop=2",
  "ünïcødé-☃",
  "http://[::1",
  "a".repeat(300),
  "../../etc/passwd",
];

/** Every path below `dir`, relative. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.push(join(rel, e.name));
      if (e.isDirectory()) walk(join(d, e.name), join(rel, e.name));
    }
  };
  walk(dir, "");
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function runCli(args: string[], cwd: string, tmp: string) {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, TMPDIR: tmp, NETPARITY_CACHE: join(tmp, "cache"), NO_COLOR: "1" },
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  child.stdout.resume();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, "SIGKILL");
  }, DEADLINE_MS);
  const code = await new Promise<number | null>((r) => child.on("close", (c) => r(c)));
  clearTimeout(timer);
  // Whatever it started goes with it: its process group is gone shortly after it exits.
  for (let i = 0; i < 20 && alive(child.pid!); i++) await new Promise((r) => setTimeout(r, 100));
  const leftover = alive(child.pid!);
  if (leftover) process.kill(-child.pid!, "SIGKILL");
  return { code, stderr, timedOut, leftover };
}

describe("the CLI under generated input", () => {
  it("exit 0/1/2, no stack trace, one stderr line for 2, nothing left behind (seeded)", async () => {
    const arb = fc.tuple(
      fc.constantFrom(...COMMANDS),
      fc.array(fc.oneof(fc.constantFrom(...FLAGS), fc.constantFrom(...VALUES), fc.string({ maxLength: 12 })), {
        maxLength: 6,
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ([cmd, rest]) => {
        const cwd = mkdtempSync(join(tmpdir(), "netparity-prop-"));
        const tmp = join(cwd, ".tmp");
        mkdirSync(tmp);
        try {
          const args = [...(cmd ? [cmd] : []), ...rest];
          const r = await runCli(args, cwd, tmp);
          const what = `${JSON.stringify(args)} → ${r.code}${r.timedOut ? " (deadline)" : ""}: ${r.stderr}`;
          expect(r.leftover, `process left behind: ${what}`).toBe(false);
          expect(r.stderr, what).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
          if (!r.timedOut) {
            expect([0, 1, 2], what).toContain(r.code);
            if (r.code === 2) {
              expect(r.stderr.trim().split("\n"), what).toHaveLength(1);
              expect(r.stderr, what).toMatch(/^netparity: /);
            }
          }
          // Nothing written beside the private temp directory (netparity's temp files are gone too).
          expect(
            listing(cwd).filter((p) => !p.startsWith(".tmp")),
            what,
          ).toEqual([]);
          if (!r.timedOut)
            expect(
              listing(tmp).filter((p) => !p.startsWith("cache")),
              what,
            ).toEqual([]);
        } finally {
          rmSync(cwd, { recursive: true, force: true });
        }
      }),
      { seed: 20261207, numRuns: 15 },
    );
  }, 300_000);
});
