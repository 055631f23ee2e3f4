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
import { cpus, loadavg, release, totalmem, availableParallelism } from "node:os";
import type { BenchTlsFiles } from "../../in-runtime/bench/protocol.js";
import { writeCertificates, type CertificateFiles, type KeyType } from "../certs/generate.js";
import { runtimeVersion } from "../runner/runtimes.js";
import { aggregate } from "./aggregate.js";
import { runCell, runIperf, runSTime, type Sample } from "./execute.js";
import { fmt } from "./format.js";
import { params } from "./params.js";
import { HANDSHAKE_KEYS, describeCell, keyTypesFor, planCells } from "./plan.js";
import { hasCommand } from "./programs.js";
import { computeRatios } from "./ratios.js";
import type { BenchOptions, BenchReport } from "./types.js";

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
  if (!versions.node) versions.node = process.versions.node;
  const wl = new Set(o.workloads);
  if (wl.has("bulk") && !iperf)
    skipped.push("iperf3: not installed (apt-get install -y iperf3); the loopback limit row is missing");
  if (!python) skipped.push("python3: not found; the thread-per-connection Python server rows are missing");
  const openssl = wl.has("tls-handshake") ? hasCommand("openssl", ["version"]) : null;
  if (wl.has("tls-handshake") && !openssl)
    skipped.push("openssl: not installed (apt-get install -y openssl); the s_server/s_time handshake rows are missing");

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

  const cells = planCells(o, p, runtimes, python !== null, certs);
  const iperfCell = wl.has("bulk") && iperf !== null;
  const sTimeKeys = openssl ? HANDSHAKE_KEYS.filter((k) => certs[k]) : [];

  const samples = new Map<string, Sample[]>();
  const total = p.rounds * (cells.length + (iperfCell ? 1 : 0) + sTimeKeys.length);
  let done = 0;
  try {
    for (let round = 1; round <= p.rounds; round++) {
      for (const cell of cells) {
        say(`[${++done}/${total}] round ${round}/${p.rounds} ${describeCell(cell)}`, false);
        try {
          const s = await runCell(cell, place, taskset);
          (samples.get(cell.key) ?? samples.set(cell.key, []).get(cell.key)!).push(s);
          say(`[${done}/${total}] round ${round}/${p.rounds} ${describeCell(cell)}: ${fmt(s.value)}`, true);
        } catch (e) {
          const msg = `${describeCell(cell)} (round ${round}): ${(e as Error).message}`;
          errors.push(msg);
          say(`[${done}/${total}] ${msg}`, true);
        }
      }
      if (iperfCell) {
        say(`[${++done}/${total}] round ${round}/${p.rounds} bulk: iperf3`, false);
        try {
          const s = await runIperf(p.bulkBytes, place, taskset);
          (samples.get("iperf3") ?? samples.set("iperf3", []).get("iperf3")!).push(s);
          say(`[${done}/${total}] round ${round}/${p.rounds} bulk: iperf3: ${fmt(s.value)}`, true);
        } catch (e) {
          errors.push(`iperf3 (round ${round}): ${(e as Error).message}`);
        }
      }
      for (const k of sTimeKeys) {
        const what = `tls-handshake-${k}: openssl s_time`;
        say(`[${++done}/${total}] round ${round}/${p.rounds} ${what}`, false);
        try {
          const s = await runSTime(certs[k]!, p.seconds, place, taskset);
          (samples.get(`openssl|${k}`) ?? samples.set(`openssl|${k}`, []).get(`openssl|${k}`)!).push(s);
          say(`[${done}/${total}] round ${round}/${p.rounds} ${what}: ${fmt(s.value)}`, true);
        } catch (e) {
          errors.push(`${what} (round ${round}): ${(e as Error).message}`);
        }
      }
    }
  } finally {
    await Promise.all(certFiles.map((f) => f.remove()));
  }

  const workloads = aggregate(cells, samples, p, iperfCell, sTimeKeys);
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
    fixedPeer: `node raw (conformance/bench/raw/node.mjs, Node ${versions.node})`,
  };
  return {
    schema: "netparity.bench/1",
    createdAt: new Date().toISOString(),
    quick: o.quick,
    rounds: p.rounds,
    durationSeconds: Math.round((performance.now() - t0) / 100) / 10,
    machine,
    workloads,
    ratios,
    skipped,
    errors,
  };
}
