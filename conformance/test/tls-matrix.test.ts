/** The stream scenarios (http-get too: https) over TLS across every server × client pairing, on 127.0.0.1 and ::1. */
import { describe, expect, it } from "vitest";
import { PAIRS, cellOf, lazyMatrix } from "./helpers.js";

const SCENARIOS = ["echo", "time", "transfer", "greet", "http-get"] as const;
const HOSTS = ["127.0.0.1", "::1"] as const;

describe("tls matrix", () => {
  const get = lazyMatrix({ scenarios: [...SCENARIOS], transports: ["tls"], hosts: [...HOSTS] });

  for (const scenario of SCENARIOS)
    for (const host of HOSTS)
      it.each(PAIRS)(`${scenario}/tls on ${host} server=%s client=%s`, async (server, client) => {
        const run = await get();
        const cell = run.cells.find(
          (c) => c.scenario === scenario && c.host === host && cellOf([c], "tls", server, client),
        );
        expect(cell, "cell ran").toBeDefined();
        expect(cell!.status, cell!.reason).toBe("pass");
        expect(cell!.checks.length).toBeGreaterThan(0);
        expect(cell!.checks.every((c) => c.ok)).toBe(true);
      });

  it("runs only tls cells, one per scenario, host and pairing", async () => {
    const { cells } = await get();
    expect(cells.every((c) => c.transport === "tls")).toBe(true);
    expect(cells).toHaveLength(SCENARIOS.length * HOSTS.length * PAIRS.length);
  });
});
