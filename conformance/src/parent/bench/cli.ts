/** `netparity bench`: runs the benchmark, shows progress on stderr, writes bench.json + bench.md. */
import type { RuntimeName } from "@netparity/protocol";
import type { ApiName } from "../../in-runtime/common/apis.js";
import { multiVersionNames, type RuntimeTarget } from "../common/targets.js";
import { runtimeNames, runtimeOf } from "../common/runtime-descriptors.js";
import { runtimeBinary } from "../runner/runtimes.js";
import { renderMarkdown, writeReport } from "./report.js";
import { killAll } from "../process/harness.js";
import { runBench } from "./run.js";
import type { BenchReport, WorkloadName } from "./types.js";
import { params } from "./params.js";
import { measuredEnds, workloadSpecs } from "./plan.js";
import { baseRuntime } from "./ends.js";
import { isFixedPeerCandidate } from "./programs.js";

/** Whether any of `workloads` measures an end on `api` of one of `runtimes`. */
function measuresApi(workloads: readonly string[], runtimes: readonly RuntimeTarget[], api: ApiName): boolean {
  const names = [...new Set(runtimes.map((t) => t.name))];
  return workloadSpecs(
    { workloads: [...workloads] },
    params({ quick: true, runtimes: [], workloads: [], pin: false, binaries: {} }),
  ).some(
    (w) =>
      w.server !== null &&
      (["server", "client"] as const).some(
        (end) => (w.roles === "both" || w.roles === end) && measuredEnds(w, [api], names, end).length > 0,
      ),
  );
}

// The option parsers live apart so the CLI parses its arguments without loading the bench.
export { parseRounds, parseTarget, parseWorkloads } from "./options.js";

export interface BenchCliOptions {
  quick: boolean;
  /** Runtime targets; several versions of one runtime are measured in passes (versionPasses). */
  runtimes: RuntimeTarget[];
  /** `--apis`: the APIs asked for (default ["native"]): each workload measures the ends of those it has. */
  apis?: ApiName[];
  workloads: WorkloadName[];
  rounds?: number | "auto";
  budgetSeconds?: number;
  target?: { host: string; port: number };
  reportDir?: string;
  json: boolean;
  pin: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
}

export async function bench(o: BenchCliOptions): Promise<number> {
  const tty = process.stderr.isTTY === true;
  // A runtime without a bench agent in its descriptor is skipped with one line.
  const noBench = [...new Set(o.runtimes.filter((t) => !runtimeOf(t.name).benchAgent).map((t) => t.name))];
  if (noBench.length) {
    process.stderr.write(`netparity bench: ${noBench.join(", ")} skipped: no bench agent\n`);
    o = { ...o, runtimes: o.runtimes.filter((t) => !noBench.includes(t.name)) };
  }
  // Ctrl-C: no measured program may outlive the bench.
  const onSignal = (sig: NodeJS.Signals): void => {
    killAll();
    if (tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(`netparity bench: stopped by ${sig}\n`);
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    // An asked API that none of the asked workloads measures on any asked runtime: one line.
    const unmeasured = (o.apis ?? []).filter((a) => !measuresApi(o.workloads, o.runtimes, a));
    if (unmeasured.length)
      process.stderr.write(
        `netparity bench: --apis ${unmeasured.join(",")}: not measured by ${o.workloads.join(", ")} on ${[...new Set(o.runtimes.map((t) => t.name))].join(", ")}\n`,
      );
    const passes = versionPasses(o.runtimes);
    const multi = multiVersionNames(o.runtimes);
    const reports: BenchReport[] = [];
    for (const [i, pass] of passes.entries()) {
      const binaries = { ...o.binaries, ...Object.fromEntries(pass.map((t) => [t.name, t.binary])) };
      const tag =
        passes.length > 1
          ? `[pass ${i + 1}/${passes.length}: ${pass.map((t) => `${t.name} ${t.version}`).join(", ")}] `
          : "";
      const r = await runBench({
        quick: o.quick,
        runtimes: pass.map((t) => t.name),
        ...(o.apis ? { apis: o.apis } : {}),
        workloads: o.workloads,
        ...(o.rounds !== undefined ? { rounds: o.rounds } : {}),
        ...(o.budgetSeconds !== undefined ? { budgetSeconds: o.budgetSeconds } : {}),
        ...(o.target ? { target: o.target } : {}),
        pin: o.pin,
        binaries,
        // One fixed peer for every pass: the node the run was given, not a version under test.
        fixedPeerBinaries: Object.fromEntries(
          runtimeNames()
            .filter(isFixedPeerCandidate)
            .map((n) => [n, runtimeBinary(n, o.binaries)]),
        ),
        progress: (line, final) => {
          if (tty) process.stderr.write(`\r\x1b[2K${(tag + line).slice(0, (process.stderr.columns || 100) - 1)}`);
          else if (final) process.stderr.write(`${tag}${line}\n`);
        },
      });
      reports.push(passes.length > 1 ? relabel(r, pass, multi, i > 0) : r);
    }
    const report = mergePasses(reports);
    if (tty) process.stderr.write("\r\x1b[2K");
    if (o.reportDir) {
      const files = writeReport(o.reportDir, report);
      process.stderr.write(
        `netparity bench: wrote ${files.json} and ${files.md}${files.merged.length ? `; added the results to ${files.merged.join(", ")}` : ""}\n`,
      );
    }
    process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderMarkdown(report)}\n`);
    return report.errors.length ? 1 : 0;
  } finally {
    killAll();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/**
 * Bench runs each runtime once per pass: with several versions of one runtime, pass 1 has
 * the first version of each, pass 2 the second of those that have one, and so on, so that
 * no pass holds two versions of one runtime (results are keyed by runtime inside a pass).
 */
export function versionPasses(targets: RuntimeTarget[]): RuntimeTarget[][] {
  const passes: RuntimeTarget[][] = [];
  const seen = new Map<RuntimeName, number>();
  for (const t of targets) {
    const i = seen.get(t.name) ?? 0;
    seen.set(t.name, i + 1);
    const pass = passes[i] ?? [];
    pass.push(t);
    passes[i] = pass;
  }
  return passes;
}

/**
 * A pass's report with the runtimes that have several versions named "node 22.23.3". Later
 * passes drop the rows that do not depend on the pass (iperf3, openssl, python baselines).
 */
function relabel(r: BenchReport, pass: RuntimeTarget[], multi: Set<string>, later: boolean): BenchReport {
  const version = new Map(pass.map((t) => [t.name as string, t.version]));
  // "bun+node" of a pass with bun 1.3.0 is "bun 1.3.0+node".
  const name = (label: string): string => {
    const rt = baseRuntime(label);
    return multi.has(rt) && version.has(rt) ? `${rt} ${version.get(rt)}${label.slice(rt.length)}` : label;
  };
  const peer = (p: string | undefined): string | undefined => {
    if (!p) return p;
    const [rt, ...rest] = p.split(" ");
    return [name(rt!), ...rest].join(" ");
  };
  const runtimes = { ...(r.machine.runtimes as Record<string, string>) };
  for (const t of pass) {
    if (!multi.has(t.name)) continue;
    delete runtimes[t.name];
    runtimes[name(t.name)] = t.version;
  }
  return {
    ...r,
    machine: { ...r.machine, runtimes },
    workloads: r.workloads.map((w) => ({
      ...w,
      results: w.results
        .filter((x) => !later || version.has(baseRuntime(x.runtime)))
        .map((x) => ({ ...x, runtime: name(x.runtime), ...(x.peer !== undefined ? { peer: peer(x.peer)! } : {}) })),
    })),
    ratios: r.ratios
      .filter((x) => !later || version.has(baseRuntime(x.runtime)))
      .map((x) => ({ ...x, runtime: name(x.runtime) })),
  };
}

/** One report from the passes (one pass: that report). */
function mergePasses(reports: BenchReport[]): BenchReport {
  const [first, ...rest] = reports;
  if (!first) throw new Error("bench: no runtime to measure");
  if (!rest.length) return first;
  const workloads = first.workloads.map((w) => ({ ...w, results: [...w.results] }));
  for (const r of rest) {
    for (const w of r.workloads) {
      const into = workloads.find((x) => x.name === w.name);
      if (into) into.results.push(...w.results);
      else workloads.push({ ...w, results: [...w.results] });
    }
  }
  return {
    ...first,
    durationSeconds: Math.round(reports.reduce((n, r) => n + r.durationSeconds, 0) * 10) / 10,
    machine: {
      ...first.machine,
      runtimes: Object.assign({}, ...reports.map((r) => r.machine.runtimes as Record<string, string>)),
    },
    workloads,
    ratios: reports.flatMap((r) => r.ratios),
    skipped: [...new Set(reports.flatMap((r) => r.skipped))],
    errors: reports.flatMap((r) => r.errors),
  };
}
