/**
 * The weekly results workflow (.github/workflows/results-site.yml): its shape (a weekly
 * schedule, the latest release of each runtime, Pages), and its data steps run here exactly as
 * the workflow writes them, on recorded reports: in a scratch repository with a bare remote,
 * two weeks keep their report.json on the data branch (the first creates it), and the site is
 * built from everything the branch holds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { SiteDataset } from "../src/parent/report/site-data.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import { BIN } from "./peer-helpers.js";

const REPO = join(PACKAGE_ROOT, "..");
const WORKFLOW = readFileSync(join(REPO, ".github", "workflows", "results-site.yml"), "utf8");
const FIXTURES = join(import.meta.dirname, "fixtures", "site");
const tmp = mkdtempSync(join(tmpdir(), "netparity-site-workflow-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The `run:` line of the step named `name`. */
function stepRun(name: string): string {
  const m = new RegExp(`- name: ${name}\\n\\s+run: (.+)\\n`).exec(WORKFLOW);
  expect(m, `step "${name}"`).not.toBeNull();
  return m![1]!.trim();
}

const git = (cwd: string, ...args: string[]): string =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
    cwd,
    encoding: "utf8",
  });

describe("the weekly results workflow", () => {
  it("runs weekly on the latest release of each runtime and publishes to GitHub Pages", () => {
    const cron = /schedule:\n\s+- cron: "([^"]+)"/.exec(WORKFLOW)?.[1];
    expect(cron).toBeDefined();
    const [min, hour, dom, month, dow] = cron!.split(" ");
    expect([dom, month]).toEqual(["*", "*"]);
    expect(dow).toMatch(/^[0-6]$/);
    expect(Number(min)).toBeLessThan(60);
    expect(Number(hour)).toBeLessThan(24);
    expect(WORKFLOW).toMatch(/RUNTIMES: node@latest,bun@latest,deno@latest/);
    expect(WORKFLOW).toMatch(/npx netparity run --runtimes "\$RUNTIMES" --report-dir out/);
    expect(WORKFLOW).toMatch(/npx netparity bench --runtimes "\$RUNTIMES" --report-dir out/);
    expect(WORKFLOW).toMatch(/uses: actions\/upload-pages-artifact@v3\n\s+with:\n\s+path: site/);
    expect(WORKFLOW).toMatch(/uses: actions\/deploy-pages@v4/);
    expect(WORKFLOW).toMatch(/pages: write/);
    expect(WORKFLOW).toMatch(/contents: write/);
  });

  it("its steps, run here: two weeks of reports kept on the data branch, the site built from both", () => {
    const keep = stepRun("Keep the dated report on the results-data branch");
    const build = stepRun("Build the site from every kept report");
    expect(keep).toBe("bash conformance/scripts/keep-report.sh out/report.json results-data results-data");
    expect(build).toBe("bash conformance/scripts/build-site.sh results-data/reports site");

    // A scratch repository like the workflow's checkout, with a bare remote as origin.
    const origin = join(tmp, "origin.git");
    git(tmp, "init", "--quiet", "--bare", "--initial-branch=main", origin);
    const seed = join(tmp, "seed");
    git(tmp, "init", "--quiet", "--initial-branch=main", seed);
    mkdirSync(join(seed, "conformance"), { recursive: true });
    cpSync(join(PACKAGE_ROOT, "scripts"), join(seed, "conformance", "scripts"), { recursive: true });
    git(seed, "add", ".");
    git(seed, "commit", "--quiet", "-m", "code");
    git(seed, "remote", "add", "origin", origin);
    git(seed, "push", "--quiet", "origin", "main");

    const env = { ...process.env, NETPARITY_CLI: `${process.execPath} ${BIN}`, GIT_AUTHOR_NAME: "test" };
    const week = (n: number, fixture: string) => {
      // Each week is a fresh checkout, as on a fresh runner.
      const work = join(tmp, `week-${n}`);
      git(tmp, "clone", "--quiet", origin, work);
      mkdirSync(join(work, "out"));
      cpSync(join(FIXTURES, fixture, "report.json"), join(work, "out", "report.json"));
      for (const cmd of [keep, build]) {
        const r = spawnSync("bash", ["-c", cmd], {
          cwd: work,
          env: { ...env, GIT_COMMITTER_NAME: "test", GIT_COMMITTER_EMAIL: "test@example.invalid" },
          encoding: "utf8",
          timeout: 120_000,
        });
        expect(r.status, `${cmd}\n${r.stdout}${r.stderr}`).toBe(0);
      }
      return work;
    };
    week(1, "run-a");
    const work = week(2, "run-b");

    // The branch holds both weeks' reports, one directory each, named by the run's start.
    const tree = git(tmp, "--git-dir", origin, "ls-tree", "-r", "--name-only", "results-data").trim().split("\n");
    expect(tree).toHaveLength(2);
    for (const f of tree) expect(f).toMatch(/^reports\/\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\/report\.json$/);
    // Nothing of the code on the data branch, and the code branch untouched.
    expect(git(tmp, "--git-dir", origin, "log", "--oneline", "main").trim().split("\n")).toHaveLength(1);

    // The second week's site has both runs.
    const data = JSON.parse(readFileSync(join(work, "site", "data", "site.json"), "utf8")) as SiteDataset;
    expect(data.runs).toHaveLength(2);
    expect(existsSync(join(work, "site", "index.html"))).toBe(true);
    expect(existsSync(join(work, "site", ".nojekyll"))).toBe(true);

    // The same week again keeps nothing twice.
    const again = spawnSync(
      "bash",
      ["-c", keep.replace("results-data results-data", "results-data-again results-data")],
      {
        cwd: work,
        env,
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already has reports\//);
  });

  it("build-site.sh without any report is an error, exit 2", () => {
    const empty = join(tmp, "empty");
    mkdirSync(empty);
    const r = spawnSync("bash", [join(PACKAGE_ROOT, "scripts", "build-site.sh"), empty, join(tmp, "nosite")], {
      encoding: "utf8",
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no \*\/report\.json under/);
  });
});
