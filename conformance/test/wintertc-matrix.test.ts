/**
 * `--apis wintertc`: the scenarios' clients connecting through @netparity/sockets, across every
 * server × client pairing over TCP and TLS, with their own cell keys (native keys unchanged);
 * and `client --api wintertc` against a foreign echo server, which must fail when that server
 * corrupts the bytes. Every pairing stays here (no smoke selection): a default
 * `npm run conformance` runs the native API only, so nothing else proves this matrix.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cellKey, parseCellKey } from "../src/parent/verdict/keys.js";
import { PAIRS, RUNTIMES, cellOf, lazyMatrix } from "./helpers.js";
import { PEERS, cli, hasPython, spawnJson } from "./peer-helpers.js";

describe("echo matrix, clients on the WinterTC Sockets API", () => {
  const get = lazyMatrix({
    scenarios: ["echo"],
    transports: ["tcp", "tls"],
    apis: ["wintertc"],
    extra: { size: 1_048_576 },
  });

  for (const transport of ["tcp", "tls"] as const) {
    it.each(PAIRS)(`echo/${transport} server=%s client=%s+wintertc`, { timeout: 600_000 }, async (server, client) => {
      const cell = cellOf((await get()).cells, transport, server, client);
      expect(cell, "cell ran").toBeDefined();
      expect(cell!.api).toBe("wintertc");
      expect(cell!.status, cell!.reason).toBe("pass");
      expect(cell!.checks.some((c) => c.name === "echo 1048576 B" && c.ok)).toBe(true);
    });
  }

  it("plans no native cells and no Unix or UDP cells for the WinterTC client", { timeout: 600_000 }, async () => {
    const { cells } = await get();
    expect(cells).toHaveLength(PAIRS.length * 2);
    expect(cells.every((c) => c.api === "wintertc" && (c.transport === "tcp" || c.transport === "tls"))).toBe(true);
  });
});

describe("cell keys", () => {
  it("a native cell keeps its key; a WinterTC cell's client ends in +wintertc", () => {
    const native = { scenario: "echo", transport: "tcp", host: "127.0.0.1", server: "node", client: "bun" };
    expect(cellKey(native)).toBe("echo/tcp/127.0.0.1/node->bun");
    expect(cellKey({ ...native, api: "wintertc" })).toBe("echo/tcp/127.0.0.1/node->bun+wintertc");
    expect(parseCellKey("echo/tcp/::1/node->bun+wintertc")).toEqual({
      ...native,
      host: "::1",
      api: "wintertc",
      serverApi: "native",
    });
    expect(parseCellKey("echo/tcp/127.0.0.1/node->bun")).toEqual({ ...native, api: "native", serverApi: "native" });
  });
});

describe("netparity client --api wintertc", () => {
  for (const runtime of RUNTIMES) {
    it.skipIf(!hasPython)(
      `${runtime}: passes against a Python echo server and fails (exit 1) against a corrupting one`,
      { timeout: 120_000 },
      async () => {
        for (const [flags, want] of [
          [[], 0],
          [["--corrupt"], 1],
        ] as const) {
          const server = spawnJson("python3", [join(PEERS, "echo_server.py"), ...flags], {}, 30_000);
          try {
            const { port } = (await server.first) as { port: number };
            const r = cli([
              "client",
              "echo",
              "--api",
              "wintertc",
              "--runtime",
              runtime,
              "--port",
              String(port),
              "--size",
              "2MiB",
            ]);
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
  }

  it("--api wintertc with --transport udp is a usage error (exit 2)", () => {
    const r = cli(["client", "echo", "--api", "wintertc", "--runtime", "node", "--transport", "udp", "--port", "9"]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/wintertc.*tcp and tls/);
  });
});
