/**
 * `--apis wintertc`: the scenarios' clients connecting through @netparity/sockets, across every
 * server × client pairing over TCP and TLS, with their own cell keys (native keys unchanged);
 * and `client --api wintertc` against a foreign echo server, which must fail when that server
 * corrupts the bytes. A default `npm run conformance` runs the native API only, so this file
 * is what proves the WinterTC client: a smoke selection in which each runtime's client is once
 * over TCP and once over TLS, against a server of each other runtime across the two (the six
 * cross pairings; the servers are native and the native matrix is proven by the conformance
 * run). All nine pairings per transport with NETPARITY_FULL_MATRIX=1.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { cellKey, parseCellKey } from "../src/parent/verdict/keys.js";
import { RUNTIMES, cellOf, lazyMatrix, matrixPairs } from "./helpers.js";
import { PEERS, cli, hasPython, spawnJson } from "./peer-helpers.js";

describe("echo matrix, clients on the WinterTC Sockets API", () => {
  const TRANSPORTS = ["tcp", "tls"] as const;
  const pairsOn = (transport: string) => matrixPairs(transport === "tcp" ? 0 : 1);
  const get = lazyMatrix({
    scenarios: ["echo"],
    transports: [...TRANSPORTS],
    apis: ["wintertc"],
    // Past the streams' 64 KiB chunks, so the facade's backpressure is in the path.
    extra: { size: 262_144 },
    pairs: (at) => pairsOn(at.transport),
  });

  for (const transport of TRANSPORTS) {
    it.each(pairsOn(transport))(
      `echo/${transport} server=%s client=%s+wintertc`,
      { timeout: 600_000 },
      async (server, client) => {
        const cell = cellOf((await get()).cells, transport, server, client);
        expect(cell, "cell ran").toBeDefined();
        expect(cell!.api).toBe("wintertc");
        expect(cell!.status, cell!.reason).toBe("pass");
        expect(cell!.checks.some((c) => c.name === "echo 262144 B" && c.ok)).toBe(true);
      },
    );
  }

  it("plans no native cells and no Unix or UDP cells for the WinterTC client", { timeout: 600_000 }, async () => {
    const { cells } = await get();
    expect(cells).toHaveLength(pairsOn("tcp").length + pairsOn("tls").length);
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
