/** Echo across every server × client pairing of real runtimes, over TCP, UDP and Unix sockets. */
import { describe, expect, it } from "vitest";
import { PAIRS, cellOf, expectUnsupportedByFeatures, lazyMatrix } from "./helpers.js";

describe("echo matrix", () => {
  const get = lazyMatrix({ scenarios: ["echo"], transports: ["tcp", "udp", "unix"] });

  for (const transport of ["tcp", "udp", "unix"] as const) {
    it.each(PAIRS)(`echo/${transport} server=%s client=%s`, async (server, client) => {
      const run = await get();
      const cell = cellOf(run.cells, transport, server, client);
      expect(cell, "cell ran").toBeDefined();
      if (cell!.status === "unsupported") {
        // Only acceptable for unix, where a runtime's features say so.
        expect(transport).toBe("unix");
        expectUnsupportedByFeatures(cell!, run.runtimes);
        return;
      }
      expect(cell!.status, cell!.reason).toBe("pass");
      expect(cell!.checks.length).toBeGreaterThan(1);
      expect(cell!.checks.every((c) => c.ok)).toBe(true);
    });
  }

  it("the TCP client moved at least 8 MiB and measured it", async () => {
    const tcp = (await get()).cells.filter((c) => c.transport === "tcp");
    expect(tcp).toHaveLength(PAIRS.length);
    for (const c of tcp) {
      expect(c.checks.some((k) => k.name === "echo 8388608 B" && k.ok)).toBe(true);
      expect(c.metrics.bulkBytesPerSec).toBeGreaterThan(0);
    }
  });

  it("the UDP client echoed at least 50 datagrams with none lost or corrupted", async () => {
    const udp = (await get()).cells.filter((c) => c.transport === "udp");
    expect(udp).toHaveLength(PAIRS.length);
    for (const c of udp) {
      expect(c.metrics.datagrams).toBeGreaterThanOrEqual(50);
      expect(c.metrics.lost).toBe(0);
      expect(c.metrics.corrupt).toBe(0);
    }
  });
});
