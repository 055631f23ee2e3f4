/**
 * netparity as another project gets it: every package packed with `npm pack` (from a copy of
 * the sources, so the build of the pack leaves this tree's dist/ alone), the tarballs
 * installed into an empty project outside the repository (third-party dependencies from the
 * registry), and `npx netparity` run there with a scenario of that project's own, `init`'s
 * files, and the reusable action's run step. Workflows and action.yml are checked with
 * action-validator.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import { RUN_COMMAND, WORKFLOW } from "../src/parent/cli/init-files.js";
import { spawnJson } from "./peer-helpers.js";
import { type InstalledTarballs, REPO, installTarballs, removeInstalled, sh } from "./source-copy.js";

const FIXTURES = join(PACKAGE_ROOT, "test", "scenario-modules");
const VALIDATOR = join(REPO, "node_modules", ".bin", "action-validator");
const WORKSPACES = [
  "@netparity/protocol",
  "@netparity/runtime-node",
  "@netparity/runtime-bun",
  "@netparity/runtime-deno",
  "netparity",
];

interface ReportCell {
  scenario: string;
  host: string;
  server: string;
  client: string;
  status: string;
  reason?: string;
}

function reportCells(dir: string): ReportCell[] {
  return (JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as { cells: ReportCell[] }).cells;
}

describe("installed from the packed tarballs, in an empty project", () => {
  let installed: InstalledTarballs | undefined;
  let packDir = "";
  let project = "";
  let tarballs: string[] = [];

  beforeAll(() => {
    installed = installTarballs(WORKSPACES, "my-protocol");
    ({ packDir, project, tarballs } = installed);
    for (const f of ["reverse.mjs", "reverse-broken.mjs", "throws.mjs"])
      copyFileSync(join(FIXTURES, f), join(project, f));
  }, 900_000);

  afterAll(() => removeInstalled(installed));

  it("each tarball ships built JavaScript, declarations and a README, and no sources", () => {
    for (const t of tarballs) {
      const list = sh("tar", ["tzf", t], packDir, 30_000).stdout.split("\n");
      expect(list, t).toContain("package/README.md");
      expect(
        list.some((f) => /^package\/dist\/(types\/)?index\.d\.ts$/.test(f)),
        `${t}: declarations`,
      ).toBe(true);
      expect(list, t).toContain("package/dist/index.js");
      expect(
        list.filter((f) => f.startsWith("package/src/")),
        t,
      ).toEqual([]);
    }
    // Bun and Deno came with netparity, as npm packages.
    for (const bin of ["bun", "deno", "netparity"])
      expect(existsSync(join(project, "node_modules", ".bin", bin)), bin).toBe(true);
  });

  // On ::1 too: `init`'s command below runs the starter scenario on both hosts.
  it("a project's own scenario passes every reverse cell on all 9 pairs", () => {
    const r = sh(
      "npx",
      [
        "netparity",
        "run",
        "--scenario-module",
        "./reverse.mjs",
        "--no-ipv6",
        "--no-probes",
        "--no-reliability",
        "--no-expectations",
        "--report-dir",
        "out-reverse",
      ],
      project,
      300_000,
    );
    expect(r.code, r.out).toBe(0);
    const cells = reportCells(join(project, "out-reverse"));
    expect(cells.map((c) => c.scenario).every((s) => s === "reverse")).toBe(true);
    expect(cells).toHaveLength(9);
    expect(new Set(cells.map((c) => `${c.server}->${c.client}`)).size).toBe(9);
    for (const c of cells) expect(c.status, `${c.server}->${c.client} ${c.host}: ${c.reason}`).toBe("pass");
    for (const f of ["report.json", "report.md", "report.html", "junit.xml"])
      expect(existsSync(join(project, "out-reverse", f)), f).toBe(true);
  });

  it("a server that does not reverse fails every cell and exit 1 names the failed check", () => {
    const r = sh(
      "npx",
      [
        "netparity",
        "run",
        "--scenario-module",
        "./reverse-broken.mjs",
        "--runtimes",
        "node,deno",
        "--no-ipv6",
        "--no-probes",
        "--no-reliability",
        "--no-expectations",
        "--report-dir",
        "out-broken",
      ],
      project,
      300_000,
    );
    expect(r.code, r.out).toBe(1);
    expect(r.stdout).toMatch(
      /FAIL reverse\/tcp server=\w+ client=\w+: reversed: sent "hello from \w+", got "hello from \w+"/,
    );
    const cells = reportCells(join(project, "out-broken"));
    expect(cells).toHaveLength(4);
    for (const c of cells) {
      expect(c.status).toBe("fail");
      expect(c.reason).toMatch(/^reversed: sent/);
    }
  });

  it("a client's thrown error fails the cell with the error's code, keeping the checks before it", () => {
    const r = sh(
      "npx",
      ["netparity", "client", "throws", "--scenario-module", "./throws.mjs", "--runtime", "bun", "--port", "9"],
      project,
      120_000,
    );
    // Nothing listens on port 9 (discard): the connection itself fails with its code.
    expect(r.code, r.out).toBe(1);
    expect(JSON.parse(r.stdout.trim().split("\n").at(-1)!)).toMatchObject({
      event: "result",
      ok: false,
      error: { code: "ECONNREFUSED" },
    });
    const run = sh(
      "npx",
      [
        "netparity",
        "run",
        "--scenario-module",
        "./throws.mjs",
        "--runtimes",
        "node,deno",
        "--no-ipv6",
        "--no-probes",
        "--no-reliability",
        "--no-expectations",
        "--report-dir",
        "out-throws",
      ],
      project,
      300_000,
    );
    expect(run.code, run.out).toBe(1);
    expect(run.stdout).toContain("FAIL throws/tcp server=node client=deno: EPROTO_NO: the protocol said no");
    const cells = reportCells(join(project, "out-throws")) as Array<
      ReportCell & { checks: Array<{ name: string; ok: boolean }> }
    >;
    expect(cells).toHaveLength(4);
    for (const c of cells) {
      expect(c.status).toBe("fail");
      expect(c.checks.map((k) => [k.name, k.ok])).toEqual([
        ["connected", true],
        ["throws client ran to completion", false],
      ]);
    }
  });

  it("serve and client --scenario-module run one side each, across runtimes", async () => {
    const server = spawnJson(
      join(project, "node_modules", ".bin", "netparity"),
      ["serve", "reverse", "--scenario-module", join(project, "reverse.mjs"), "--runtime", "deno"],
      {},
      60_000,
    );
    try {
      const ready = (await server.first) as { event: string; port: number };
      expect(ready).toMatchObject({ event: "listening", scenario: "reverse", runtime: "deno" });
      const r = sh(
        "npx",
        [
          "netparity",
          "client",
          "reverse",
          "--scenario-module",
          "./reverse.mjs",
          "--runtime",
          "bun",
          "--port",
          String(ready.port),
        ],
        project,
        120_000,
      );
      expect(r.code, r.out).toBe(0);
      expect(JSON.parse(r.stdout.trim().split("\n").at(-1)!)).toMatchObject({
        event: "result",
        ok: true,
        runtime: "bun",
      });
    } finally {
      await server.stop();
    }
  });

  it("netparity init writes files that run green, and never overwrites one", () => {
    const first = sh("npx", ["netparity", "init"], project, 60_000);
    expect(first.code, first.out).toBe(0);
    expect(first.stdout).toContain(`wrote ${WORKFLOW}`);
    const workflowPath = join(project, WORKFLOW);
    const workflow = readFileSync(workflowPath, "utf8");
    // The workflow runs exactly the command this test runs.
    expect(workflow).toContain(`run: ${RUN_COMMAND}`);
    const valid = sh(VALIDATOR, [workflowPath], project, 60_000);
    expect(valid.code, valid.out).toBe(0);

    writeFileSync(workflowPath, "# mine\n");
    const second = sh("npx", ["netparity", "init"], project, 60_000);
    expect(second.code, second.out).toBe(0);
    expect(second.stdout).toContain(`skipped ${WORKFLOW}`);
    expect(second.stdout).not.toContain("wrote ");
    expect(readFileSync(workflowPath, "utf8")).toBe("# mine\n");

    // The workflow's command, on one runtime: every pairing of a module scenario from the
    // installed package is the reverse test's above; this one proves the files init wrote.
    const [cmd, ...args] = RUN_COMMAND.split(" ");
    const r = sh(cmd!, [...args, "--runtimes", "node"], project, 400_000);
    expect(r.code, r.out).toBe(0);
    const cells = reportCells(join(project, "netparity-report"));
    // tcp and tls, 127.0.0.1 and ::1.
    expect(cells.length).toBe(4);
    expect(new Set(cells.map((c) => c.host))).toEqual(new Set(["127.0.0.1", "::1"]));
    expect(cells.every((c) => c.status === "pass")).toBe(true);
  });

  it("the action's run step passes its inputs through to netparity run", () => {
    const action = readFileSync(join(PACKAGE_ROOT, "action.yml"), "utf8");
    const script = runStepScript(action);
    const output = join(project, "github-output");
    writeFileSync(output, "");
    const r = sh("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", script], project, 300_000, {
      GITHUB_OUTPUT: output,
      NP_MODULES: "./reverse.mjs\n, ./throws.mjs",
      NP_RUNTIMES: "node,bun",
      NP_REPORT_DIR: "out-action",
      NP_EXPECTATIONS: "",
      NP_ARGS: "--scenarios reverse --no-ipv6 --no-probes --no-reliability --no-expectations",
    });
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(output, "utf8")).toBe("exit-code=0\n");
    const cells = reportCells(join(project, "out-action"));
    expect(cells).toHaveLength(4);
    expect(cells.every((c) => c.scenario === "reverse" && c.status === "pass")).toBe(true);
  });
});

/** The `run` script of the step with `id: run` in action.yml (a block scalar). */
function runStepScript(action: string): string {
  const lines = action.split("\n");
  const id = lines.findIndex((l) => /^\s+id: run$/.test(l));
  expect(id).toBeGreaterThan(0);
  const start = lines.findIndex((l, i) => i > id && /^\s+run: \|$/.test(l));
  const indent = /^(\s*)/.exec(lines[start + 1]!)![1]!.length;
  const body: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.trim() !== "" && /^(\s*)/.exec(l)![1]!.length < indent) break;
    body.push(l.slice(indent));
  }
  return body.join("\n");
}

describe("action.yml and workflows, checked by action-validator", () => {
  it("conformance/action.yml is a valid action", () => {
    const r = sh(VALIDATOR, [join(PACKAGE_ROOT, "action.yml")], PACKAGE_ROOT, 60_000);
    expect(r.code, r.out).toBe(0);
  });

  it("the validator rejects a broken copy (the check can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "netparity-action-"));
    try {
      const broken = readFileSync(join(PACKAGE_ROOT, "action.yml"), "utf8").replace(
        "using: composite",
        "using: nonsense",
      );
      writeFileSync(join(dir, "action.yml"), broken);
      const r = sh(VALIDATOR, [join(dir, "action.yml")], dir, 60_000);
      expect(r.code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
