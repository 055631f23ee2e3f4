/**
 * A run that selects nothing is a usage error, never a green summary of nothing: scenarios ×
 * transports without a cell, a fault no selected cell goes through, an empty --probes or
 * --reliability list. Each exits 2 with one line that says why.
 */
import { describe, expect, it } from "vitest";
import { parseFaults } from "../src/parent/faults/index.js";
import { requireCells, requireFaultsApply, transportsWithCells } from "../src/parent/cli/selection.js";
import { cli } from "./peer-helpers.js";

const QUIET = ["--runtimes", "node", "--no-ipv6", "--no-probes", "--no-reliability", "--no-expectations"];

describe("run refuses a selection of nothing", () => {
  it.each([
    [
      "transfer over udp",
      ["--scenarios", "transfer", "--transports", "udp"],
      "netparity: --scenarios transfer with --transports udp selects no cell (transfer runs over tcp, unix, tls)",
    ],
    [
      "a udp fault on a tcp-only run",
      ["--scenarios", "echo", "--transports", "tcp", "--faults", "drop=0.5"],
      "netparity: --faults drop=0.5 applies to no selected cell (drop=0.5 acts on udp only; the cells run over tcp)",
    ],
    [
      "a tcp fault on a udp-only run",
      ["--scenarios", "echo", "--transports", "udp", "--faults", "reset=100,slicer"],
      "netparity: --faults slicer,reset=100 applies to no selected cell (slicer acts on tcp/unix/tls only; reset=100 acts on tcp/unix/tls only; the cells run over udp)",
    ],
  ])("%s: exit 2, one line", (_what, args, line) => {
    const r = cli(["run", ...args, ...QUIET], 60_000);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([line]);
  });

  it.each([["--probes"], ["--reliability"]])("%s with no id: exit 2, one line", (flag) => {
    const r = cli(["run", "--scenarios", "echo", "--transports", "tcp", flag, " , "], 30_000);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr.trim().split("\n")).toEqual([
      `netparity: ${flag} selects nothing: name at least one id, or use --no-${flag.slice(2)}`,
    ]);
  });

  it("selections with cells and faults that apply pass the checks", () => {
    expect(() => requireCells(["transfer", "echo"], ["udp"])).not.toThrow();
    expect(transportsWithCells(["transfer"], ["tcp", "udp"])).toEqual(["tcp"]);
    expect(() => requireFaultsApply(parseFaults("drop=0.5,slicer"), ["tcp", "udp"])).not.toThrow();
    expect(() => requireFaultsApply(parseFaults("latency=5ms,corrupt=0.1"), ["udp"])).not.toThrow();
    expect(() => requireFaultsApply(parseFaults("seed=3"), ["tcp"])).not.toThrow();
  });
});
