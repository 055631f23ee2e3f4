/**
 * Negative controls: the verdict (detected only by the check that names the problem), a real
 * control on Node, and the run failing (exit 1, detected false) when a control's wrong server
 * is one the client cannot tell from a right one.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { run } from "../src/parent/cli/run.js";
import { resolveSpecifier } from "../src/parent/install/resolve.js";
import type { Report } from "../src/parent/report/model.js";
import {
  CONTROLS,
  planControls,
  runControls,
  type ControlDef,
  type ControlRun,
} from "../src/parent/runner/controls.js";
import type { CellResult } from "../src/parent/runner/matrix.js";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";
import { judgeControl } from "../src/parent/verdict/controls.js";
import { SCENARIOS } from "../src/in-runtime/scenarios/index.js";

const BIN = join(PACKAGE_ROOT, "bin", "netparity.mjs");
const tmp = mkdtempSync(join(tmpdir(), "netparity-controls-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const GREET: ControlDef = {
  scenario: "greet",
  transports: ["tcp"],
  mutation: "no-bang",
  expect: { check: /messages answered "Hello, X!"$/, detail: /wrong/ },
};

function controlRun(cell: Partial<CellResult>, def: ControlDef = GREET): ControlRun {
  return {
    scenario: def.scenario,
    transport: "tcp",
    runtime: "node",
    version: "1",
    mutation: "mutation no-bang",
    description: "",
    def,
    cell: {
      scenario: def.scenario,
      transport: "tcp",
      host: "127.0.0.1",
      server: "node",
      client: "node",
      status: "fail",
      checks: [],
      metrics: {},
      durationMs: 1,
      ...cell,
    },
  };
}

describe("the verdict of a control", () => {
  const right = { name: '250 messages answered "Hello, X!"', ok: false, detail: "0 of 250 replies right, 250 wrong" };
  it("detected: the client failed with the check that names the problem", () => {
    const j = judgeControl(controlRun({ checks: [{ name: "welcome", ok: true }, right] }));
    expect(j).toMatchObject({ detected: true, outcome: "detected", check: right });
  });
  it.each([
    ["the client passed", { status: "pass" as const, checks: [{ name: right.name, ok: true }] }, "undetected"],
    [
      "it failed another check",
      { checks: [{ name: "greet client ran to completion", ok: false, detail: "ECONNRESET" }] },
      "undetected",
    ],
    ["the right check without the detail", { checks: [{ ...right, detail: "timeout" }] }, "undetected"],
    ["the client could not run", { status: "error" as const, reason: "server did not start" }, "error"],
    ["the runtime lacks the transport", { status: "unsupported" as const, reason: "lacks unix" }, "unsupported"],
  ])("not detected when %s", (_, cell, outcome) => {
    const j = judgeControl(controlRun(cell));
    expect(j.detected).toBe(false);
    expect(j.outcome).toBe(outcome);
  });
});

describe("the catalogue", () => {
  it("covers every transport of every scenario, and names only mutations the scenarios have", () => {
    for (const [name, sc] of Object.entries(SCENARIOS))
      for (const t of sc.transports)
        expect(
          CONTROLS.some((c) => c.scenario === name && c.transports.includes(t)),
          `${name}/${t}`,
        ).toBe(true);
    for (const c of CONTROLS) {
      expect(c.mutation !== undefined || c.faults !== undefined, c.scenario).toBe(true);
      if (c.mutation !== undefined) expect(Object.keys(SCENARIOS[c.scenario]!.mutations ?? {})).toContain(c.mutation);
    }
  });
  it("plans one control per scenario × transport × runtime of the selection", () => {
    const plan = planControls({ scenarios: ["greet", "time"], transports: ["tcp", "udp"], runtimes: ["node", "bun"] });
    expect(plan.map((p) => `${p.def.scenario}/${p.transport}/${p.runtime}`)).toEqual([
      "greet/tcp/node",
      "greet/tcp/bun",
      "time/tcp/node",
      "time/tcp/bun",
      "time/udp/node",
      "time/udp/bun",
    ]);
  });
});

describe("controls on Node", () => {
  it("a greet server without the '!' is detected by the check that names it", async () => {
    const [r] = await runControls({
      runtimes: ["node"],
      scenarios: ["greet"],
      transports: ["tcp"],
      catalogue: [GREET],
    });
    const j = judgeControl(r!);
    expect(j.detected, JSON.stringify(r!.cell)).toBe(true);
    expect(j.check?.detail).toMatch(/got "Hello, /);
  }, 60_000);

  it("run exits 1 with detected false when the client cannot tell the wrong server (corrupt=0, a check that is not there)", async () => {
    const undetectable: ControlDef[] = [
      // A proxy that corrupts nothing: the echo client passes, as it must.
      { scenario: "echo", transports: ["tcp"], faults: "corrupt=0", expect: { check: /^echo \d+ B$/ } },
      // The mutation is real, but the control looks for a check the client does not have.
      { ...GREET, expect: { check: /^a check the greet client does not make$/ } },
    ];
    const dir = join(tmp, "undetectable");
    const code = await run({
      runtimes: [await resolveSpecifier({ name: "node", spec: "node" })],
      scenarios: ["echo", "greet"],
      transports: ["tcp"],
      hosts: ["127.0.0.1"],
      json: false,
      binaries: {},
      extra: { size: 64 * 1024 },
      reportDir: dir,
      expectationsDir: null,
      probes: [],
      reliability: [],
      controls: undetectable,
    });
    expect(code).toBe(1);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as Report;
    expect(report.cells.every((c) => c.status === "pass")).toBe(true);
    expect(report.controls?.map((c) => [c.scenario, c.detected, c.outcome])).toEqual([
      ["echo", false, "undetected"],
      ["greet", false, "undetected"],
    ]);
    expect(report.controls?.[0]?.reason).toBe("the client passed against the wrong server");
    expect(report.summary).toMatchObject({ ok: false, controls: { total: 2, detected: 0, undetected: 2 } });
    expect(readFileSync(join(dir, "junit.xml"), "utf8")).toMatch(/<testsuite name="controls" tests="2" failures="2"/);
    expect(readFileSync(join(dir, "report.md"), "utf8")).toMatch(/### Negative controls[\s\S]*❌ undetected/);
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain('id="controls"');
  }, 90_000);

  it("netparity run --negative-controls exits 0 with every control of greet and http-get detected", () => {
    const dir = join(tmp, "cli");
    const r = spawnSync(
      process.execPath,
      [
        BIN,
        "run",
        "--negative-controls",
        "--runtimes",
        "node",
        "--scenarios",
        "greet,http-get",
        "--transports",
        "tcp",
        "--no-ipv6",
        "--no-probes",
        "--no-reliability",
        "--report-dir",
        dir,
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, "report.json"), "utf8")) as Report;
    expect(report.controls?.map((c) => `${c.scenario} ${c.mutation}: ${c.detected}`)).toEqual([
      "greet mutation no-bang: true",
      "http-get mutation changed-body: true",
      "http-get mutation short-body: true",
      "http-get mutation changed-body, client --url: true",
    ]);
    expect(report.controls?.find((c) => c.limit)?.limit).toMatch(/Content-Digest/);
    expect(r.stdout).toMatch(/4 of 4 negative controls detected/);
  }, 150_000);
});
