/**
 * Time service between runtimes over TCP, UDP and Unix sockets (a smoke selection of pairings:
 * every runtime once as server and once as client; all nine with NETPARITY_FULL_MATRIX=1); our
 * servers against Python's time.strftime (two zones); our clients against a Python time server.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../src/in-runtime/agent-protocol.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import { RUNTIMES, cellOf, expectUnsupportedByFeatures, lazyMatrix, matrixPairs } from "./helpers.js";
import { PEERS, hasPython, listening, python, spawnJson, startRole } from "./peer-helpers.js";

describe("time matrix", () => {
  const TRANSPORTS = ["tcp", "udp", "unix"] as const;
  const get = lazyMatrix({
    scenarios: ["time"],
    transports: [...TRANSPORTS],
    pairs: (at) => matrixPairs((TRANSPORTS as readonly string[]).indexOf(at.transport)),
  });
  for (const [i, transport] of TRANSPORTS.entries()) {
    it.each(matrixPairs(i))(`time/${transport} server=%s client=%s`, async (server, client) => {
      const run = await get();
      const cell = cellOf(run.cells, transport, server, client);
      expect(cell, "cell ran").toBeDefined();
      if (cell!.status === "unsupported") {
        expect(transport).toBe("unix");
        expectUnsupportedByFeatures(cell!, run.runtimes);
        return;
      }
      expect(cell!.status, cell!.reason).toBe("pass");
      // Every probe format, UTF-8 passthrough and the empty request were judged.
      expect(cell!.checks.length).toBeGreaterThanOrEqual(10);
      expect(cell!.checks.some((c) => c.name.includes("Zeit") && c.ok)).toBe(true);
    });
  }
});

/**
 * One transport per runtime and zone, alternating, so that each runtime serves both zones and
 * both transports once: what differs between runtimes is the zone, the transports share the
 * scenario's code and each is in the time matrix above.
 */
const transportFor = (i: number): "udp" | "tcp" => (i % 2 === 0 ? "udp" : "tcp");

describe.skipIf(!hasPython)("our time servers agree with Python's time.strftime", () => {
  for (const [z, tz] of ["Asia/Kolkata", "UTC"].entries()) {
    for (const [i, runtime] of RUNTIMES.entries()) {
      const transport = transportFor(i + z);
      it(`TZ=${tz} ${runtime} server over ${transport}`, async () => {
        const server = startRole(runtime, "server", "time", transport, { env: { TZ: tz } });
        try {
          const { port } = await listening(server);
          const r = python("time_client.py", [String(port), ...(transport === "udp" ? ["--udp"] : [])], { TZ: tz });
          expect(r.code, `${transport}: ${r.stdout}${r.stderr}`).toBe(0);
          const out = JSON.parse(r.stdout) as { ok: boolean; checked: number };
          expect(out.checked).toBeGreaterThanOrEqual(25);
        } finally {
          server.kill();
        }
      });
    }
  }
});

describe.skipIf(!hasPython)("our time clients against a Python time server", () => {
  for (const [i, runtime] of RUNTIMES.entries()) {
    const transport = transportFor(i);
    it(`${runtime} client over ${transport}, in Asia/Kolkata against a UTC server`, async () => {
      const server = spawnJson("python3", [join(PEERS, "time_server.py"), ...(transport === "udp" ? ["--udp"] : [])], {
        TZ: "UTC",
      });
      try {
        const { port } = (await server.first) as { port: number };
        const client = startRole(runtime, "client", "time", transport, { port, env: { TZ: "Asia/Kolkata" } });
        try {
          const e = (await client.first) as AgentEvent;
          expect(e.event).toBe("result");
          if (e.event !== "result") return;
          expect(e.ok, JSON.stringify(e.checks)).toBe(true);
          expect(await client.exited).toBe(0);
        } finally {
          client.kill();
        }
      } finally {
        server.kill();
      }
    });
  }

  it("`netparity client time --format` prints the server's reply, UTF-8 included", async () => {
    const server = spawnJson("python3", [join(PEERS, "time_server.py"), "--udp"], { TZ: "Asia/Kolkata" });
    try {
      const { port } = (await server.first) as { port: number };
      const r = spawnSync(
        process.execPath,
        [
          join(PACKAGE_ROOT, "bin", "netparity.mjs"),
          "client",
          "time",
          "--runtime",
          "node",
          "--transport",
          "udp",
          "--port",
          String(port),
          "--format",
          "%z %Z Zeit ✓ 100%%",
        ],
        { encoding: "utf8", timeout: 30_000 },
      );
      expect(r.status, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout.trim()).output).toBe("+0530 IST Zeit ✓ 100%");
    } finally {
      server.kill();
    }
  });
});
