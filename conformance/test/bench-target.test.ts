/**
 * `netparity bench --target HOST:PORT` against `netparity serve bench` on "another host": two
 * network namespaces this test creates, joined by a veth pair whose both ends are shaped by a
 * `tbf` qdisc to LINK_MBIT. The bench's client rows must show that link: no throughput above
 * the limit (plus the bucket's burst). Nothing here asserts a lower bound on speed. Needs root
 * and iproute2; skipped with the reason otherwise. The namespaces are always deleted.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import { spawnHarness, type Harness } from "../src/parent/process/harness.js";
import type { BenchReport } from "../src/parent/bench/types.js";

const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasIp = spawnSync("ip", ["-V"]).status === 0;
const hasTc = spawnSync("tc", ["-V"]).status === 0;
const canNetns = isRoot && hasIp && hasTc && spawnSync("ip", ["netns", "list"]).status === 0;
const reason = !isRoot
  ? "needs root (ip netns)"
  : !hasIp || !hasTc
    ? "needs iproute2 (`ip`, `tc`)"
    : "ip netns is not available here";

const tag = `${process.pid % 100000}`;
const NS_SERVER = `np-bt-s-${tag}`;
const NS_CLIENT = `np-bt-c-${tag}`;
const VETH_SERVER = `npts${tag}`;
const VETH_CLIENT = `nptc${tag}`;
const SERVER_IP = "10.214.0.2";
const CLIENT_IP = "10.214.0.1";
/** The link: 200 Mbit/s = 25 MB/s each way. */
const LINK_MBIT = 200;
const LINK_BYTES_PER_SECOND = (LINK_MBIT * 1e6) / 8;

function run(cmd: string, ...args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr.trim()}`);
}

function deleteNamespaces(): void {
  for (const ns of [NS_SERVER, NS_CLIENT]) spawnSync("ip", ["netns", "del", ns], { timeout: 10_000 });
}

describe.skipIf(!canNetns)(
  `bench --target between two network namespaces over a ${LINK_MBIT} Mbit/s tbf link${canNetns ? "" : ` (skipped: ${reason})`}`,
  () => {
    let server: Harness<{ event: string; port?: number; ports?: Record<string, number> }> | null = null;

    beforeAll(() => {
      deleteNamespaces();
      try {
        run("ip", "netns", "add", NS_SERVER);
        run("ip", "netns", "add", NS_CLIENT);
        run("ip", "link", "add", VETH_SERVER, "type", "veth", "peer", "name", VETH_CLIENT);
        run("ip", "link", "set", VETH_SERVER, "netns", NS_SERVER);
        run("ip", "link", "set", VETH_CLIENT, "netns", NS_CLIENT);
        for (const [ns, dev, addr] of [
          [NS_SERVER, VETH_SERVER, SERVER_IP],
          [NS_CLIENT, VETH_CLIENT, CLIENT_IP],
        ] as const) {
          run("ip", "-n", ns, "addr", "add", `${addr}/24`, "dev", dev);
          run("ip", "-n", ns, "link", "set", dev, "up");
          run("ip", "-n", ns, "link", "set", "lo", "up");
          // Both directions shaped: bulk and transfer go client -> server, echo both ways.
          run(
            "tc",
            "-n",
            ns,
            "qdisc",
            "add",
            "dev",
            dev,
            "root",
            "tbf",
            "rate",
            `${LINK_MBIT}mbit`,
            "burst",
            "64kb",
            "latency",
            "50ms",
          );
        }
      } catch (e) {
        deleteNamespaces();
        throw e;
      }
    });

    afterAll(async () => {
      await server?.stop();
      deleteNamespaces();
    });

    it("serve bench in one namespace, bench --target in the other: client rows for each runtime, bounded by the link", async () => {
      server = spawnHarness(
        process.execPath,
        [BIN, "serve", "bench", "--runtime", "node", "--host", SERVER_IP, "--port", "0"],
        {
          wrap: { netns: NS_SERVER },
          name: "serve bench",
        },
      );
      const ready = await server.next(60_000, "listening");
      expect(ready, server.stderr()).toMatchObject({ event: "listening", ports: expect.any(Object) });
      const port = ready!.port!;
      expect(ready!.ports).toEqual({ bulk: port, echo: port + 1, transfer: port + 2 });

      const dir = mkdtempSync(join(tmpdir(), "netparity-bench-target-"));
      try {
        const r = spawnSync(
          "ip",
          [
            "netns",
            "exec",
            NS_CLIENT,
            process.execPath,
            BIN,
            "bench",
            "--quick",
            "--runtimes",
            "node,bun",
            "--workloads",
            "bulk,echo,decoder",
            "--target",
            `${SERVER_IP}:${port}`,
            "--report-dir",
            dir,
          ],
          { encoding: "utf8", timeout: 300_000 },
        );
        expect(r.status, r.stderr).toBe(0);
        const report = JSON.parse(readFileSync(join(dir, "bench.json"), "utf8")) as BenchReport;
        expect(report.errors).toEqual([]);
        expect(report.machine.target).toBe(`${SERVER_IP}:${port}`);
        expect(report.skipped.join("\n")).toMatch(/decoder: not served by `netparity serve bench`/);
        const bulk = report.workloads.find((w) => w.name === "bulk")!;
        expect(bulk.results.map((x) => `${x.runtime} ${x.impl} ${x.role}`).sort()).toEqual([
          "bun adapter client",
          "bun raw client",
          "node adapter client",
          "node raw client",
        ]);
        for (const e of bulk.results) {
          expect(e.peer).toBe(`remote server at ${SERVER_IP}:${port}`);
          // The link is the limit: nothing crosses it faster than the token bucket's rate (plus its burst).
          expect(e.max, `${e.runtime} ${e.impl}`).toBeLessThan(LINK_BYTES_PER_SECOND * 1.1);
        }
        const echo = report.workloads.find((w) => w.name === "echo")!;
        expect(echo.results).toHaveLength(4);
        for (const e of echo.results) expect(e.median).toBeGreaterThan(0);
        expect(readFileSync(join(dir, "bench.md"), "utf8")).toContain(`servers at ${SERVER_IP}:${port}`);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);
