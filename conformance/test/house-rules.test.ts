/**
 * The gate of `npm run lint` can fail: the folder rules (.dependency-cruiser.cjs) reject a
 * host module in in-runtime code, an in-runtime import of the parent and an upward import
 * between parent folders, and the formatter (biome.json) rejects a misformatted protocol file.
 * Each case runs the real tools on a small tree in a temporary directory, and the same tree
 * without the offending line passes, so the check is shown to pass as well as to fail.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";

const REPO = dirname(PACKAGE_ROOT);
const BIN = join(REPO, "node_modules", ".bin");
const dirs: string[] = [];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "netparity-house-"));
  dirs.push(d);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, path)), { recursive: true });
    writeFileSync(join(d, path), text);
  }
  return d;
}

function cruise(dir: string) {
  const r = spawnSync(join(BIN, "depcruise"), ["--config", join(REPO, ".dependency-cruiser.cjs"), "conformance/src"], {
    cwd: dir,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const SCENARIO = 'import { sleep } from "../common/timing.js";\nexport const echo = () => sleep(1);\n';
const TIMING = "export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));\n";

describe("folder rules", () => {
  it("a clean in-runtime tree passes", () => {
    const d = tree({
      "conformance/src/in-runtime/scenarios/echo.ts": SCENARIO,
      "conformance/src/in-runtime/common/timing.ts": TIMING,
    });
    const r = cruise(d);
    expect(r.out).toContain("no dependency violations");
    expect(r.code).toBe(0);
  });

  it('import "node:net" in the echo scenario fails', () => {
    const d = tree({
      "conformance/src/in-runtime/scenarios/echo.ts": `import "node:net";\n${SCENARIO}`,
      "conformance/src/in-runtime/common/timing.ts": TIMING,
    });
    const r = cruise(d);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(
      /in-runtime-no-host-modules: conformance\/src\/in-runtime\/scenarios\/echo\.ts → (node:)?net/,
    );
  });

  it("an in-runtime file importing the parent fails", () => {
    const d = tree({
      "conformance/src/in-runtime/scenarios/echo.ts": `import { x } from "../../parent/common/usage.js";\nexport const y = x;\n`,
      "conformance/src/parent/common/usage.ts": "export const x = 1;\n",
    });
    const r = cruise(d);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("in-runtime-imports-only-protocol-and-itself");
  });

  it("a parent folder importing a folder above it fails, below it passes", () => {
    const up = tree({
      "conformance/src/parent/report/html.ts": 'import { usage } from "../cli/usage.js";\nexport const html = usage;\n',
      "conformance/src/parent/cli/usage.ts": "export const usage = 1;\n",
    });
    const r = cruise(up);
    expect(r.code).not.toBe(0);
    expect(r.out).toContain(
      "no-upward-import: conformance/src/parent/report/html.ts → conformance/src/parent/cli/usage.ts",
    );
    const down = tree({
      "conformance/src/parent/cli/run.ts": 'import { html } from "../report/html.js";\nexport const run = html;\n',
      "conformance/src/parent/report/html.ts": "export const html = 1;\n",
    });
    expect(cruise(down).code).toBe(0);
  });
});

describe("formatter", () => {
  function biome(dir: string) {
    const r = spawnSync(join(BIN, "biome"), ["ci", "--vcs-enabled=false", "packages"], {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }
  it("a misformatted file in packages/protocol fails the check; the formatted one passes", () => {
    const bad = tree({ "packages/protocol/src/bad.ts": "export   const  x = {a:1,\n  b:2}\n" });
    cpSync(join(REPO, "biome.json"), join(bad, "biome.json"));
    const r = biome(bad);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/bad\.ts/);
    const good = tree({ "packages/protocol/src/good.ts": "export const x = { a: 1, b: 2 };\n" });
    cpSync(join(REPO, "biome.json"), join(good, "biome.json"));
    expect(biome(good).code).toBe(0);
  });
});
