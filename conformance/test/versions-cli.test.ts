/**
 * Specifiers through the command line, without the network: a cache whose one entry is the
 * npm-installed bun (an exact cached version needs no registry), a registry on a closed
 * loopback port (unreachable: one line naming the specifier, exit 2), and `runtimes
 * list|prune` on that cache.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { META_FILE } from "../src/parent/install/cache.js";
import { platformPackage } from "../src/parent/install/platform.js";
import { PACKAGE_ROOT, runtimeBinary } from "../src/parent/runner/runtimes.js";

const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");
const tmp = mkdtempSync(join(tmpdir(), "netparity-versions-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const bunBinary = realpathSync(runtimeBinary("bun"));
const bunVersion = execFileSync(bunBinary, ["--version"], { encoding: "utf8" }).trim();
const cache = join(tmp, "cache");

/** The cache entry `runtimes install bun@<version>` would make, pointing at the npm-installed binary. */
function seedCache(): string {
  const plat = platformPackage("bun");
  const dir = join(cache, "bun", bunVersion);
  const binDir = join(dir, "node_modules", plat.pkg, "bin");
  mkdirSync(binDir, { recursive: true });
  symlinkSync(bunBinary, join(binDir, "bun"));
  const bin = join("node_modules", plat.pkg, plat.bin);
  writeFileSync(
    join(dir, META_FILE),
    JSON.stringify({
      name: "bun",
      version: bunVersion,
      pkg: plat.pkg,
      pkgVersion: bunVersion,
      bin,
      installedAt: new Date().toISOString(),
      installMs: 0,
    }),
  );
  return join(dir, bin);
}

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: "utf8",
    timeout: 90_000,
    // A registry nobody listens on: anything that asks it is "unreachable".
    env: { ...process.env, NO_COLOR: "1", NETPARITY_CACHE: cache, npm_config_registry: "http://127.0.0.1:9/" },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("specifiers on the command line", () => {
  it("an exact version in the cache runs without the registry, and report.json names its spec and binary", () => {
    const binary = seedCache();
    const r = cli([
      "run",
      "--runtimes",
      `node,bun@${bunVersion}`,
      "--scenarios",
      "echo",
      "--transports",
      "tcp",
      "--no-ipv6",
      "--no-probes",
      "--no-reliability",
      "--no-expectations",
      "--json",
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(
      report.runtimes.map((x: { name: string; spec: string; version: string }) => [x.name, x.spec, x.version]),
    ).toEqual([
      ["node", "node", process.versions.node],
      ["bun", `bun@${bunVersion}`, bunVersion],
    ]);
    expect(report.runtimes[1].binary).toBe(binary);
    // One version of each runtime: keys and labels name runtimes only.
    expect(report.cells.map((c: { key: string }) => c.key)).toEqual([
      "echo/tcp/127.0.0.1/node->node",
      "echo/tcp/127.0.0.1/node->bun",
      "echo/tcp/127.0.0.1/bun->node",
      "echo/tcp/127.0.0.1/bun->bun",
    ]);
    expect(report.cells.every((c: { status: string }) => c.status === "pass")).toBe(true);
  });

  it("an unreachable registry is one line naming the specifier, exit 2", () => {
    const r = cli(["run", "--runtimes", "node,deno@2.7", "--scenarios", "echo"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      "netparity: deno@2.7: the npm registry is unreachable (ECONNREFUSED at http://127.0.0.1:9)",
    ]);
  });

  it("a malformed specifier is a usage error before anything runs", () => {
    const r = cli(["client", "echo", "--runtime", "bun@not a version!", "--port", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"bun@not a version!": "not a version!" is neither a semver range nor a dist-tag');
  });

  it("runtimes list and prune", () => {
    const list = cli(["runtimes", "list", "--json"]);
    expect(list.code).toBe(0);
    expect(
      JSON.parse(list.stdout).runtimes.map((x: { name: string; version: string }) => `${x.name} ${x.version}`),
    ).toEqual([`bun ${bunVersion}`]);
    expect(cli(["runtimes", "prune", "bun"]).stdout).toContain("0 removed");
    expect(cli(["runtimes", "prune", "--dry-run"]).stdout).toContain(`would remove bun ${bunVersion}`);
    expect(cli(["runtimes", "prune"]).stdout).toContain("1 removed");
    expect(JSON.parse(cli(["runtimes", "list", "--json"]).stdout).runtimes).toEqual([]);
    // The cache held a link to the npm-installed bun: pruning removed the link, not bun.
    expect(execFileSync(bunBinary, ["--version"], { encoding: "utf8" }).trim()).toBe(bunVersion);
  });
});
