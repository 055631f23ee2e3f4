/**
 * The reliability expectations (a known failure names its upstream issue), the one case whose
 * pass could hide that it tested nothing (faults.udp: the proxy must lose datagrams), the
 * CLI's one-line EADDRINUSE message, and the reliability section of `netparity run` and its
 * reports. Each case × runtime is `npm run conformance`'s.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_EXPECTATIONS_DIR } from "../src/parent/cli/run.js";
import { runReliability, type ReliabilityResult } from "../src/parent/reliability/run.js";
import { alternatives, loadExpectations, pick } from "../src/parent/verdict/index.js";
import { probeRuntime } from "../src/parent/runner/matrix.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import { RUNTIMES } from "./helpers.js";

const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");

describe("the reliability expectations", () => {
  // Each case × runtime is `npm run conformance`'s: a default run runs the whole catalogue on
  // every runtime and fails on any result its expectation entry does not allow.
  it("a known-failing case carries its upstream issue", () => {
    const expectations = loadExpectations(DEFAULT_EXPECTATIONS_DIR, RUNTIMES);
    for (const rt of RUNTIMES) {
      const entries = expectations[rt]?.reliability ?? {};
      expect(Object.keys(entries).length, `${rt}.json has reliability entries`).toBeGreaterThan(0);
      for (const [id, entry] of Object.entries(entries))
        for (const e of alternatives(entry))
          if (e.status === "known-failing")
            expect(e.issue, `${id} on ${rt} is known-failing: it needs its upstream issue`).toMatch(/^https:\/\//);
    }
  });
});

/**
 * What a pass of faults.udp does not show by itself: that the fault proxy really lost
 * datagrams and the clients really resent them (a path that lost nothing would pass too).
 */
describe("faults.udp on every runtime: the path loses datagrams, the clients resend", () => {
  let results: ReliabilityResult[] = [];
  const expectations = loadExpectations(DEFAULT_EXPECTATIONS_DIR, RUNTIMES);
  beforeAll(async () => {
    const infos = await Promise.all(RUNTIMES.map((r) => probeRuntime(r)));
    results = await runReliability({ runtimes: infos, only: ["faults.udp"] });
  }, 300_000);

  it.each(RUNTIMES)("%s", (rt) => {
    const r = results.find((x) => x.id === "faults.udp" && x.runtime === rt);
    expect(r, "ran").toBeDefined();
    const e = pick(expectations[rt]?.reliability?.["faults.udp"], r!.version).expected;
    if (e?.status === "known-failing") {
      expect(e.issue, `faults.udp on ${rt} is known-failing: it needs its upstream issue`).toMatch(/^https:\/\//);
      expect(r!.status).not.toBe("pass");
      return;
    }
    expect(r!.status, r!.detail).toBe("pass");
    expect(r!.checks.length).toBeGreaterThan(0);
    expect(r!.checks.filter((c) => !c.ok)).toEqual([]);
    expect(r!.metrics["echo.proxy.dropped"]).toBeGreaterThan(0);
    expect(r!.metrics["echo.resent"]).toBeGreaterThan(0);
    expect(r!.metrics["echo.lost"]).toBe(0);
  });
});

describe("EADDRINUSE through the CLI", () => {
  let busy: Server;
  let port: number;
  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    port = (busy.address() as { port: number }).port;
  });
  afterAll(() => busy.close());

  it.each(RUNTIMES)("%s: `serve --port <busy>` exits 1 with one line naming 127.0.0.1:<port>", (rt) => {
    const r = spawnSync(process.execPath, [BIN, "serve", "echo", "--runtime", rt, "--port", String(port)], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^netparity: EADDRINUSE: /);
    expect(lines[0]).toContain(`127.0.0.1:${port}`);
  });
});

describe("netparity run: the reliability section", () => {
  const tmp = mkdtempSync(join(tmpdir(), "netparity-rel-run-"));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it("runs the selected cases, shows them, writes them into every report and into the expectations", async () => {
    const expDir = join(tmp, "expectations");
    cpSync(DEFAULT_EXPECTATIONS_DIR, expDir, { recursive: true });
    const reportDir = join(tmp, "report");
    const args = [
      BIN,
      "run",
      "--runtimes",
      "node",
      "--scenarios",
      "echo",
      "--transports",
      "tcp",
      "--no-ipv6",
      "--no-probes",
      "--reliability",
      "defaults.loopback,frame.truncated",
      "--expectations",
      expDir,
      "--update-expectations",
      "--report-dir",
      reportDir,
    ];
    const run = spawnSync(process.execPath, args, {
      encoding: "utf8",
      timeout: 90_000,
      env: { ...process.env, NO_COLOR: "1" },
    });
    const r = { code: run.status, out: `${run.stdout}${run.stderr}` };
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/reliability\s+rows: case/);
    expect(r.out).toMatch(/frame\.truncated\s+pass/);
    expect(r.out).toContain("2 reliability results, 2 passed");
    const report = JSON.parse(readFileSync(join(reportDir, "report.json"), "utf8")) as {
      reliability: Array<{ id: string; runtime: string; status: string; verdict: string }>;
    };
    expect(report.reliability.map((x) => [x.id, x.runtime, x.status, x.verdict])).toEqual([
      ["frame.truncated", "node", "pass", "ok"],
      ["defaults.loopback", "node", "pass", "ok"],
    ]);
    expect(readFileSync(join(reportDir, "report.md"), "utf8")).toMatch(/### Reliability[\s\S]*\| `frame\.truncated`/);
    expect(readFileSync(join(reportDir, "junit.xml"), "utf8")).toMatch(
      /<testsuite name="reliability\/node [^"]+" tests="2" failures="0"/,
    );
    expect(readFileSync(join(reportDir, "report.html"), "utf8")).toContain('<h2 id="reliability">');
    const node = loadExpectations(expDir, ["node"]).node!;
    expect(node.reliability).toMatchObject({
      "defaults.loopback": { status: "supported" },
      "frame.truncated": { status: "supported" },
    });
  }, 120_000);

  it("refuses an unknown case and a bad --faults with exit 2", () => {
    const a = spawnSync(process.execPath, [BIN, "run", "--reliability", "no.such-case", "--no-probes"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/unknown reliability case no\.such-case/);
    const b = spawnSync(process.execPath, [BIN, "run", "--faults", "latency=soon"], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/--faults: latency needs a duration/);
  });
});
