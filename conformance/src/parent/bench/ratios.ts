/**
 * The ratios the summary is about (adapter/raw, adapter/python-threads, framedecoder against
 * the other decoders, best adapter/iperf3, errors at 1000 clients, a facade over the adapter,
 * an API over the runtime's own), each with its target where the project set one.
 */
import {
  ADAPTER_RAW_TARGETS,
  BULK_BEST_VS_IPERF3,
  DECODER_FRAMES_PER_SECOND,
  DECODER_VS_IT_LENGTH_PREFIXED,
  combineVerdicts,
  judgeCount,
  judgeCpuCost,
  judgeTarget,
} from "../verdict/targets.js";
import {
  bootstrapRatio,
  exactMedianInterval,
  pairedRatio,
  seedOf,
  type Interval,
  type RoundSample,
} from "../common/stats.js";
import type { ResultEntry, Ratio, WorkloadResult } from "./types.js";
import { baseRuntime, measuredRuntimeOrder } from "./ends.js";
import { workloadOfReport } from "./workloads/index.js";
import { SPEED_CIPHER } from "./params.js";

/** The runtimes (ends: `bun`, `bun+node`) measured in a workload: native ends first, in registration order. */
function measured(w: WorkloadResult): string[] {
  return measuredRuntimeOrder(w.results.map((r) => r.runtime));
}

function byRound(e: ResultEntry): RoundSample[] {
  return e.samples.map((value, i) => ({ round: e.rounds?.[i] ?? i + 1, value }));
}

function cpuByRound(e: ResultEntry): RoundSample[] {
  const xs = e.cpuSecondsPer?.selfSamples ?? [];
  const out: RoundSample[] = [];
  xs.forEach((value, i) => {
    if (value !== null && Number.isFinite(value)) out.push({ round: e.rounds?.[i] ?? i + 1, value });
  });
  return out;
}

/**
 * A ratio of two rows measured in the same rounds: the median of the per-round ratios with
 * the exact interval of that median; `rounds` is how many rounds both rows have.
 */
function paired(
  a: ResultEntry | undefined,
  b: ResultEntry | undefined,
): Pick<Ratio, "ratio" | "ci95" | "paired"> & { rounds: number } {
  const pr = a && b ? pairedRatio(byRound(a), byRound(b)) : null;
  if (!pr) return { ratio: null, ci95: null, rounds: 0 };
  return {
    ratio: pr.ratio,
    ci95: pr.ci95,
    paired: { perRound: pr.perRound, coverage: pr.coverage },
    rounds: pr.perRound.length,
  };
}

/** Either row's instability, named. */
function unstable(...rows: Array<ResultEntry | undefined>): string | undefined {
  const why = rows
    .filter((x): x is ResultEntry => !!x?.unstable)
    .map((x) => `${x.runtime} ${x.impl}${x.role === "decoder" ? "" : ` as ${x.role}`}: ${x.unstable}`);
  return why.length ? why.join("; ") : undefined;
}

/** The 95 % interval of median(a) / median(b), seeded by the ratio's name so a rerun of the same samples agrees. */
function ci(a: ResultEntry | undefined, b: ResultEntry | undefined, name: string): Interval | null {
  if (!a || !b) return null;
  return bootstrapRatio(a.samples, b.samples, { seed: seedOf(name) });
}

function scaled(i: Interval | null | undefined, by: number): Interval | null {
  return i ? [i[0] / by, i[1] / by] : null;
}

/** The fewest samples among the rows a ratio is made of. */
function n(...rows: Array<ResultEntry | undefined>): number {
  return Math.min(...rows.map((x) => x?.samples.length ?? 0));
}

/** Why a ratio between these rows cannot be judged: either row's peer was the bottleneck. */
function peerBound(...rows: Array<ResultEntry | undefined>): string | null {
  const r = rows.find((x) => x?.peerBound);
  return r ? `${r.runtime} ${r.impl} as ${r.role}: ${r.peerBound}` : null;
}

/** What each machine-limit reference measures, as the reports say it under the workload's table. */
export const REFERENCE_NOTE = {
  iperf3: "iperf3 over the same loopback, one TCP stream, pinned the same way: the machine's limit for the stream",
  sTime:
    "openssl s_time against openssl s_server, the same certificate: C with no runtime around it, but one connection at a time and no data where ours keeps 4 in flight and echoes 64 B, so a reference for what a handshake costs, not a bound (no target)",
  speed: `openssl speed -evp ${SPEED_CIPHER} on 16 KiB blocks (a full TLS record) on one core: the cheapest suite the bench's pairs negotiate, encrypted with no I/O, which bounds a stream whose ends each encrypt or decrypt every byte on their own core; Debian's OpenSSL, not each runtime's TLS library, so a reference (no target)`,
} as const;

export function computeRatios(workloads: WorkloadResult[]): Ratio[] {
  const ratios: Ratio[] = [];
  const find = (w: WorkloadResult, runtime: string, role: string, impl: string): ResultEntry | undefined =>
    w.results.find((r) => r.runtime === runtime && r.role === role && r.impl === impl);
  const r = (a: number | undefined, b: number | undefined): number | null => (a && b ? a / b : null);
  for (const w of workloads) {
    if (w.name.startsWith("decoder")) {
      for (const rt of new Set(w.results.map((x) => x.runtime))) {
        const oursRow = find(w, rt, "decoder", "framedecoder");
        const ours = oursRow?.median;
        const is64 = w.name === "decoder-64";
        // The three decoders run in the same process in every round: their ratios are paired.
        const ilp = find(w, rt, "decoder", "it-length-prefixed");
        const { rounds: nIlp, ...vsIlp } = paired(oursRow, ilp);
        const naiveRow = find(w, rt, "decoder", "naive");
        const { rounds: _n, ...vsNaive } = paired(oursRow, naiveRow);
        const shaky = unstable(oursRow, ilp);
        ratios.push({
          name: `${w.name} framedecoder/it-length-prefixed`,
          workload: w.name,
          runtime: rt,
          role: "decoder",
          numerator: "framedecoder",
          denominator: "it-length-prefixed",
          ...vsIlp,
          ...(is64 ? judgeTarget(vsIlp.ratio, vsIlp.ci95, DECODER_VS_IT_LENGTH_PREFIXED, { samples: nIlp }) : {}),
          ...(shaky ? { unstable: shaky } : {}),
        });
        ratios.push({
          name: `${w.name} framedecoder/naive`,
          workload: w.name,
          runtime: rt,
          role: "decoder",
          numerator: "framedecoder",
          denominator: "naive",
          ...vsNaive,
        });
        if (is64 && ours !== undefined && oursRow) {
          // One row against a constant: the exact interval of its median, as for the paired ratios.
          const own = exactMedianInterval(oursRow.samples);
          const oci = scaled(own?.ci95, DECODER_FRAMES_PER_SECOND);
          ratios.push({
            name: `${w.name} framedecoder frames/s / 10M`,
            workload: w.name,
            runtime: rt,
            role: "decoder",
            numerator: "framedecoder",
            denominator: "10M frames/s",
            ratio: ours / DECODER_FRAMES_PER_SECOND,
            ci95: oci,
            ...judgeTarget(ours / DECODER_FRAMES_PER_SECOND, oci, 1, { samples: n(oursRow) }),
            ...(oursRow.unstable ? { unstable: unstable(oursRow) } : {}),
          });
        }
      }
      continue;
    }
    const facade = workloadOfReport(w.name)?.clientRatio;
    if (facade) {
      // A facade's cost: its client against the adapter's, same runtime, same fixed server, same rounds.
      const { numerator, denominator } = facade;
      for (const rt of measured(w)) {
        const a = find(w, rt, "client", numerator);
        const b = find(w, rt, "client", denominator);
        if (!a && !b) continue;
        const { rounds, ...pr } = paired(a, b);
        const shaky = unstable(a, b);
        ratios.push({
          name: `${w.name} ${numerator}/${denominator}`,
          workload: w.name,
          runtime: rt,
          role: "client",
          numerator,
          denominator,
          ...pr,
          ...(facade.target !== undefined
            ? judgeTarget(pr.ratio, pr.ci95, facade.target, { peerBound: peerBound(a, b), samples: rounds })
            : {}),
          ...(shaky ? { unstable: shaky } : {}),
        });
      }
      continue;
    }
    for (const rt of measured(w)) {
      for (const role of ["server", "client"]) {
        const base = baseRuntime(rt);
        if (base !== rt) {
          // An end on another API against the same runtime's own (bun+node over bun): what the
          // compatibility layer costs, the adapters' rows paired by round like adapter/raw.
          const a = find(w, rt, role, "adapter");
          const b = find(w, base, role, "adapter");
          if (a && b) {
            const { rounds: _r, ...pr } = paired(a, b);
            const shaky = unstable(a, b);
            ratios.push({
              name: `${w.name} ${rt.slice(base.length + 1)}/native`,
              workload: w.name,
              runtime: rt,
              role,
              numerator: rt,
              denominator: base,
              ...pr,
              ...(shaky ? { unstable: shaky } : {}),
            });
          }
        }
        const a = find(w, rt, role, "adapter");
        const b = find(w, rt, role, "raw");
        if (!a || !b) continue;
        const target = ADAPTER_RAW_TARGETS[w.name];
        // Paired by round (the two ran back to back, in alternating order): throughput, and
        // the CPU seconds per unit of the program under test (lower is better).
        const { rounds, ...pr } = paired(a, b);
        const cpr = pairedRatio(cpuByRound(a), cpuByRound(b));
        const shaky = unstable(a, b);
        const row: Ratio = {
          name: `${w.name} adapter/raw`,
          workload: w.name,
          runtime: rt,
          role,
          numerator: "adapter",
          denominator: "raw",
          ...pr,
          ...(shaky ? { unstable: shaky } : {}),
        };
        if (!target) {
          ratios.push(row);
        } else {
          const tp = judgeTarget(pr.ratio, pr.ci95, target, { peerBound: peerBound(a, b), samples: rounds });
          const cpu = judgeCpuCost(cpr?.ratio, cpr?.ci95, target, { samples: cpr?.perRound.length ?? 0 });
          const verdict = combineVerdicts(tp, cpu);
          ratios.push({
            ...row,
            target,
            ...verdict,
            throughputVerdict: tp.verdict,
            ...(tp.reason ? { throughputReason: tp.reason } : {}),
            cpu: {
              unit: a.cpuSecondsPer?.unit ?? "",
              ratio: cpr?.ratio ?? null,
              ci95: cpr?.ci95 ?? null,
              perRound: cpr?.perRound ?? [],
              coverage: cpr?.coverage ?? null,
              target: cpu.target,
              verdict: cpu.verdict,
              ...(cpu.reason ? { reason: cpu.reason } : {}),
            },
          });
        }
        if (role === "server") {
          const py = find(w, "python", "server", "python-threads");
          if (py)
            ratios.push({
              name: `${w.name} adapter/python-threads`,
              workload: w.name,
              runtime: rt,
              role,
              numerator: "adapter",
              denominator: "python-threads",
              ratio: r(a.median, py.median),
              ci95: ci(a, py, `${w.name}|${rt}|python`),
            });
        }
      }
      if (w.name === "concurrency-1000") {
        const a = find(w, rt, "server", "adapter");
        if (a)
          ratios.push({
            name: "concurrency-1000 errors (adapter server)",
            workload: w.name,
            runtime: rt,
            role: "server",
            numerator: "errors",
            denominator: "",
            ratio: a.errors ?? null,
            ci95: null,
            ...judgeCount(a.errors, 0),
          });
      }
    }
    // scaling: N server processes against one, per runtime and program (the speed-up).
    const sc = /^scaling-(\d+)$/.exec(w.name);
    const one = workloads.find((x) => x.name === "scaling-1");
    if (sc && sc[1] !== "1" && one) {
      for (const a of w.results) {
        const b = one.results.find((x) => x.runtime === a.runtime && x.impl === a.impl && x.role === a.role);
        if (!b) continue;
        ratios.push({
          name: `${w.name}/scaling-1 ${a.impl}`,
          workload: w.name,
          runtime: a.runtime,
          role: a.role,
          numerator: `${sc[1]} processes`,
          denominator: "1 process",
          ratio: r(a.median, b.median),
          ci95: ci(a, b, `${w.name}|${a.runtime}|${a.impl}|speedup`),
        });
      }
    }
    // OpenSSL's own handshakes (s_time against s_server) and one core's AES-GCM (openssl
    // speed): references without a target (see REFERENCE_NOTE), every adapter row against them.
    const reference = w.name.startsWith("tls-handshake-")
      ? { ref: find(w, "openssl", "server", "s_server"), denominator: "openssl s_time", note: REFERENCE_NOTE.sTime }
      : w.name === "tls-bulk"
        ? {
            ref: w.results.find((x) => x.runtime === "openssl"),
            denominator: "openssl speed",
            note: REFERENCE_NOTE.speed,
          }
        : null;
    if (reference?.ref) {
      const { ref, denominator, note } = reference;
      const adapters = w.results.filter((x) => x.impl === "adapter");
      const best = adapters.length ? adapters.reduce((a, b) => (b.median > a.median ? b : a)) : null;
      for (const x of adapters) {
        const shaky = unstable(x, ref);
        ratios.push({
          name: `${w.name} ${x === best ? "best " : ""}adapter/${denominator}`,
          workload: w.name,
          runtime: x.runtime,
          role: x.role,
          numerator: "adapter",
          denominator,
          ratio: r(x.median, ref.median),
          ci95: ci(x, ref, `${w.name}|${x.runtime}|${x.role}|${denominator}`),
          ...(x === best ? { reference: note } : {}),
          ...(shaky ? { unstable: shaky } : {}),
        });
      }
    }
    if (w.name === "bulk") {
      const ip = find(w, "iperf3", "server", "iperf3");
      const adapters = w.results.filter((x) => x.impl === "adapter");
      if (ip && adapters.length) {
        const best = adapters.reduce((a, b) => (b.median > a.median ? b : a));
        const v = best.median / ip.median;
        const vci = ci(best, ip, "bulk|best/iperf3");
        ratios.push({
          name: "bulk best adapter/iperf3",
          workload: "bulk",
          runtime: best.runtime,
          role: best.role,
          numerator: "adapter",
          denominator: "iperf3",
          ratio: v,
          ci95: vci,
          reference: REFERENCE_NOTE.iperf3,
          ...judgeTarget(v, vci, BULK_BEST_VS_IPERF3, { peerBound: peerBound(best), samples: n(best, ip) }),
        });
        for (const x of adapters) {
          if (x === best) continue;
          ratios.push({
            name: "bulk adapter/iperf3",
            workload: "bulk",
            runtime: x.runtime,
            role: x.role,
            numerator: "adapter",
            denominator: "iperf3",
            ratio: x.median / ip.median,
            ci95: ci(x, ip, `bulk|${x.runtime}|${x.role}|iperf3`),
          });
        }
      }
    }
  }
  return ratios;
}
