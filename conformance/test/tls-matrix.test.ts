/**
 * The stream scenarios (http-get too: https) over TLS on 127.0.0.1 and ::1: a smoke selection
 * of pairings per scenario and host (every runtime once as server and once as client; all
 * nine with NETPARITY_FULL_MATRIX=1). The whole matrix is `npm run conformance`'s.
 */
import { describe, expect, it } from "vitest";
import { cellOf, lazyMatrix, matrixPairs } from "./helpers.js";

const SCENARIOS = ["echo", "time", "transfer", "greet", "http-get"] as const;
const HOSTS = ["127.0.0.1", "::1"] as const;

/** The pairings at one place; the rotation alternates, so every scenario meets all six cross pairings. */
const pairsOf = (scenario: string, host: string) =>
  matrixPairs((SCENARIOS as readonly string[]).indexOf(scenario) + (HOSTS as readonly string[]).indexOf(host));

describe("tls matrix", () => {
  const get = lazyMatrix({
    scenarios: [...SCENARIOS],
    transports: ["tls"],
    hosts: [...HOSTS],
    pairs: (at) => pairsOf(at.scenario, at.host),
  });

  for (const scenario of SCENARIOS)
    for (const host of HOSTS)
      it.each(pairsOf(scenario, host))(`${scenario}/tls on ${host} server=%s client=%s`, async (server, client) => {
        const run = await get();
        const cell = run.cells.find(
          (c) => c.scenario === scenario && c.host === host && cellOf([c], "tls", server, client),
        );
        expect(cell, "cell ran").toBeDefined();
        expect(cell!.status, cell!.reason).toBe("pass");
        expect(cell!.checks.length).toBeGreaterThan(0);
        expect(cell!.checks.every((c) => c.ok)).toBe(true);
      });

  it("runs only tls cells, one per scenario, host and selected pairing", async () => {
    const { cells } = await get();
    expect(cells.every((c) => c.transport === "tls")).toBe(true);
    const want = SCENARIOS.flatMap((s) => HOSTS.flatMap((h) => pairsOf(s, h).map(([a, b]) => `${s} ${h} ${a}->${b}`)));
    expect(cells.map((c) => `${c.scenario} ${c.host} ${c.server}->${c.client}`).sort()).toEqual(want.sort());
  });
});
