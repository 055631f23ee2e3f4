/**
 * `netparity bench`: which runtime to deploy, with evidence. Each workload is run with each
 * runtime as the server (against one fixed client) and as the client (against one fixed
 * server), through our adapter and through the runtime's raw API, plus the baselines
 * (iperf3, a thread-per-connection Python server, the decoder microbenchmark), in
 * interleaved rounds; medians with min–max, CPU seconds per unit and peak RSS from /proc.
 * The TLS workloads use one throwaway certificate set per key type, made here for the run
 * and removed at its end.
 *
 * This file runs the rounds; plan.ts picks the cells, execute.ts runs one, aggregate.ts and
 * ratios.ts turn samples into the report.
 */
import type { RuntimeName } from "@netparity/protocol";
import { cpus, loadavg, release, totalmem, availableParallelism } from "node:os";
import type { BenchTlsFiles } from "../../in-runtime/bench/protocol.js";
import { writeCertificates, type CertificateFiles, type KeyType } from "../certs/generate.js";
import { runtimeVersion } from "../runner/runtimes.js";
import { aggregate } from "./aggregate.js";
import { runCell, runIperf, runSTime, runSpeed, type Sample } from "./execute.js";
import { fmt } from "./format.js";
import { params } from "./params.js";
import { describeCell, keyTypesFor, planCells, targetCells, type Cell } from "./plan.js";
import { TARGET_PORTS } from "./serve.js";
import { hasCommand } from "./programs.js";
import { computeRatios } from "./ratios.js";
import { calibratePeers } from "./calibrate.js";
import { computeRanking } from "./ranking.js";
import type { BenchOptions, BenchReport, Ratio } from "./types.js";
import { HANDSHAKE_KEYS, workloadOf } from "./workloads/index.js";
import { baseRuntime } from "./ends.js";
import { isFixedPeerCandidate } from "./programs.js";
import { relativeHalfWidth } from "../common/stats.js";

/** The ratio whose 95 % interval is widest relative to the ratio (targets and rankings alike), or null if none has one. */
function widest(ratios: Ratio[]): { name: string; halfWidth: number } | null {
  let out: { name: string; halfWidth: number } | null = null;
  for (const r of ratios) {
    if (!r.ci95 || r.ratio === null) continue;
    const h = relativeHalfWidth(r.ci95, r.ratio);
    if (!out || h > out.halfWidth) out = { name: `${r.name} ${r.runtime} ${r.role}`, halfWidth: h };
  }
  return out;
}

/**
 * The cells of one ratio's rows share a group: the workload, and the runtime (whatever the API:
 * `bun` and `bun+node` are compared) and role of the program under test.
 */
function pairGroup(cell: Cell): string {
  const e = cell.entries[0]!;
  const subject = e.subject === "server" ? cell.server! : cell.client;
  return `${cell.workload}|${subject.prog.base}|${e.role}`;
}

/**
 * The order of one round: the cells of a group back to back (so drift within the round hits
 * both programs of a ratio alike), in plan order in odd rounds and reversed in even rounds
 * (so neither program always runs first, on a cooler or a warmer machine).
 */
export function roundOrder(cells: readonly Cell[], round: number): Cell[] {
  const groups = new Map<string, Cell[]>();
  for (const c of cells) {
    const g = pairGroup(c);
    (groups.get(g) ?? groups.set(g, []).get(g)!).push(c);
  }
  const out: Cell[] = [];
  for (const g of groups.values()) out.push(...(round % 2 === 0 ? [...g].reverse() : g));
  return out;
}

/**
 * --rounds auto: the cells whose target is still undecided (inconclusive), with the other
 * rows of their ratio; decided rows get no more rounds.
 */
export function undecidedCells(cells: readonly Cell[], ratios: readonly Ratio[]): Cell[] {
  const open = new Set<string>();
  for (const r of ratios) {
    if (r.verdict !== "inconclusive") continue;
    if (r.role === "decoder") open.add(`decoder|${r.runtime}|client`);
    else open.add(`${r.workload}|${baseRuntime(r.runtime)}|${r.role}`);
  }
  return cells.filter((c) => open.has(pairGroup(c)));
}

/** node:net's listen({ reusePort }) exists from v22.12.0 and v23.1.0. */
export function nodeHasReusePort(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}

export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const p = params(o);
  const say = o.progress ?? (() => {});
  const skipped: string[] = [];
  const errors: string[] = [];
  const taskset = o.pin && hasCommand("taskset", ["--version"]) !== null;
  const ncpu = availableParallelism();
  if (o.pin && !taskset) skipped.push("CPU pinning: taskset (util-linux) not found; processes float");
  const place = { server: taskset && ncpu >= 2 ? 0 : null, client: taskset && ncpu >= 2 ? 1 : null };
  const iperf = hasCommand("iperf3", ["--version"]);
  const python = hasCommand("python3", ["--version"]);
  const versions: Record<string, string> = {};
  for (const rt of o.runtimes) {
    const v = runtimeVersion(rt, o.binaries);
    if (v.version) versions[rt] = v.version;
    else errors.push(v.error ?? `${rt}: no version`);
  }
  const runtimes = o.runtimes.filter((rt) => versions[rt]);
  // The fixed peers are raw programs: runtimes with their own API on both ends (not workerd);
  // with none among those measured (`--runtimes workerd`), Node's, which runs this parent.
  const candidates = runtimes.filter((rt) => isFixedPeerCandidate(rt));
  const peerRuntimes: RuntimeName[] = candidates.length ? candidates : ["node"];
  if (!versions.node) versions.node = process.versions.node;
  const wl = new Set(o.workloads);
  if (wl.has("bulk") && !iperf)
    skipped.push("iperf3: not installed (apt-get install -y iperf3); the loopback limit row is missing");
  if (!python) skipped.push("python3: not found; the thread-per-connection Python server rows are missing");
  const wantsOpenssl = wl.has("tls-handshake") || wl.has("tls-bulk");
  const openssl = wantsOpenssl ? hasCommand("openssl", ["version"]) : null;
  if (wantsOpenssl && !openssl)
    skipped.push(
      "openssl: not installed (apt-get install -y openssl); the s_server/s_time handshake rows and the openssl speed row of tls-bulk are missing",
    );

  const certFiles: CertificateFiles[] = [];
  const certs: Partial<Record<KeyType, BenchTlsFiles>> = {};
  try {
    for (const k of keyTypesFor(o.workloads)) {
      const f = await writeCertificates({ keyType: k, prefix: `netparity-bench-${k}-` });
      certFiles.push(f);
      certs[k] = { cert: f.cert, key: f.key, ca: f.ca };
    }
  } catch (e) {
    errors.push(`TLS certificates: ${(e as Error).message}`);
  }

  // scaling needs SO_REUSEPORT in every program of a runtime: node:net has it since v22.12.0 / v23.1.0.
  const unsupported: Record<string, Partial<Record<RuntimeName, string>>> = {};
  if (wl.has("scaling") && versions.node && runtimes.includes("node") && !nodeHasReusePort(versions.node)) {
    const why = `node ${versions.node} has no reusePort in node:net (added in v22.12.0 / v23.1.0); cluster's shared handle is not SO_REUSEPORT, so node is not measured`;
    unsupported.scaling = { node: why };
    skipped.push(`scaling: ${why}`);
  }
  if (wl.has("idle-memory")) {
    const hard = Number(hasCommand("sh", ["-c", "ulimit -Hn"]) ?? 0);
    const fits = p.idleLevels.filter((n) => hard === 0 || Number.isNaN(hard) || n + 1024 <= hard);
    for (const n of p.idleLevels.filter((x) => !fits.includes(x)))
      skipped.push(`idle-memory-${n}: the descriptor hard limit (ulimit -Hn) is ${hard}, too low for ${n} connections`);
    p.idleLevels = fits;
  }
  let cells: Cell[];
  let calibration: Awaited<ReturnType<typeof calibratePeers>> = { peers: {}, choices: [], seconds: {} };
  const remote = o.target ? `server at ${o.target.host}:${o.target.port}` : null;
  if (o.target) {
    // --target: only the client rows, against the remote `netparity serve bench`; no local
    // baselines (they would measure loopback, not the link).
    const offsets = Object.fromEntries(Object.entries(TARGET_PORTS).map(([w, t]) => [w, t.offset]));
    for (const w of o.workloads.filter((x) => !(x in offsets)))
      skipped.push(`${w}: not served by \`netparity serve bench\` (--target runs ${Object.keys(offsets).join(", ")})`);
    cells = targetCells(o, p, runtimes, o.target, offsets, `remote ${remote}`);
  } else {
    calibration = await calibratePeers(o, peerRuntimes, certs, place, taskset, say);
    cells = planCells(o, p, runtimes, python !== null, certs, calibration.peers, unsupported);
  }
  const iperfCell = wl.has("bulk") && iperf !== null && !o.target;
  const sTimeKeys = wl.has("tls-handshake") && openssl && !o.target ? HANDSHAKE_KEYS.filter((k) => certs[k]) : [];
  const speedCell = wl.has("tls-bulk") && openssl !== null && !o.target;

  const samples = new Map<string, Sample[]>();
  const perRound = cells.length + (iperfCell ? 1 : 0) + sTimeKeys.length + (speedCell ? 1 : 0);
  let done = 0;
  // Wall seconds per --workloads name, spawn and teardown included: the report's `timing`.
  const measuring = new Map<string, number>();
  const timed = async <T>(workload: string, f: () => Promise<T>): Promise<T> => {
    const w0 = performance.now();
    try {
      return await f();
    } finally {
      const k = workloadOf(workload);
      measuring.set(k, (measuring.get(k) ?? 0) + (performance.now() - w0) / 1000);
    }
  };
  const push = (key: string, s: Sample): void => {
    (samples.get(key) ?? samples.set(key, []).get(key)!).push(s);
  };
  const runRound = async (round: number, of: string, only: readonly Cell[] = cells): Promise<void> => {
    const extra = only === cells ? 0 : only.length - cells.length;
    const total = p.auto ? `${done + perRound + extra}` : `${p.rounds * perRound}`;
    const tag = (): string => `[${done}/${total}] round ${round}/${of}`;
    for (const cell of roundOrder(only, round)) {
      done++;
      say(`${tag()} ${describeCell(cell)}`, false);
      try {
        const s = await timed(cell.workload, () => runCell(cell, place, taskset));
        push(cell.key, { ...s, round });
        say(`${tag()} ${describeCell(cell)}: ${fmt(s.value)}`, true);
      } catch (e) {
        const msg = `${describeCell(cell)} (round ${round}): ${(e as Error).message}`;
        errors.push(msg);
        say(`[${done}/${total}] ${msg}`, true);
      }
    }
    if (iperfCell && only === cells) {
      done++;
      say(`${tag()} bulk: iperf3`, false);
      try {
        const s = await timed("bulk", () => runIperf(p.bulkBytes, place, taskset));
        push("iperf3", { ...s, round });
        say(`${tag()} bulk: iperf3: ${fmt(s.value)}`, true);
      } catch (e) {
        errors.push(`iperf3 (round ${round}): ${(e as Error).message}`);
      }
    }
    for (const k of only === cells ? sTimeKeys : []) {
      const what = `tls-handshake-${k}: openssl s_time`;
      done++;
      say(`${tag()} ${what}`, false);
      try {
        const s = await timed("tls-handshake", () => runSTime(certs[k]!, p.seconds, place, taskset));
        push(`openssl|${k}`, { ...s, round });
        say(`${tag()} ${what}: ${fmt(s.value)}`, true);
      } catch (e) {
        errors.push(`${what} (round ${round}): ${(e as Error).message}`);
      }
    }
    if (speedCell && only === cells) {
      const what = "tls-bulk: openssl speed";
      done++;
      say(`${tag()} ${what}`, false);
      try {
        const s = await timed("tls-bulk", () => runSpeed(1, place, taskset));
        push("openssl-speed", { ...s, round });
        say(`${tag()} ${what}: ${fmt(s.value)}`, true);
      } catch (e) {
        errors.push(`${what} (round ${round}): ${(e as Error).message}`);
      }
    }
  };
  let rounds = 0;
  let autoNote: string | null = null;
  try {
    for (let round = 1; round <= p.rounds; round++) {
      await runRound(round, p.auto ? `${p.rounds}+` : `${p.rounds}`);
      rounds = round;
    }
    // --rounds auto: more rounds, each only for the rows whose target is still undecided
    // (with the other rows of their ratio), while a round more still fits in the budget.
    if (p.auto) {
      const a = p.auto;
      for (;;) {
        const ratios = computeRatios(aggregate(cells, samples, p, iperfCell, sTimeKeys, speedCell));
        const open = undecidedCells(cells, ratios);
        const undecided = ratios.filter((r) => r.verdict === "inconclusive").length;
        const worst = widest(ratios);
        const elapsed = (performance.now() - t0) / 1000;
        // The seconds one cell took so far, times the cells of the next round.
        const perCell = elapsed / Math.max(1, done);
        const nextSeconds = perCell * open.length;
        const status = `after ${rounds} round(s), ${Math.round(elapsed)} s of ${a.budgetSeconds} s: ${undecided} target(s) undecided; widest ratio interval ±${worst ? `${(worst.halfWidth * 100).toFixed(1)} % (${worst.name})` : "–"}`;
        if (!open.length) {
          autoNote = `every target decided ${status}`;
          break;
        }
        if (rounds >= a.maxRounds || elapsed + nextSeconds > a.budgetSeconds) {
          autoNote = `stopped (${rounds >= a.maxRounds ? `${a.maxRounds} rounds` : "budget"}) ${status}`;
          break;
        }
        say(`--rounds auto: ${status}; one more round of the ${open.length} undecided cell(s)`, true);
        rounds++;
        await runRound(rounds, `${rounds}`, open);
      }
      say(`--rounds auto: ${autoNote}`, true);
    }
  } finally {
    await Promise.all(certFiles.map((f) => f.remove()));
  }

  const workloads = aggregate(cells, samples, p, iperfCell, sTimeKeys, speedCell);
  const ratios = computeRatios(workloads);
  const cpu0 = cpus()[0];
  const machine = {
    cpuCount: cpus().length,
    availableParallelism: ncpu,
    cpuModel: cpu0?.model ?? "unknown",
    cpuMHz: cpu0?.speed ?? null,
    kernel: release(),
    memoryBytes: totalmem(),
    loadAverageAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
    placement:
      place.server !== null ? `server on CPU ${place.server}, client on CPU ${place.client} (taskset)` : "not pinned",
    runtimes: versions,
    python: python ?? null,
    iperf3: iperf?.split("\n")[0] ?? null,
    openssl: openssl ?? null,
    nofileHardLimit: hasCommand("sh", ["-c", "ulimit -Hn"]),
    ...(remote ? { target: `${o.target!.host}:${o.target!.port}` } : {}),
    fixedPeer: remote
      ? `the remote bench server (${remote}); throughput is bounded by the link between the hosts`
      : calibration.choices.length
        ? "per workload and role, the raw program that spent the least CPU per unit in a calibration (see peers)"
        : `node raw (conformance/bench/raw/node.mjs, Node ${versions.node})`,
  };
  return {
    schema: "netparity.bench/1",
    createdAt: new Date().toISOString(),
    quick: o.quick,
    rounds,
    ...(p.auto ? { roundsAuto: { ...p.auto, outcome: autoNote ?? "" } } : {}),
    pairing:
      "paired rounds: within a round the cells of one workload, runtime (in every API) and role run back to back, in plan order (adapter, raw) in odd rounds and reversed in even rounds; adapter/raw, an API over native, a facade over the adapter and the decoders' ratios are medians of per-round ratios",
    durationSeconds: Math.round((performance.now() - t0) / 100) / 10,
    timing: timing(o.workloads, calibration.seconds, measuring),
    machine,
    workloads,
    ratios,
    ranking: computeRanking(workloads, versions),
    peers: calibration.choices,
    skipped,
    errors,
  };
}

/** Per --workloads name, in the order asked: calibration and measuring seconds (one decimal). */
function timing(
  asked: readonly string[],
  calibration: Record<string, number>,
  measuring: Map<string, number>,
): NonNullable<BenchReport["timing"]> {
  const cal = new Map<string, number>();
  for (const [group, s] of Object.entries(calibration)) {
    const k = workloadOf(group);
    cal.set(k, (cal.get(k) ?? 0) + s);
  }
  const r1 = (x: number): number => Math.round(x * 10) / 10;
  return asked
    .filter((w) => cal.has(w) || measuring.has(w))
    .map((w) => ({
      workload: w,
      calibrationSeconds: r1(cal.get(w) ?? 0),
      measuringSeconds: r1(measuring.get(w) ?? 0),
    }));
}
