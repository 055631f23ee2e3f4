/**
 * The GitHub Actions workflows, checked by a real validator (@action-validator/cli, the
 * JSON schema of workflow files): every workflow passes, and a broken copy is rejected, so
 * the check can fail. Then what the workflow must do: the runtime-version × OS matrix with
 * the pinned specifiers, one report.json per job, the merge job, and the commands of .ci/run.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { wrapCommand } from "../src/parent/process/wrappers.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";

const REPO = join(PACKAGE_ROOT, "..");
const WORKFLOWS = join(REPO, ".github", "workflows");
const VALIDATOR = createRequire(import.meta.url).resolve("@action-validator/cli/cli.mjs");
const tmp = mkdtempSync(join(tmpdir(), "netparity-workflow-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function validate(file: string): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [VALIDATOR, file], { encoding: "utf8", timeout: 60_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const files = readdirSync(WORKFLOWS).filter((f) => /\.ya?ml$/.test(f));
const main = readFileSync(join(WORKFLOWS, "conformance.yml"), "utf8");

describe("GitHub Actions workflows", () => {
  it("there are workflow files to check", () => {
    expect(files).toContain("conformance.yml");
  });

  for (const f of files) {
    it(`${f} passes action-validator`, () => {
      const r = validate(join(WORKFLOWS, f));
      expect(r.out).toBe("");
      expect(r.code).toBe(0);
    });
  }

  it("a broken copy of the workflow is rejected, naming what is wrong", () => {
    const cases: Array<[string, string, RegExp]> = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
      ["misspelled-key.yml", main.replace("    runs-on: ${{ matrix.os }}", "    run-on: ${{ matrix.os }}"), /run-on/],
      ["bad-trigger.yml", main.replace("  pull_request:", "  pull-request:"), /pull-request/],
      [
        "bad-timeout.yml",
        main.replace("timeout-minutes: 60", "timeout-minutes: an hour"),
        /timeout-minutes|one_of|type/,
      ],
    ];
    for (const [name, text, why] of cases) {
      expect(text, name).not.toBe(main);
      const file = join(tmp, name);
      writeFileSync(file, text);
      const r = validate(file);
      expect(r.code, name).toBe(1);
      expect(r.out, name).toMatch(why);
    }
  });

  it("runs the matrix over runtime versions and operating systems with pinned specifiers", () => {
    expect(main).toMatch(/os: \[ubuntu-latest, macos-latest, windows-latest\]/);
    const targets = /target: \[([^\]]+)\]/
      .exec(main)![1]!
      .split(",")
      .map((s) => s.trim());
    expect(targets).toEqual([
      "current",
      "node@20",
      "node@22",
      "node@24",
      "node@26",
      "bun@1.2",
      "bun@1.3",
      "bun@1.4",
      "deno@2.5",
      "deno@2.7",
      "deno@2.9",
    ]);
    // Each target runs its version against the default versions of the other two runtimes.
    for (const t of targets.filter((x) => x !== "current")) {
      const name = t.split("@")[0]!;
      const others = ["node", "bun", "deno"].map((n) => (n === name ? t : n)).join(",");
      expect(main).toContain(`          - target: ${t}\n            runtimes: ${others}\n`);
    }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(main).toContain('npx netparity run --runtimes "${{ matrix.runtimes }}" --report-dir "out/$RUN_ID"');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a template
    expect(main).toContain("path: out/${{ env.RUN_ID }}/report.json");
  });

  it("merges every run's report.json, publishes report.md as the summary and the HTML as an artifact", () => {
    const report = main.slice(main.indexOf("\n  report:\n"));
    expect(report).toContain("needs: conformance");
    expect(report).toContain("if: always()");
    expect(report).toContain("pattern: run-*");
    expect(report).toContain("npx netparity merge reports/run-* --report-dir merged");
    expect(report).toMatch(/merged\/report\.md >> "\$GITHUB_STEP_SUMMARY"/);
    expect(report).toContain("path: merged/");
  });

  it("runs lint, typecheck and tests as .ci/run does", () => {
    const ci = readFileSync(join(REPO, ".ci", "run"), "utf8");
    for (const cmd of ["npm run typecheck", "npm run lint", "npm test"]) {
      expect(ci).toContain(cmd);
      expect(main).toContain(`- run: ${cmd}`);
    }
  });
});

describe("non-Linux process wrappers", () => {
  it("no descriptor-limit shell on Windows (no sh, no RLIMIT_NOFILE there)", () => {
    expect(wrapCommand("bun", ["x.js"], { fdLimit: "hard" }, "win32")).toEqual({ cmd: "bun", args: ["x.js"] });
    expect(wrapCommand("bun", ["x.js"], { fdLimit: 4096 }, "linux").cmd).toBe("sh");
    expect(wrapCommand("bun", ["x.js"], { fdLimit: 4096 }, "darwin").cmd).toBe("sh");
  });
});
