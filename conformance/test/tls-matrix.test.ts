/**
 * The stream scenarios (http-get too: https) over TLS, each on one host, 127.0.0.1 and ::1 in
 * turn: a smoke selection of pairings per scenario (every runtime once as server and once as
 * client; every pairing on both hosts with NETPARITY_FULL_MATRIX=1), with echo and transfer
 * payloads of at most 1 MiB. The whole matrix, at full sizes, is `npm run conformance`'s.
 */
import { describe, expect, it } from "vitest";
import { FULL_MATRIX, cellOf, lazyMatrix, matrixPairs } from "./helpers.js";

const SCENARIOS = ["echo", "time", "transfer", "greet", "http-get"] as const;
const HOSTS = ["127.0.0.1", "::1"] as const;

/** The hosts of a scenario: 127.0.0.1 and ::1 in turn, both with NETPARITY_FULL_MATRIX=1. */
const hostsOf = (scenario: string): readonly string[] =>
  FULL_MATRIX ? HOSTS : [HOSTS[(SCENARIOS as readonly string[]).indexOf(scenario) % HOSTS.length]!];

/** The pairings at one place; the rotation alternates, so every scenario meets all six cross pairings. */
const pairsOf = (scenario: string, host: string) =>
  hostsOf(scenario).includes(host)
    ? matrixPairs((SCENARIOS as readonly string[]).indexOf(scenario) + (HOSTS as readonly string[]).indexOf(host))
    : [];

describe("tls matrix", () => {
  const get = lazyMatrix({
    scenarios: [...SCENARIOS],
    transports: ["tls"],
    hosts: [...HOSTS],
    // echo's largest payload and transfer's file: past the TLS records and the 64 KiB chunks.
    extra: { size: 1024 * 1024 },
    pairs: (at) => pairsOf(at.scenario, at.host),
  });

  for (const scenario of SCENARIOS)
    for (const host of hostsOf(scenario))
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
