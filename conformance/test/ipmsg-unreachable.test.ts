/**
 * ipmsg's sweep sends to every host of a /24, most of which do not exist; their ARP failures
 * could come back as EHOSTUNREACH on a later send to a receiver that does exist, failing the
 * cell intermittently (seen with a Bun client). The bun cell runs 5 times here; each must pass
 * (and once more, with every other ipmsg pairing, in `npm run conformance`). Needs root (the
 * runner's network namespaces).
 */
import { describe, expect, it } from "vitest";
import { netnsSupport } from "../src/parent/process/netns.js";
import { cli } from "./peer-helpers.js";

const RUNS = 5;

describe("ipmsg after a sweep over absent hosts", () => {
  it.skipIf(!netnsSupport().ok)(
    `bun->bun ipmsg/udp/subnet passes ${RUNS} times in a row`,
    () => {
      const failures: string[] = [];
      for (let i = 0; i < RUNS; i++) {
        const r = cli(
          [
            "run",
            "--scenarios",
            "ipmsg",
            "--transports",
            "udp",
            "--runtimes",
            "bun",
            "--no-probes",
            "--no-reliability",
            "--no-expectations",
            "--json",
          ],
          90_000,
        );
        const report = JSON.parse(r.stdout) as { cells: Array<{ status: string; reason?: string }> };
        expect(report.cells).toHaveLength(1);
        if (report.cells[0]!.status !== "pass") failures.push(`run ${i}: ${report.cells[0]!.reason}`);
      }
      expect(failures).toEqual([]);
    },
    RUNS * 95_000,
  );
});
