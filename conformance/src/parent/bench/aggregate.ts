/**
 * From samples to the report's workloads: per cell and role a median with min–max, CPU
 * seconds per unit and peak RSS (medians over rounds), latency percentiles (medians over
 * rounds), errors and loss; decoder samples are regrouped by decoder and frame size.
 */
import type { DecoderResult, LatencyStats } from "../../in-runtime/bench/protocol.js";
import type { KeyType } from "../certs/generate.js";
import { median, medianOrNull, spread } from "../common/stats.js";
import type { Sample } from "./execute.js";
import { workloadTitle } from "./format.js";
import { paramsFor, type Params } from "./params.js";
import type { Cell } from "./plan.js";
import type { ResultEntry, WorkloadResult } from "./types.js";

export function aggregate(
  cells: Cell[],
  samples: Map<string, Sample[]>,
  p: Params,
  iperfCell: boolean,
  sTimeKeys: readonly KeyType[] = [],
): WorkloadResult[] {
  const out = new Map<string, WorkloadResult>();
  const wl = (name: string): WorkloadResult => {
    let w = out.get(name);
    if (!w) {
      const t = workloadTitle(name, p.concSize);
      w = { name, title: t.title, unit: t.unit, higherIsBetter: true, params: paramsFor(name, p), results: [] };
      out.set(name, w);
    }
    return w;
  };
  for (const cell of cells) {
    const ss = samples.get(cell.key) ?? [];
    if (cell.kind === "decoder") {
      // One sample per round holds every decoder × frame size: regroup by those.
      const groups = new Map<string, DecoderResult[]>();
      for (const s of ss)
        for (const d of s.result?.decoder ?? []) {
          const k = `${d.frameSize}|${d.impl}`;
          (groups.get(k) ?? groups.set(k, []).get(k)!).push(d);
        }
      for (const [k, ds] of groups) {
        const [size, impl] = k.split("|") as [string, string];
        const values = ds.map((d) => d.framesPerSec);
        const first = ds[0]!;
        wl(`decoder-${size}`).results.push({
          runtime: cell.client.prog.runtime,
          role: "decoder",
          impl,
          ...spread(values),
          ...(first.copied >= 0 ? { copied: { copied: first.copied, frames: first.streamFrames } } : {}),
        });
      }
      continue;
    }
    if (!ss.length) continue;
    const values = ss.map((s) => s.value);
    for (const { role, subject } of cell.entries) {
      const me = subject === "server" ? cell.server! : cell.client;
      const peer = subject === "server" ? cell.client : cell.server!;
      const perUnit = PER_UNIT[cell.kind] ?? 1e6;
      const cpuPer = (which: "server" | "client"): number | null =>
        medianOrNull(
          ss.map((s) => (s.cpu[which] === null || s.units === 0 ? null : (s.cpu[which]! / s.units) * perUnit)),
        );
      const lat = ss.map((s) => s.result?.latency).filter((l): l is LatencyStats => !!l);
      const entry: ResultEntry = {
        runtime: me.prog.runtime,
        role,
        impl: me.prog.impl,
        peer: `${peer.prog.runtime} ${peer.prog.impl}`,
        ...spread(values),
        cpuSecondsPer: {
          unit: UNIT_NAME[cell.kind] ?? "1M messages",
          self: cpuPer(subject),
          peer: cpuPer(subject === "server" ? "client" : "server"),
        },
        peakRssBytes: medianOrNull(ss.map((s) => s.rss[subject])),
        peerPeakRssBytes: medianOrNull(ss.map((s) => s.rss[subject === "server" ? "client" : "server"])),
      };
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
      wl("bulk").results.push({ runtime: "iperf3", role: "server", impl: "iperf3", peer: "iperf3", ...spread(values) });
    }
  }
  for (const k of sTimeKeys) {
    const ss = samples.get(`openssl|${k}`) ?? [];
    if (!ss.length) continue;
    wl(`tls-handshake-${k}`).results.push({
      runtime: "openssl",
      role: "server",
      impl: "s_server",
      peer: "openssl s_time",
      ...spread(ss.map((s) => s.value)),
      cpuSecondsPer: {
        unit: "1000 handshakes",
        self: medianOrNull(ss.map((s) => (s.cpu.server === null ? null : (s.cpu.server / s.units) * 1e3))),
        peer: null,
      },
      peakRssBytes: medianOrNull(ss.map((s) => s.rss.server)),
      peerPeakRssBytes: null,
      note: "one connection at a time, handshake only (no data)",
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
  return [...out.values()].sort((a, b) => workloadRank(a.name) - workloadRank(b.name));
}

/** CPU seconds are reported per this many units of a cell's kind, named as in UNIT_NAME. */
const PER_UNIT: Partial<Record<Cell["kind"], number>> = { bytes: 1e9, messages: 1e6, handshakes: 1e3 };
const UNIT_NAME: Partial<Record<Cell["kind"], string>> = {
  bytes: "GB",
  messages: "1M messages",
  handshakes: "1000 handshakes",
};

const RANK = [
  "bulk",
  "transfer",
  "echo",
  "concurrency",
  "udp",
  "decoder",
  "tls-handshake-ecdsa",
  "tls-handshake-rsa",
  "tls-bulk",
  "wintertc-bulk",
  "wintertc-echo",
];

function workloadRank(name: string): number {
  const exact = RANK.indexOf(name);
  if (exact >= 0) return exact * 1e8;
  const base = RANK.indexOf(name.split("-")[0]!);
  const n = Number(name.split("-")[1] ?? 0);
  return base * 1e8 + n;
}
