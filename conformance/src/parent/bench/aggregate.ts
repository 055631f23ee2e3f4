/**
 * From samples to the report's workloads: per cell and role a median with min–max, CPU
 * seconds per unit and peak RSS (medians over rounds), latency percentiles (medians over
 * rounds), errors and loss; decoder samples are regrouped by decoder and frame size.
 */
import type { DecoderResult, LatencyStats, LoadLevel } from "../../in-runtime/bench/protocol.js";
import type { KeyType } from "../certs/generate.js";
import { median, medianOrNull, spread, unstableReason } from "../common/stats.js";
import type { Sample } from "./execute.js";
import { SPEED_CIPHER, type Params } from "./params.js";
import type { Cell } from "./plan.js";
import { peerBoundReason } from "../verdict/targets.js";
import type { ResultEntry, WorkloadResult } from "./types.js";
import { reportRank, workloadOfReport } from "./workloads/index.js";

export function aggregate(
  cells: Cell[],
  samples: Map<string, Sample[]>,
  p: Params,
  iperfCell: boolean,
  sTimeKeys: readonly KeyType[] = [],
  speedCell = false,
): WorkloadResult[] {
  const out = new Map<string, WorkloadResult>();
  const wl = (name: string): WorkloadResult => {
    let w = out.get(name);
    if (!w) {
      const d = workloadOfReport(name);
      const t = d?.title(name, p) ?? { title: name, unit: "" };
      const higherIsBetter = !d?.lowerIsBetter;
      w = { name, title: t.title, unit: t.unit, higherIsBetter, params: d?.params(name, p) ?? {}, results: [] };
      out.set(name, w);
    }
    return w;
  };
  for (const cell of cells) {
    const ss = samples.get(cell.key) ?? [];
    if (cell.kind === "decoder") {
      // One sample per round holds every decoder × frame size: regroup by those.
      const groups = new Map<string, Array<{ d: DecoderResult; round: number }>>();
      ss.forEach((s, i) => {
        for (const d of s.result?.decoder ?? []) {
          const k = `${d.frameSize}|${d.impl}`;
          (groups.get(k) ?? groups.set(k, []).get(k)!).push({ d, round: s.round ?? i + 1 });
        }
      });
      for (const [k, ds] of groups) {
        const [size, impl] = k.split("|") as [string, string];
        const values = ds.map((x) => x.d.framesPerSec);
        const first = ds[0]!.d;
        const unstable = unstableReason(values);
        wl(`decoder-${size}`).results.push({
          runtime: cell.client.prog.runtime,
          role: "decoder",
          impl,
          ...spread(values),
          rounds: ds.map((x) => x.round),
          perCpuSecond: medianOrNull(ds.map((x) => x.d.framesPerCpuSecond ?? null)),
          ...(unstable ? { unstable } : {}),
          ...(first.copied >= 0 ? { copied: { copied: first.copied, frames: first.streamFrames } } : {}),
        });
      }
      continue;
    }
    if (!ss.length) continue;
    const values = ss.map((s) => s.value);
    for (const { role, subject } of cell.entries) {
      const me = subject === "server" ? cell.server! : cell.client;
      const peer = subject === "server" ? cell.client : cell.server;
      const perUnit = PER_UNIT[cell.kind] ?? 1e6;
      const cpuSamples = (which: "server" | "client"): Array<number | null> =>
        ss.map((s) => (s.cpu[which] === null || s.units === 0 ? null : (s.cpu[which]! / s.units) * perUnit));
      const cpuPer = (which: "server" | "client"): number | null => medianOrNull(cpuSamples(which));
      const cores = (which: "server" | "client"): number | null =>
        medianOrNull(ss.map((s) => (s.cpu[which] === null || !s.wall ? null : s.cpu[which]! / s.wall)));
      // Minor page faults in the measured part, per unit as the CPU seconds (null where /proc gave none).
      const faultCounts = (which: "server" | "client"): Array<number | null> =>
        ss.map((s) => s.faults?.[which] ?? null);
      const faultSamples = (which: "server" | "client"): Array<number | null> =>
        ss.map((s) => {
          const n = s.faults?.[which];
          return n === null || n === undefined || s.units === 0 ? null : (n / s.units) * perUnit;
        });
      const lat = ss.map((s) => s.result?.latency).filter((l): l is LatencyStats => !!l);
      const entry: ResultEntry = {
        runtime: me.prog.runtime,
        role,
        impl: me.prog.impl,
        peer: peer ? `${peer.prog.runtime} ${peer.prog.impl}` : (cell.remote ?? "–"),
        ...spread(values),
        rounds: ss.map((s, i) => s.round ?? i + 1),
        cpuSecondsPer: {
          unit: UNIT_NAME[cell.kind] ?? "1M messages",
          self: cpuPer(subject),
          peer: cpuPer(subject === "server" ? "client" : "server"),
          selfSamples: cpuSamples(subject),
        },
        peakRssBytes: medianOrNull(ss.map((s) => s.rss[subject])),
        peerPeakRssBytes: medianOrNull(ss.map((s) => s.rss[subject === "server" ? "client" : "server"])),
        cpuUtilization: { self: cores(subject), peer: cores(subject === "server" ? "client" : "server") },
      };
      const unit = UNIT_NAME[cell.kind] ?? "1M messages";
      const other = subject === "server" ? "client" : "server";
      const selfFaults = faultSamples(subject);
      const peerFaults = faultSamples(other);
      if (selfFaults.some((x) => x !== null) || peerFaults.some((x) => x !== null))
        entry.minorFaultsPer = {
          unit,
          self: medianOrNull(selfFaults),
          peer: medianOrNull(peerFaults),
          selfSamples: selfFaults,
          selfCounts: faultCounts(subject),
          peerSamples: peerFaults,
          peerCounts: faultCounts(other),
        };
      const bound = peerBoundReason(entry.peer!, entry.cpuUtilization!.peer);
      if (bound) entry.peerBound = bound;
      const unstable = unstableReason(values, {
        higherIsBetter: wl(cell.workload).higherIsBetter,
        ...(entry.minorFaultsPer
          ? {
              faults: { perUnit: selfFaults, counts: entry.minorFaultsPer.selfCounts, unit },
              peerFaults: {
                perUnit: peerFaults,
                counts: entry.minorFaultsPer.peerCounts,
                unit,
                who: `its peer (${entry.peer})`,
              },
            }
          : {}),
      });
      if (unstable) entry.unstable = unstable;
      if (lat.length) {
        entry.latencyUs = {
          count: median(lat.map((l) => l.count)),
          p50: median(lat.map((l) => l.p50)),
          p90: median(lat.map((l) => l.p90)),
          p99: median(lat.map((l) => l.p99)),
          p999: median(lat.map((l) => l.p999)),
          max: median(lat.map((l) => l.max)),
          mean: median(lat.map((l) => l.mean)),
        };
      }
      const spreads = ss.map((s) => s.perProcess).filter((x): x is number[] => !!x);
      if (spreads.length) {
        const fair = medianOrNull(spreads.map(jain));
        entry.connectionSpread = { perProcess: spreads[spreads.length - 1]!, fairness: fair };
      }
      const levels = ss.map((s) => s.result?.levels).filter((x): x is LoadLevel[] => !!x?.length);
      if (levels.length) {
        entry.loadLevels = levels[0]!.map((l0, i) => {
          const at = levels.map((ls) => ls[i]).filter((l): l is LoadLevel => !!l);
          const m = (f: (l: LoadLevel) => number): number => median(at.map(f));
          return {
            fraction: l0.fraction,
            offeredPerSec: m((l) => l.offeredPerSec),
            achievedPerSec: m((l) => l.achievedPerSec),
            latencyUs: {
              count: m((l) => l.latency.count),
              p50: m((l) => l.latency.p50),
              p90: m((l) => l.latency.p90),
              p99: m((l) => l.latency.p99),
              p999: m((l) => l.latency.p999),
              max: m((l) => l.latency.max),
              mean: m((l) => l.latency.mean),
            },
          };
        });
      }
      const idles = ss.map((s) => s.idle).filter((x): x is NonNullable<Sample["idle"]> => !!x);
      if (idles.length)
        entry.idle = {
          connections: median(idles.map((x) => x.connections)),
          rssBeforeBytes: median(idles.map((x) => x.rssBefore)),
          rssAfterBytes: median(idles.map((x) => x.rssAfter)),
        };
      const errs = ss.map((s) => s.result?.errors).filter((x): x is number => typeof x === "number");
      if (errs.length) entry.errors = Math.max(...errs);
      const lost = ss.map((s) => s.result?.lost).filter((x): x is number => typeof x === "number");
      if (lost.length) entry.lost = lost.reduce((a, b) => a + b, 0);
      wl(cell.workload).results.push(entry);
    }
  }
  if (iperfCell) {
    const ss = samples.get("iperf3") ?? [];
    if (ss.length) {
      const values = ss.map((s) => s.value);
      const unstable = unstableReason(values);
      wl("bulk").results.push({
        runtime: "iperf3",
        role: "server",
        impl: "iperf3",
        peer: "iperf3",
        ...spread(values),
        rounds: ss.map((s, i) => s.round ?? i + 1),
        ...(unstable ? { unstable } : {}),
      });
    }
  }
  for (const k of sTimeKeys) {
    const ss = samples.get(`openssl|${k}`) ?? [];
    if (!ss.length) continue;
    const unstable = unstableReason(ss.map((s) => s.value));
    wl(`tls-handshake-${k}`).results.push({
      runtime: "openssl",
      role: "server",
      impl: "s_server",
      peer: "openssl s_time",
      ...spread(ss.map((s) => s.value)),
      rounds: ss.map((s, i) => s.round ?? i + 1),
      cpuSecondsPer: {
        unit: "1000 handshakes",
        self: medianOrNull(ss.map((s) => (s.cpu.server === null ? null : (s.cpu.server / s.units) * 1e3))),
        peer: null,
      },
      peakRssBytes: medianOrNull(ss.map((s) => s.rss.server)),
      peerPeakRssBytes: null,
      note: "one connection at a time, handshake only (no data)",
      ...(unstable ? { unstable } : {}),
    });
  }
  if (speedCell) {
    const ss = samples.get("openssl-speed") ?? [];
    const values = ss.map((s) => s.value);
    const unstable = unstableReason(values);
    if (ss.length)
      wl("tls-bulk").results.push({
        runtime: "openssl",
        role: "server",
        impl: `speed ${SPEED_CIPHER}`,
        peer: "–",
        ...spread(values),
        rounds: ss.map((s, i) => s.round ?? i + 1),
        note: `openssl speed -evp ${SPEED_CIPHER}, 16 KiB blocks, one process on the sink's CPU: one core's AES-GCM rate with no I/O`,
        ...(unstable ? { unstable } : {}),
      });
  }
  // Stable order: workloads as run, results by role, runtime, impl.
  const order = ["server", "client", "decoder"];
  for (const w of out.values())
    w.results.sort(
      (a, b) =>
        order.indexOf(a.role) - order.indexOf(b.role) ||
        a.runtime.localeCompare(b.runtime) ||
        a.impl.localeCompare(b.impl),
    );
  return [...out.values()].sort((a, b) => reportRank(a.name) - reportRank(b.name));
}

/** CPU seconds are reported per this many units of a cell's kind, named as in UNIT_NAME. */
const PER_UNIT: Partial<Record<Cell["kind"], number>> = {
  bytes: 1e9,
  messages: 1e6,
  handshakes: 1e3,
  load: 1e6,
  idle: 1e3,
};
const UNIT_NAME: Partial<Record<Cell["kind"], string>> = {
  bytes: "GB",
  messages: "1M messages",
  handshakes: "1000 handshakes",
  load: "1M messages",
  idle: "1000 connections",
};

/** Jain's fairness index of a spread: (Σx)² / (n·Σx²); 1 when even, 1/n when one process took all. */
export function jain(xs: readonly number[]): number | null {
  const sum = xs.reduce((a, b) => a + b, 0);
  const sq = xs.reduce((a, b) => a + b * b, 0);
  return xs.length && sq > 0 ? (sum * sum) / (xs.length * sq) : null;
}
