/**
 * A report built from made-up results that exercise every rendering path: passes, an
 * unexpected failure, a known failure with an issue link, an unsupported cell, probes that
 * agree, differ, error and changed, a bench section, and text that needs escaping.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { ProbeResult } from "../src/in-runtime/probes/types.js";
import { judgeRun, type Expectations } from "../src/parent/verdict/index.js";
import { buildReport, type BenchSection, type Report } from "../src/parent/report/model.js";
import type { CellResult, RuntimeInfo } from "../src/parent/runner/matrix.js";
import type { RuntimeProbes } from "../src/parent/runner/probes.js";

export const RTS: RuntimeName[] = ["node", "bun", "deno"];

export function sampleInputs() {
  const runtimes: RuntimeInfo[] = [
    { name: "node", version: "20.20.2", features: { tcp: true, udp: true, unix: true } },
    { name: "bun", version: "1.4.5", features: { tcp: true, udp: true, unix: true } },
    { name: "deno", version: "2.9.6", features: { tcp: true, udp: true, unix: false } },
  ];
  const cells: CellResult[] = [];
  for (const [scenario, transport] of [
    ["echo", "tcp"],
    ["echo", "unix"],
    ["time", "udp"],
  ] as const) {
    for (const server of RTS)
      for (const client of RTS) {
        const host = transport === "unix" ? "unix" : "127.0.0.1";
        let status: CellResult["status"] = "pass";
        let reason: string | undefined;
        if (transport === "unix" && (server === "deno" || client === "deno")) {
          status = "unsupported";
          reason = "deno 2.9.6 lacks unix";
        }
        if (scenario === "time" && server === "bun" && client === "node") {
          status = "fail";
          reason = "reply <\"%Y\"> & 'quotes' differ | pipe";
        }
        if (scenario === "time" && server === "deno" && client === "deno") {
          status = "error";
          reason = "client deno: ETIMEDOUT";
        }
        cells.push({
          scenario,
          transport,
          host,
          server,
          client,
          status,
          ...(reason ? { reason } : {}),
          checks: [
            { name: "bytes back", ok: status === "pass", ...(status === "pass" ? {} : { detail: reason ?? "" }) },
          ],
          metrics:
            transport === "tcp"
              ? { bulkBytesPerSec: 200e6 + 10e6 * cells.length }
              : transport === "udp"
                ? { rttMedianMs: 0.1 + cells.length / 100 }
                : {},
          durationMs: 300 + 17 * cells.length,
        });
      }
  }
  const probe = (id: string, outcome: string, extra: Partial<ProbeResult> = {}): ProbeResult => ({
    id,
    title: `title of ${id}`,
    outcome,
    evidence: { n: 1, text: "<b>&</b>" },
    explanation: `what ${id} showed.`,
    ms: 3,
    ...extra,
  });
  const probes: RuntimeProbes[] = RTS.map((rt) => ({
    runtime: rt,
    version: runtimes.find((r) => r.name === rt)!.version,
    results: [
      probe("tcp.half-close", "server writes after FIN"),
      probe("tcp.nodelay-default", rt === "bun" ? "nagle off (noDelay true)" : "nagle on (noDelay false)"),
      probe("udp.max-datagram", "65507"),
      probe("unix.roundtrip", rt === "deno" ? "unsupported" : "supported"),
      probe("err.econnrefused", rt === "deno" ? "ECONNREFUSED (ConnectionRefused)" : "ECONNREFUSED (Error)"),
      probe(
        "tcp.reuseport",
        rt === "node" ? "error" : "both listen",
        rt === "node" ? { error: { code: "Error", message: "boom" } } : {},
      ),
    ],
  }));
  // Expectations: one known failure with an issue, one probe whose expected outcome changed.
  const expectations: Expectations = {
    bun: {
      schema: "netparity.expectations/1",
      runtime: "bun",
      version: "1.4.4",
      cells: {
        "time/udp/127.0.0.1/bun->node": { status: "known-failing", issue: "https://github.com/oven-sh/bun/issues/1" },
      },
      probes: { "tcp.nodelay-default": { status: "supported", outcome: "nagle on (noDelay false)" } },
    },
  };
  return { runtimes, cells, probes, expectations };
}

/** The machine every constructed report names. */
export const SAMPLE_MACHINE = {
  os: "Test OS",
  platform: "linux",
  arch: "x64",
  kernel: "6.1.0-test",
  cpuModel: "Test CPU",
  cpuCount: 2,
  memoryBytes: 4 * 1024 ** 3,
};

export const SAMPLE_BENCH: BenchSection = {
  workloads: [
    {
      name: "echo throughput 64 KiB",
      unit: "MiB/s",
      results: [
        { runtime: "node", role: "server", median: 900, min: 850, max: 950 },
        { runtime: "bun", role: "server", median: 1200, min: 1100, max: 1300 },
        { runtime: "deno", role: "server", median: 1000, min: 980, max: 1050 },
      ],
    },
    {
      name: "connect latency",
      unit: "µs",
      higherIsBetter: false,
      results: [
        { runtime: "node", median: 80, min: 60, max: 120 },
        { runtime: "bun", median: 40, min: 30, max: 70 },
        { runtime: "deno", median: 55, min: 50, max: 90 },
      ],
    },
  ],
};

export function sampleReport(withBench = true): Report {
  const i = sampleInputs();
  const selection = {
    runtimes: RTS,
    scenarios: ["echo", "time"],
    transports: ["tcp", "udp", "unix"],
    hosts: ["127.0.0.1"],
  };
  const verdicts = judgeRun({
    dir: "/tmp/expectations",
    expectations: i.expectations,
    selection,
    runtimes: i.runtimes,
    cells: i.cells,
    probes: i.probes,
  });
  return buildReport({
    command: ["netparity", "run", "--report-dir", "out"],
    toolVersion: "0.1.0",
    selection,
    runtimes: i.runtimes.map((r) => ({ ...r, binary: `/usr/bin/${r.name}` })),
    verdicts,
    durationMs: 12345,
    machine: SAMPLE_MACHINE,
    generatedAt: "2025-01-01T00:00:00.000Z",
    ...(withBench ? { bench: SAMPLE_BENCH } : {}),
  });
}

/**
 * The sample run again with another node version whose behaviour moved: `tcp.reuseport`
 * changes outcome (as it did in node 22.12), one echo/tcp cell fails, and the node server's
 * throughput moves well outside its spread. With `same`, only the version changes.
 */
export function sampleReportWithNode(version: string, o: { same?: boolean } = {}): Report {
  const i = sampleInputs();
  i.runtimes.find((r) => r.name === "node")!.version = version;
  const node = i.probes.find((p) => p.runtime === "node")!;
  node.version = version;
  if (!o.same) {
    const rp = node.results.find((p) => p.id === "tcp.reuseport")!;
    rp.outcome = "both listen";
    delete rp.error;
    const cell = i.cells.find(
      (c) => c.scenario === "echo" && c.transport === "tcp" && c.server === "node" && c.client === "deno",
    )!;
    cell.status = "fail";
    cell.reason = "echoed bytes differ at offset 3";
  }
  const selection = {
    runtimes: RTS,
    scenarios: ["echo", "time"],
    transports: ["tcp", "udp", "unix"],
    hosts: ["127.0.0.1"],
  };
  const verdicts = judgeRun({
    dir: "/tmp/expectations",
    expectations: i.expectations,
    selection,
    runtimes: i.runtimes,
    cells: i.cells,
    probes: i.probes,
  });
  const bench: BenchSection = JSON.parse(JSON.stringify(SAMPLE_BENCH));
  for (const w of bench.workloads)
    for (const x of w.results) x.version = i.runtimes.find((r) => r.name === x.runtime)!.version;
  if (!o.same) Object.assign(bench.workloads[0]!.results[0]!, { median: 1400, min: 1350, max: 1450 });
  return buildReport({
    command: ["netparity", "run", "--node-bin", `/opt/node-${version}/bin/node`],
    toolVersion: "0.1.0",
    selection,
    runtimes: i.runtimes.map((r) => ({ ...r, binary: `/usr/bin/${r.name}` })),
    verdicts,
    durationMs: 23456,
    machine: SAMPLE_MACHINE,
    generatedAt: "2025-01-02T00:00:00.000Z",
    bench,
  });
}
