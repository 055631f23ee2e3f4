/**
 * Echo between real runtimes over TCP, UDP and Unix sockets: a smoke selection of pairings per
 * transport (every runtime once as server and once as client; all nine with
 * NETPARITY_FULL_MATRIX=1). The whole matrix is `npm run conformance`'s.
 */
import { describe, expect, it } from "vitest";
import { cellOf, expectUnsupportedByFeatures, lazyMatrix, matrixPairs } from "./helpers.js";

const TRANSPORTS = ["tcp", "udp", "unix"] as const;
/** The pairings of one transport; the rotation alternates, so the file meets all six cross pairings. */
const pairsOf = (transport: string) => matrixPairs((TRANSPORTS as readonly string[]).indexOf(transport));

describe("echo matrix", () => {
  const get = lazyMatrix({ scenarios: ["echo"], transports: [...TRANSPORTS], pairs: (at) => pairsOf(at.transport) });

  for (const transport of TRANSPORTS) {
    it.each(pairsOf(transport))(`echo/${transport} server=%s client=%s`, async (server, client) => {
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
    expect(tcp).toHaveLength(pairsOf("tcp").length);
    for (const c of tcp) {
      expect(c.checks.some((k) => k.name === "echo 8388608 B" && k.ok)).toBe(true);
      expect(c.metrics.bulkBytesPerSec).toBeGreaterThan(0);
    }
  });

  it("the UDP client echoed at least 50 datagrams with none lost or corrupted", async () => {
    const udp = (await get()).cells.filter((c) => c.transport === "udp");
    expect(udp).toHaveLength(pairsOf("udp").length);
    for (const c of udp) {
      expect(c.metrics.datagrams).toBeGreaterThanOrEqual(50);
      expect(c.metrics.lost).toBe(0);
      expect(c.metrics.corrupt).toBe(0);
    }
  });

  it("runs exactly the selected pairings", async () => {
    const { cells } = await get();
    const want = TRANSPORTS.flatMap((t) => pairsOf(t).map(([s, c]) => `${t} ${s}->${c}`)).sort();
    expect(cells.map((c) => `${c.transport} ${c.server}->${c.client}`).sort()).toEqual(want);
  });
});
