/**
 * `netparity run` end to end on a small selection: the report files, and the expectations
 * workflow against a temporary copy of the committed expectations (hand edit -> exit 1 with
 * a clear diff; --update-expectations -> clean again).
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { XMLParser } from "fast-xml-parser";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_EXPECTATIONS_DIR } from "../src/parent/cli/run.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";

const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");
const tmp = mkdtempSync(join(tmpdir(), "netparity-run-"));
const expDir = join(tmp, "expectations");
const out = join(tmp, "out");
cpSync(DEFAULT_EXPECTATIONS_DIR, expDir, { recursive: true });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const PROBE_IDS = ["udp.max-datagram", "err.econnrefused", "tcp.half-close"];
const SMALL = [
  "run",
  "--scenarios",
  "echo",
  "--transports",
  "tcp",
  "--no-ipv6",
  "--probes",
  PROBE_IDS.join(","),
  "--no-reliability",
  "--expectations",
  expDir,
  // The echo cells' sizes up to 64 KiB: the run's plumbing is under test here, not the payload.
  "--size",
  "64KiB",
];
/** The expectations workflow needs only the cells and probe results the hand edit touches (bun, node->bun). */
const TWO = [...SMALL, "--runtimes", "node,bun"];

function cli(args: string[]) {
  // spawnSync kills the child on timeout; the agents it started are stopped by the CLI itself.
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    timeout: 80_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("netparity run", () => {
  it("--report-dir writes report.json, report.md, junit.xml and report.html; exit 0 when results match", () => {
    const r = cli([...SMALL, "--report-dir", out]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const f of ["report.json", "report.md", "junit.xml", "report.html"])
      expect(existsSync(join(out, f)), f).toBe(true);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(report.schema).toBe("netparity.report/1");
    expect(report.cells).toHaveLength(9);
    expect(report.probes).toHaveLength(9);
    expect(report.runtimes.map((x: { name: string }) => x.name)).toEqual(["node", "bun", "deno"]);
    for (const x of report.runtimes) expect(x.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(report.machine.cpuCount).toBeGreaterThan(0);
    expect(report.expectations.ok).toBe(true);
    const junit = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@" }).parse(
      readFileSync(join(out, "junit.xml"), "utf8"),
    );
    expect(Number(junit.testsuites["@tests"])).toBe(18);
    expect(Number(junit.testsuites["@failures"])).toBe(0);
    expect(readFileSync(join(out, "report.md"), "utf8")).toContain("| server \\ client | node | bun | deno |");
    // The terminal shows the matrix and the probe table.
    expect(r.stdout).toContain("echo/tcp");
    expect(r.stdout).toContain("behaviour probes");
    expect(r.stdout).toMatch(/udp\.max-datagram\s+65507\s+65507\s+65507/);
  });

  it("a hand-edited expectation fails the run with a clear diff", () => {
    const path = join(expDir, "bun.json");
    const f = JSON.parse(readFileSync(path, "utf8"));
    f.probes["udp.max-datagram"] = { status: "supported", outcome: "9216", note: "hand edit" };
    f.cells["echo/tcp/127.0.0.1/node->bun"] = {
      status: "known-failing",
      issue: "https://github.com/oven-sh/bun/issues/1",
    };
    writeFileSync(path, JSON.stringify(f, null, 2));
    const r = cli(TWO);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain(`2 differences from the expectations in ${expDir}`);
    expect(r.stdout).toContain('changed: probe udp.max-datagram [bun]: expected "9216", got "65507"');
    expect(r.stdout).toContain("unexpected-pass: cell echo/tcp/127.0.0.1/node->bun: expected known-failing, got pass");
    expect(r.stdout).toContain("known issue: https://github.com/oven-sh/bun/issues/1");
    expect(r.stdout).toContain("--update-expectations");
  });

  it("--update-expectations rewrites the files, keeps entries that were not run, and the next run is clean", () => {
    const before = JSON.parse(readFileSync(join(expDir, "bun.json"), "utf8"));
    const r = cli([...TWO, "--update-expectations"]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`updated ${join(expDir, "bun.json")}`);
    const after = JSON.parse(readFileSync(join(expDir, "bun.json"), "utf8"));
    expect(after.probes["udp.max-datagram"]).toEqual({ status: "supported", outcome: "65507" });
    expect(after.cells["echo/tcp/127.0.0.1/node->bun"]).toEqual({ status: "supported" });
    // Not selected in this run, so untouched.
    expect(after.probes["tcp.nodelay-default"]).toEqual(before.probes["tcp.nodelay-default"]);
    expect(Object.keys(after.cells).length).toBe(Object.keys(before.cells).length);
    const again = cli(TWO);
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(again.stdout).toContain("all results match the expectations");
  });

  it("usage errors exit 2 with one line", () => {
    const r = cli(["run", "--probes", "no.such-probe", "--expectations", expDir]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^netparity: unknown probe no\.such-probe/);
    const bad = cli(["run", "--update-expectations", "--no-expectations"]);
    expect(bad.code).toBe(2);
  });
});
