/**
 * A cell whose client fails with an error (a reset, EHOSTUNREACH, …) names the cell's
 * addresses in its reason: where the client sent to (and whether through the fault proxy) and
 * where the server listened, so an intermittent failure can be traced to its cell.
 */
import { describe, expect, it } from "vitest";
import { cli } from "./peer-helpers.js";

describe("a failing cell names its addresses", () => {
  it("node echo/tcp through reset=10: the reason names client target, proxy and server address", () => {
    const r = cli(
      [
        "run",
        "--runtimes",
        "node",
        "--scenarios",
        "echo",
        "--transports",
        "tcp",
        "--no-ipv6",
        "--faults",
        "reset=10",
        "--no-probes",
        "--no-reliability",
        "--json",
      ],
      90_000,
    );
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as { cells: Array<{ reason?: string }> };
    expect(report.cells).toHaveLength(1);
    expect(report.cells[0]!.reason).toMatch(
      /\(client node to 127\.0\.0\.1:\d+ via the fault proxy; server node on 127\.0\.0\.1:\d+\)$/,
    );
  }, 120_000);
});
