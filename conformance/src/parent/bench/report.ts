/** Renders a bench report as Markdown (the README quotes it) and writes bench.json / bench.md. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeReportFiles } from "../report/index.js";
import type { BenchSection, Report } from "../report/model.js";
import type { BenchReport, RankingEntry, Ratio, ResultEntry, WorkloadResult } from "./types.js";
import { unstableLines, verdictRows, verdictTable } from "./verdict-table.js";
import { baseRuntime } from "./ends.js";

function rate(v: number, unit: string): string {
  if (!Number.isFinite(v)) return "–";
  if (unit === "bytes/s") return `${(v / 1e9).toFixed(2)} GB/s`;
  if (unit === "bytes RSS/connection") return `${(v / 1024).toFixed(1)} KiB`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)} M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(0);
}

function bytes(n: number | null | undefined): string {
  return typeof n === "number" ? `${(n / 1024 / 1024).toFixed(0)} MiB` : "–";
}

function num(n: number | null | undefined, digits = 2): string {
  return typeof n === "number" && Number.isFinite(n) ? n.toFixed(digits) : "–";
}

function us(n: number | undefined): string {
  if (typeof n !== "number") return "–";
  return n >= 1000 ? `${(n / 1000).toFixed(1)} ms` : `${n.toFixed(0)} µs`;
}

/** ✔ met, ✘ missed, ? inconclusive; nothing for a ratio without a target. */
export function verdictMark(r: Pick<Ratio, "verdict" | "met">): string {
  const v = r.verdict ?? (r.met === undefined ? undefined : r.met ? "met" : "missed");
  return v === "met" ? " ✔" : v === "missed" ? " ✘" : v === "inconclusive" ? " ?" : "";
}

function interval(ci: readonly [number, number] | null | undefined, f: (n: number) => string): string {
  return ci ? `[${f(ci[0])}, ${f(ci[1])}]` : "";
}

function ratioText(r: Ratio): string {
  if (r.ratio === null) return "–";
  return `${r.ratio.toFixed(2)}${r.ci95 ? ` ${interval(r.ci95, (n) => n.toFixed(2))}` : ""}${verdictMark(r)}`;
}

function ratioCell(ratios: Ratio[], workload: string, runtime: string, role: string, denominator = "raw"): string {
  const r = ratios.find(
    (x) => x.workload === workload && x.runtime === runtime && x.role === role && x.denominator === denominator,
  );
  return r ? ratioText(r) : "–";
}

function cv(n: number | null | undefined): string {
  return typeof n === "number" ? `${(n * 100).toFixed(0)} %` : "–";
}

function label(e: ResultEntry): string {
  return e.impl === "adapter" ? `**${e.runtime}** adapter` : `${e.runtime} ${e.impl}`;
}

/** Under a workload's table: how far its best runtime is from the machine's limit (the reference rows). */
function referenceLines(w: WorkloadResult, ratios: readonly Ratio[]): string[] {
  const refs = ratios.filter((r) => r.workload === w.name && r.reference);
  return refs.flatMap((r) => [
    `Against a reference: ${r.name} (${r.runtime} as ${r.role}) ${ratioText(r)}; ${r.reference}.`,
    "",
  ]);
}

function workloadTable(w: WorkloadResult, ratios: readonly Ratio[] = []): string[] {
  const out: string[] = [];
  const decoder = w.name.startsWith("decoder");
  const hasLat = w.results.some((r) => r.latencyUs);
  const hasErr = w.results.some((r) => r.errors !== undefined);
  const hasLost = w.results.some((r) => r.lost !== undefined);
  out.push(`### ${w.title} (${w.unit}, ${w.higherIsBetter ? "higher" : "lower"} is better)`, "");
  const params = Object.entries(w.params)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ");
  if (params) out.push(`Parameters: ${params}.`, "");
  if (decoder) {
    out.push(
      "| runtime | decoder | frames/s median | 95% CI | min–max | CV | frames per CPU s | copied frames per pass |",
      "|---|---|---:|---:|---:|---:|---:|---:|",
    );
    for (const r of w.results) {
      out.push(
        `| ${r.runtime} | ${r.impl} | ${rate(r.median, "")}${r.unstable ? " (unstable)" : ""} | ${interval(r.ci95, (n) => rate(n, "")) || "–"} | ${rate(r.min, "")}–${rate(r.max, "")} | ${cv(r.cv)} | ${typeof r.perCpuSecond === "number" ? rate(r.perCpuSecond, "") : "–"} | ${r.copied ? `${r.copied.copied} of ${r.copied.frames}` : "–"} |`,
      );
    }
    out.push("", ...unstableLines(w, (n) => rate(n, "")));
    return out;
  }
  const cpuUnit = w.results.find((r) => r.cpuSecondsPer)?.cpuSecondsPer?.unit ?? "";
  const head = [
    "role",
    "program",
    "peer",
    "median",
    "95% CI",
    "min–max",
    "CV",
    `CPU s/${cpuUnit} (self / peer)`,
    "CPU cores (self / peer)",
    "peak RSS (self / peer)",
  ];
  if (hasLat) head.push("p50", "p99", "max");
  if (hasErr) head.push("errors");
  if (hasLost) head.push("lost");
  out.push(`| ${head.join(" | ")} |`, `|${head.map((_, i) => (i < 3 ? "---" : "---:")).join("|")}|`);
  for (const r of w.results) {
    const row = [
      r.role,
      label(r),
      r.peer ?? "",
      `${rate(r.median, w.unit)}${r.peerBound ? " (peer-bound)" : ""}${r.unstable ? " (unstable)" : ""}`,
      interval(r.ci95, (n) => rate(n, w.unit)) || "–",
      `${rate(r.min, w.unit)}–${rate(r.max, w.unit)}`,
      cv(r.cv),
      r.cpuSecondsPer ? `${num(r.cpuSecondsPer.self)} / ${num(r.cpuSecondsPer.peer)}` : "–",
      r.cpuUtilization ? `${num(r.cpuUtilization.self)} / ${num(r.cpuUtilization.peer)}` : "–",
      r.peakRssBytes !== undefined ? `${bytes(r.peakRssBytes)} / ${bytes(r.peerPeakRssBytes)}` : "–",
    ];
    if (hasLat) row.push(us(r.latencyUs?.p50), us(r.latencyUs?.p99), us(r.latencyUs?.max));
    if (hasErr) row.push(r.errors === undefined ? "–" : String(r.errors));
    if (hasLost) row.push(r.lost === undefined ? "–" : String(r.lost));
    out.push(`| ${row.join(" | ")} |`);
  }
  out.push("", ...referenceLines(w, ratios), ...unstableLines(w, (n) => rate(n, w.unit)));
  const spreadRows = w.results.filter((x) => x.connectionSpread);
  if (spreadRows.length) {
    out.push(
      "How the kernel spread the connections over the server processes (last round; Jain's fairness index, median over rounds: 1 = even, 1/N = one process took all):",
      "",
      "| program | connections per process | fairness |",
      "|---|---|---:|",
      ...spreadRows.map(
        (r) => `| ${label(r)} | ${r.connectionSpread!.perProcess.join(" / ")} | ${num(r.connectionSpread!.fairness)} |`,
      ),
      "",
    );
  }
  const loadRows = w.results.filter((x) => x.loadLevels?.length);
  if (loadRows.length) {
    out.push(
      "Latency at a fixed offered rate, from each request's intended send time (HDR histogram, medians over rounds):",
      "",
      "| program | offered (of max) | offered req/s | achieved req/s | p50 | p99 | p99.9 | max |",
      "|---|---:|---:|---:|---:|---:|---:|---:|",
    );
    for (const r of loadRows)
      for (const l of r.loadLevels!)
        out.push(
          `| ${label(r)} | ${(l.fraction * 100).toFixed(0)} % | ${rate(l.offeredPerSec, "")} | ${rate(l.achievedPerSec, "")} | ${us(l.latencyUs.p50)} | ${us(l.latencyUs.p99)} | ${us(l.latencyUs.p999)} | ${us(l.latencyUs.max)} |`,
        );
    out.push("");
  }
  const idleRows = w.results.filter((x) => x.idle);
  if (idleRows.length) {
    out.push(
      "| program | idle connections held | RSS before | RSS with them |",
      "|---|---:|---:|---:|",
      ...idleRows.map(
        (r) =>
          `| ${label(r)} | ${r.idle!.connections} | ${bytes(r.idle!.rssBeforeBytes)} | ${bytes(r.idle!.rssAfterBytes)} |`,
      ),
      "",
    );
  }
  for (const r of w.results.filter((x) => x.note)) out.push(`${label(r)}: ${r.note}.`, "");
  return out;
}

/** The summary the README quotes: one row per runtime and role, ratios against raw and baselines. */
export function summaryTable(report: BenchReport): string[] {
  const runtimes = [...new Set(report.workloads.flatMap((w) => w.results.map((r) => r.runtime)))].filter((r) =>
    ["node", "bun", "deno"].includes(r),
  );
  const rs = report.ratios;
  const conc = report.workloads.find((w) => w.name === "concurrency-1000");
  // The TLS columns only when a TLS workload ran, so the summary of a plain run keeps its shape.
  const tls = report.workloads.some((w) => w.name.startsWith("tls-"));
  const out = [
    `| runtime | role | bulk adapter/raw (≥ 0.95) | transfer adapter/raw (≥ 0.85) | echo rt/s adapter/raw (≥ 0.9) | UDP adapter/raw | bulk adapter/iperf3 | 1000 clients: adapter/raw, errors | decoder 64 B: ours/it-length-prefixed (≥ 3), frames/s (≥ 10M) |${tls ? " TLS handshakes/s adapter/raw, ECDSA (≥ 0.95) | RSA (≥ 0.95) | TLS handshakes/s adapter/openssl s_time, ECDSA / RSA | TLS bulk adapter/raw (≥ 0.95) | TLS bulk adapter/openssl speed |" : ""}`,
    `|---|---|---:|---:|---:|---:|---:|---:|---:|${tls ? "---:|---:|---:|---:|---:|" : ""}`,
  ];
  for (const rt of runtimes) {
    for (const role of ["server", "client"]) {
      const ip = rs.find(
        (x) => x.workload === "bulk" && x.denominator === "iperf3" && x.runtime === rt && x.role === role,
      );
      const c = conc?.results.find((x) => x.runtime === rt && x.impl === "adapter" && x.role === "server");
      const dec = report.workloads
        .find((w) => w.name === "decoder-64")
        ?.results.find((x) => x.runtime === rt && x.impl === "framedecoder");
      out.push(
        `| ${rt} | ${role} | ${ratioCell(rs, "bulk", rt, role)} | ${ratioCell(rs, "transfer", rt, role)} | ${ratioCell(rs, "echo", rt, role)} | ${ratioCell(rs, "udp", rt, role)} | ${ip ? ratioText(ip) : "–"} | ${
          role === "server" && c ? `${ratioCell(rs, "concurrency-1000", rt, role)}, ${c.errors ?? "–"} errors` : "–"
        } | ${role === "server" && dec ? `${ratioCell(rs, "decoder-64", rt, "decoder", "it-length-prefixed")}, ${rate(dec.median, "")}` : "–"} |${
          tls
            ? ` ${ratioCell(rs, "tls-handshake-ecdsa", rt, role)} | ${ratioCell(rs, "tls-handshake-rsa", rt, role)} | ${ratioCell(rs, "tls-handshake-ecdsa", rt, role, "openssl s_time")} / ${ratioCell(rs, "tls-handshake-rsa", rt, role, "openssl s_time")} | ${ratioCell(rs, "tls-bulk", rt, role)} | ${ratioCell(rs, "tls-bulk", rt, role, "openssl speed")} |`
            : ""
        }`,
      );
    }
  }
  return out;
}

/**
 * What an API costs over the runtime's own (`bench --apis native,node`): each `bun+node` row
 * over the `bun` row of the same workload and role, medians of per-round ratios with their
 * intervals (1.00 = as fast as the native API).
 */
export function apiCostTable(report: BenchReport): string[] {
  const rs = report.ratios.filter((r) => r.name.endsWith("/native"));
  if (!rs.length) return [];
  return [
    "| workload | end | role | over | ratio [95% CI] |",
    "|---|---|---|---|---:|",
    ...rs.map((r) => `| ${r.workload} | ${r.numerator} | ${r.role} | ${r.denominator} | ${ratioText(r)} |`),
  ];
}

/** "AMD EPYC × 2 CPUs, Linux 6.1; node 20.20.2, bun 1.4.5, deno 2.9.6": what a ranking was measured on. */
export function machineLine(report: BenchReport): string {
  const m = report.machine as Record<string, unknown> & { runtimes: Record<string, string> };
  return `${m.cpuModel} × ${m.cpuCount} CPUs, Linux ${m.kernel}; ${Object.entries(m.runtimes)
    .map(([k, v]) => `${k} ${v}`)
    .join(", ")}${m.target ? `; servers at ${m.target}` : ""}`;
}

/** One ranked runtime: "**bun** 2.10 GB/s (best)" or "deno 0.93 [0.85, 1.02] tie, 0.40 CPU s/GB". */
function rankCell(row: RankingEntry["rows"][number], unit: string): string {
  const name = row.standing === "best" ? `**${row.runtime}**` : row.runtime;
  const cost = row.cpuSecondsPer !== null ? `, ${num(row.cpuSecondsPer)} CPU s/${row.cpuUnit}` : "";
  const bound = row.peerBound ? " (peer-bound)" : "";
  if (row.standing === "best") return `${name} ${rate(row.median, unit)} (best${cost})${bound}`;
  return `${name} ${num(row.ratioToBest)}${row.ci95 ? ` ${interval(row.ci95, (n) => n.toFixed(2))}` : ""}${row.standing === "tie" ? " tie" : ""}${cost}${bound}`;
}

/** "Which runtime to deploy": per workload and role, the runtimes best first, ratios to the best with 95 % intervals. */
export function rankingTable(report: BenchReport): string[] {
  const rs = report.ranking ?? [];
  if (!rs.length) return [];
  const width = Math.max(...rs.map((r) => r.rows.length));
  const ord = ["1st", "2nd", "3rd", "4th"];
  const out = [
    `| workload | runtime as | ${Array.from({ length: width }, (_, i) => ord[i] ?? `${i + 1}th`).join(" | ")} |`,
    `|---|---|${"---|".repeat(width)}`,
  ];
  for (const r of rs)
    out.push(
      `| ${r.workload} (${r.unit}${r.higherIsBetter ? "" : ", lower is better"}) | ${r.role} | ${Array.from({ length: width }, (_, i) => (r.rows[i] ? rankCell(r.rows[i]!, r.unit) : "")).join(" | ")} |`,
    );
  return out;
}

export function renderMarkdown(report: BenchReport): string {
  const m = report.machine as Record<string, unknown> & { runtimes: Record<string, string> };
  const out: string[] = [];
  out.push(`## netparity bench${report.quick ? " (--quick: a smoke check, not a measurement)" : ""}`, "");
  out.push(
    `Measured ${report.createdAt.slice(0, 16).replace("T", " ")} UTC on ${m.cpuModel} × ${m.cpuCount} CPUs, Linux ${m.kernel}, ` +
      `load average ${(m.loadAverageAtStart as number[]).join(" ")} at start; ${m.placement}. ` +
      `Runtimes: ${Object.entries(m.runtimes)
        .map(([k, v]) => `${k} ${v}`)
        .join(", ")}; ${m.python ?? "no python"}; ${m.iperf3 ?? "no iperf3"}${m.openssl ? `; ${m.openssl}` : ""}. ` +
      `${report.rounds} interleaved round(s)${report.roundsAuto ? ` (--rounds auto: ${report.roundsAuto.outcome})` : ""}, medians with 95% bootstrap intervals, min–max and coefficient of variation; adapter/raw, an API over the runtime's own, a facade over the adapter and decoder ratios paired by round; run took ${report.durationSeconds} s. Fixed peer: ${m.fixedPeer}.`,
    "",
  );
  if (report.timing?.length)
    out.push(
      `Time per workload (calibration + measuring over ${report.rounds} round(s), spawns included): ${report.timing
        .map((t) => `${t.workload} ${t.calibrationSeconds} + ${t.measuringSeconds} s`)
        .join(", ")}.`,
      "",
    );
  if (report.ranking?.length) {
    out.push(
      "### Which runtime to deploy",
      "",
      `Measured on ${machineLine(report)}. Each runtime through netparity's adapter (an end on another API than the runtime's own is named runtime+api: bun+node is the Node adapter on Bun's node:net, workerd+wintertc the same client on a Worker's connect()), best first; the others as a ratio to the best with its 95% bootstrap interval (1.00 = as good as the best), "tie" where the interval reaches the best (this run cannot tell them apart), and the CPU seconds per unit the runtime itself spent.`,
      "",
      ...rankingTable(report),
      "",
    );
  }
  const api = apiCostTable(report);
  if (api.length)
    out.push(
      "### What each API costs over the runtime's own",
      "",
      "The same program through another API on the same runtime (bun+node: the Node adapter on Bun's node:net) over the runtime's own API, both through netparity's adapter, paired by round; below 1.00 the other API is slower.",
      "",
      ...api,
      "",
    );
  out.push(
    "### Summary: what the adapter costs, per runtime (adapter/raw and decoder: medians of per-round ratios; iperf3, openssl and Python: ratios of medians; with 95% intervals; ✔ met, ✘ missed, ? inconclusive)",
    "",
  );
  out.push(...summaryTable(report), "");
  const vt = verdictTable(report);
  if (vt.length)
    out.push(
      "### Verdicts: throughput and CPU cost",
      "",
      "Each adapter/raw target is judged twice, on the same paired rounds: the throughput ratio (at or above the target) and the ratio of the CPU seconds per unit the program under test spent (adapter over raw, lower is better, at or below 1 / the target). A row is met when either is met and neither is missed; missed when either is missed and neither is met. A peer-bound row is judged by CPU cost alone (its throughput measures the peer). Intervals of paired ratios are the exact order-statistic intervals of the median of the per-round ratios (93.75 % at 5 rounds, ≥ 95 % from 6).",
      "",
      ...vt,
      "",
    );
  const targets = report.ratios.filter((r) => r.target !== undefined);
  const by = (v: string) => targets.filter((r) => (r.verdict ?? (r.met ? "met" : "missed")) === v);
  const list = (rs: Ratio[]) =>
    rs
      .map(
        (r) =>
          `${r.name} (${r.runtime} ${r.role}: ${r.ratio === null ? "–" : `${r.ratio.toFixed(2)}${r.ci95 ? ` ${interval(r.ci95, (n) => n.toFixed(2))}` : ""}`} vs ${r.target}${r.reason ? `; ${r.reason}` : ""})`,
      )
      .join("; ");
  const missed = by("missed");
  const open = by("inconclusive");
  out.push(
    `Targets: ${by("met").length} met, ${missed.length} missed, ${open.length} inconclusive, of ${targets.length}.` +
      (missed.length ? ` Missed: ${list(missed)}.` : "") +
      (open.length ? ` Inconclusive: ${list(open)}.` : ""),
    "",
  );
  if (report.peers?.length) {
    out.push(
      "### Fixed peers (calibrated: the program with the least CPU per unit, each against itself once, a quarter of the run's sizes)",
      "",
      "| workload | peer role | program | its CPU s per unit | candidates (CPU s per unit in that role) |",
      "|---|---|---|---:|---|",
    );
    for (const c of report.peers)
      out.push(
        `| ${c.group} | ${c.role} | ${c.program} | ${c.cpuSecondsPer === null ? "–" : `${num(c.cpuSecondsPer)} / ${c.unit}`} | ${c.note ? `${c.note}${c.candidates.length ? "; " : ""}` : ""}${c.candidates.map((x) => `${x.runtime} ${x.error ? `failed (${x.error.includes("not offered") ? "role not offered" : "error"})` : num(x[c.role])}`).join(", ")} |`,
      );
    out.push(
      "",
      "A row whose peer used more than 0.8 of a core while measured is marked (peer-bound): the peer set the pace, and a target on it is inconclusive.",
      "",
    );
  }
  for (const w of report.workloads) out.push(...workloadTable(w, report.ratios));
  if (report.skipped.length) out.push("Skipped:", "", ...report.skipped.map((s) => `- ${s}`), "");
  if (report.errors.length) out.push("Errors:", "", ...report.errors.map((s) => `- ${s}`), "");
  return out.join("\n");
}

/**
 * The bench results as report.json's `bench` section (src/report/model.ts): one bar chart per
 * workload, each bar a program ("node adapter", "node raw", ...) in a role, and the latency
 * percentiles of the echo and UDP workloads as charts of their own (lower is better).
 */
export function benchSection(report: BenchReport): BenchSection {
  // "bun+node" runs on bun: its version is bun's.
  const version = (rt: string): string | undefined => {
    const runtimes = report.machine.runtimes as Record<string, string> | undefined;
    return runtimes?.[rt] ?? runtimes?.[baseRuntime(rt)];
  };
  const workloads: BenchSection["workloads"] = [];
  for (const w of report.workloads) {
    const bar = (x: ResultEntry, v: { median: number; min: number; max: number }) => ({
      runtime: `${x.runtime} ${x.impl}`,
      ...(x.role !== "decoder" ? { role: x.role } : {}),
      ...(version(x.runtime) ? { version: version(x.runtime)! } : {}),
      ...v,
    });
    workloads.push({
      name: w.name,
      unit: w.unit,
      higherIsBetter: w.higherIsBetter,
      description: w.title,
      results: w.results.map((x) => bar(x, { median: x.median, min: x.min, max: x.max })),
    });
    for (const p of ["p50", "p99", "max"] as const) {
      const withLat = w.results.filter((x) => x.latencyUs);
      if (!withLat.length || w.name.startsWith("concurrency")) continue;
      workloads.push({
        name: `${w.name} latency ${p}`,
        unit: "µs",
        higherIsBetter: false,
        description: `${w.title}: ${p} latency (HDR histogram), median over rounds`,
        results: withLat.map((x) => bar(x, { median: x.latencyUs![p], min: x.latencyUs![p], max: x.latencyUs![p] })),
      });
    }
  }
  return {
    workloads,
    ...(report.ranking?.length ? { ranking: report.ranking, rankingContext: machineLine(report) } : {}),
    ...(report.ratios.some((r) => r.target !== undefined) ? { verdicts: verdictRows(report) } : {}),
    ...(report.workloads.some((w) => w.results.some((x) => x.unstable))
      ? {
          unstable: report.workloads.flatMap((w) =>
            w.results
              .filter((x) => x.unstable)
              .map((x) => ({
                workload: w.name,
                row: `${x.runtime} ${x.impl}${x.role === "decoder" ? "" : ` as ${x.role}`}`,
                reason: x.unstable!,
                samples: x.samples,
              })),
          ),
        }
      : {}),
  };
}

export function writeReport(dir: string, report: BenchReport): { json: string; md: string; merged: string[] } {
  mkdirSync(dir, { recursive: true });
  const json = join(dir, "bench.json");
  const md = join(dir, "bench.md");
  writeFileSync(json, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(md, `${renderMarkdown(report)}\n`);
  // A conformance report already in this directory (`netparity run --report-dir`) gets the
  // bench section, so report.html shows the charts next to the matrix.
  let merged: string[] = [];
  const runReport = join(dir, "report.json");
  if (existsSync(runReport)) {
    try {
      const r = JSON.parse(readFileSync(runReport, "utf8")) as Report;
      r.bench = benchSection(report);
      merged = writeReportFiles(dir, r);
    } catch (e) {
      process.stderr.write(`netparity bench: could not add the results to ${runReport}: ${(e as Error).message}\n`);
    }
  }
  return { json, md, merged };
}
