/**
 * `netparity bench --workloads wintertc`: each runtime's bulk and echo clients through
 * @netparity/sockets and through the adapter, in the same run. Never a timed test: this checks
 * that every entry was measured and that the facade/adapter ratio is computed against its target.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import type { BenchReport } from "../src/parent/bench/types.js";
import { WINTERTC_ADAPTER_TARGET } from "../src/parent/verdict/targets.js";
import { RUNTIMES } from "./helpers.js";

describe("netparity bench --workloads wintertc", () => {
  it("measures the facade and the adapter as clients, and their ratio, for bulk and echo", { timeout: 200_000 }, () => {
    const r = spawnSync(
      process.execPath,
      [join(PACKAGE_ROOT, "bin", "netparity.mjs"), "bench", "--quick", "--workloads", "wintertc", "--json"],
      { encoding: "utf8", timeout: 190_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as BenchReport;
    expect(report.errors).toEqual([]);
    expect(report.workloads.map((w) => w.name)).toEqual(["wintertc-bulk", "wintertc-echo"]);
    for (const w of report.workloads) {
      for (const rt of RUNTIMES) {
        for (const impl of ["adapter", "wintertc"]) {
          const e = w.results.find((x) => x.runtime === rt && x.role === "client" && x.impl === impl);
          expect(e, `${w.name}: ${rt} ${impl}`).toBeDefined();
          expect(e!.median).toBeGreaterThan(0);
          expect(e!.peer).toBe("node raw");
        }
        expect(report.ratios.find((x) => x.workload === w.name && x.runtime === rt)).toMatchObject({
          numerator: "wintertc",
          denominator: "adapter",
          target: WINTERTC_ADAPTER_TARGET,
          ratio: expect.any(Number),
        });
      }
    }
  });
});
