/**
 * Users' own scenarios from the repository's CLI (the packed, installed copy is
 * packages.test.ts): a datagram scenario in TypeScript, and the modules `--scenario-module`
 * refuses. defineScenario's checks of a definition, one by one.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defineScenario, scenarioDefinitionProblem } from "../src/in-runtime/scenarios/user.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import { cli } from "./peer-helpers.js";

const FIXTURES = join(PACKAGE_ROOT, "test", "scenario-modules");
const QUICK = ["--no-ipv6", "--no-probes", "--no-reliability", "--no-expectations", "--json"];

describe("--scenario-module", () => {
  it("a udp scenario in TypeScript passes on node and bun both ways", () => {
    const r = cli(
      ["run", "--scenario-module", join(FIXTURES, "shout.ts"), "--runtimes", "node,bun", ...QUICK],
      300_000,
    );
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { cells: Array<{ scenario: string; transport: string; status: string }> };
    expect(report.cells).toHaveLength(4);
    for (const c of report.cells) expect(c).toMatchObject({ scenario: "shout", transport: "udp", status: "pass" });
  });

  it("a module without a valid defineScenario default export is a usage error naming the problem", () => {
    const r = cli(["run", "--scenario-module", join(FIXTURES, "invalid.mjs"), ...QUICK], 120_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid.mjs");
    expect(r.stderr).toContain('scenario name "Bad Name" must be lower-case letters, digits and dashes');
  });

  it("a module cannot take a built-in scenario's name", () => {
    const r = cli(["run", "--scenario-module", join(FIXTURES, "echo-clash.mjs"), ...QUICK], 120_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('scenario "echo" already exists');
  });

  it("a missing module file is a usage error", () => {
    const r = cli(["run", "--scenario-module", join(FIXTURES, "nope.mjs"), ...QUICK], 60_000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.mjs does not exist/);
  });
});

describe("defineScenario", () => {
  const stream = { handle() {}, client() {} };
  it("accepts a complete definition and returns it", () => {
    const def = { name: "ok-1", transports: ["tcp", "tls", "unix"] as const, ...stream };
    expect(defineScenario(def)).toBe(def);
  });
  it.each([
    [{ name: "x", transports: [], ...stream }, "transports must list at least one"],
    [{ name: "x", transports: ["sctp"], ...stream }, 'unknown transport "sctp"'],
    [{ name: "x/y", transports: ["tcp"], ...stream }, "must be lower-case letters"],
    [{ name: "x", transports: ["tcp"], handle() {} }, "transport tcp needs a client() function"],
    [{ name: "x", transports: ["udp"], ...stream }, "transport udp needs a handleDatagram() function"],
    [null, "default export must be defineScenario"],
  ])("refuses %j", (def, problem) => {
    expect(scenarioDefinitionProblem(def)).toContain(problem);
    expect(() => defineScenario(def as never)).toThrow(problem);
  });
});
