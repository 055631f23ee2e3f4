/**
 * The pinned CLI contract, driven as a user would: `netparity serve|client|run` as child
 * processes, against foreign peers written like the classic Python socket lessons.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RUNTIMES } from "./helpers.js";
import { BIN, PEERS, cli, hasPython, spawnJson } from "./peer-helpers.js";

describe("netparity serve", () => {
  for (const runtime of RUNTIMES) {
    for (const transport of ["tcp", "udp"] as const) {
      it.skipIf(!hasPython)(
        `${runtime} ${transport}: ready line, a foreign Python client gets its bytes back, SIGTERM exits 0`,
        async () => {
          const server = spawnJson(
            process.execPath,
            [BIN, "serve", "echo", "--runtime", runtime, "--transport", transport],
            {},
            30_000,
          );
          try {
            const ready = await server.first;
            expect(ready).toMatchObject({ event: "listening", runtime, transport, host: "127.0.0.1" });
            expect(ready.port).toBeGreaterThan(0);
            const py = spawnSync(
              "python3",
              [
                join(PEERS, "echo_client.py"),
                String(ready.port),
                ...(transport === "udp" ? ["--udp"] : ["--bytes", "2000000"]),
              ],
              {
                encoding: "utf8",
                timeout: 60_000,
              },
            );
            expect(py.status, py.stdout + py.stderr).toBe(0);
            expect(JSON.parse(py.stdout).ok).toBe(true);
            server.child.kill("SIGTERM");
            expect(await server.exited).toBe(0);
          } finally {
            server.kill();
          }
        },
      );
    }
  }

  // A port in use (EADDRINUSE, one line, exit 1) on each runtime: reliability.test.ts.
});

/**
 * Node's and Deno's clients failing against a corrupting server is what the negative controls
 * of .ci/run prove for every scenario over tcp and udp; Bun's is proven here.
 */
const againstCorrupt = (runtime: string): boolean => runtime === "bun";

describe("netparity client", () => {
  for (const runtime of RUNTIMES) {
    const negative = againstCorrupt(runtime);
    it.skipIf(!hasPython)(
      `${runtime}: passes against a Python threaded echo server${negative ? " and fails (exit 1) against a corrupting one" : ""}`,
      async () => {
        for (const [flags, want] of [[[], 0], ...(negative ? [[["--corrupt"], 1] as const] : [])] as const) {
          const server = spawnJson("python3", [join(PEERS, "echo_server.py"), ...flags], {}, 30_000);
          try {
            const { port } = (await server.first) as { port: number };
            const r = cli(["client", "echo", "--runtime", runtime, "--port", String(port), "--size", "2MiB"]);
            expect(r.code, r.stdout + r.stderr).toBe(want);
            const result = JSON.parse(r.stdout.trim());
            expect(result).toMatchObject({ event: "result", scenario: "echo", runtime, ok: want === 0 });
            if (want === 1) expect(result.checks.some((c: { ok: boolean }) => !c.ok)).toBe(true);
          } finally {
            server.kill();
          }
        }
      },
    );

    it.skipIf(!hasPython)(
      `${runtime}: udp passes against a Python echo server${negative ? " and fails against a corrupting one" : ""}`,
      async () => {
        for (const [flags, want] of [
          [["--udp"], 0],
          ...(negative ? [[["--udp", "--corrupt"], 1] as const] : []),
        ] as const) {
          const server = spawnJson("python3", [join(PEERS, "echo_server.py"), ...flags], {}, 30_000);
          try {
            const { port } = (await server.first) as { port: number };
            const r = cli([
              "client",
              "echo",
              "--runtime",
              runtime,
              "--transport",
              "udp",
              "--port",
              String(port),
              "--count",
              "50",
            ]);
            expect(r.code, r.stdout + r.stderr).toBe(want);
          } finally {
            server.kill();
          }
        }
      },
    );
  }

  it("a refused connection is a failed check with the code, exit 1", () => {
    const r = cli(["client", "echo", "--runtime", "node", "--port", "1"]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout.trim()).error.code).toBe("ECONNREFUSED");
  });
});

describe("usage errors: one line on stderr, exit 2, never a stack trace", () => {
  // An unknown command and misspelled flags, with the exact line: cli-ergonomics.test.ts.
  const cases: Array<[string, string[], RegExp]> = [
    ["unknown runtime", ["serve", "echo", "--runtime", "java"], /unknown runtime "java"/],
    ["unknown scenario", ["serve", "ftp", "--runtime", "node"], /unknown scenario "ftp"/],
    ["unknown flag", ["serve", "echo", "--runtime", "node", "--bogus"], /unknown option '--bogus'/],
    ["missing runtime", ["client", "echo", "--port", "7"], /--runtime/],
    ["bad port", ["serve", "echo", "--runtime", "node", "--port", "70000"], /invalid port/],
    ["unix without path", ["serve", "echo", "--runtime", "node", "--transport", "unix"], /--path/],
  ];
  it.each(cases)("%s", (_name, args, pattern) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr.trim().split("\n").length).toBe(1);
  });

  it("--help works on every command", () => {
    for (const args of [["--help"], ["serve", "--help"], ["client", "--help"], ["run", "--help"]]) {
      const r = cli(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: netparity/);
    }
  });
});
