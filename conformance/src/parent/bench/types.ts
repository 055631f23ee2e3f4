/**
 * What `netparity bench` is asked to do and what it reports: the options, and the report's
 * shape (schema netparity.bench/1) that report.ts renders and the tests read.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { ApiName } from "../../in-runtime/common/apis.js";
import type { LatencyStats } from "../../in-runtime/bench/protocol.js";
import type { Interval } from "../common/stats.js";
import type { TargetOutcome } from "../verdict/targets.js";
import type { RankingEntry } from "../report/model.js";

export type { RankingEntry };

/** A --workloads name: one registered in bench/workloads/ (registry.ts). */
export type WorkloadName = string;

export interface BenchOptions {
  quick: boolean;
  runtimes: RuntimeName[];
  /**
   * The APIs asked for (`--apis`, default ["native"]): each workload measures the ends of those
   * of its APIs (its descriptor's `apis`) that each runtime offers (`bun+node`, `workerd`'s
   * `wintertc` client).
   */
  apis?: readonly ApiName[];
  workloads: WorkloadName[];
  /** A number of interleaved rounds, or "auto": add rounds to the rows whose target is undecided until all are decided or the budget is spent. */
  rounds?: number | "auto";
  /** --rounds auto: wall-clock budget in seconds (default 900). */
  budgetSeconds?: number;
  pin: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
  /** Run the client-side workloads against `netparity serve bench` at HOST:PORT instead of local servers. */
  target?: { host: string; port: number };
  /** The binaries of the fixed peer (node raw); default: `binaries`. A run over several versions keeps one peer. */
  fixedPeerBinaries?: Partial<Record<RuntimeName, string>>;
  /** Progress lines (stderr). */
  progress?: (line: string, final: boolean) => void;
}

export interface ResultEntry {
  runtime: string;
  role: "server" | "client" | "decoder";
  impl: string;
  /** The other end of the connection, e.g. "node raw"; absent for decoder results. */
  peer?: string;
  median: number;
  /** 95 % bootstrap confidence interval of the median. */
  ci95: Interval | null;
  min: number;
  max: number;
  /** Coefficient of variation of the samples (standard deviation / mean); null with one sample. */
  cv: number | null;
  samples: number[];
  /** The round each sample was measured in (parallel to `samples`): rows are paired by round. */
  rounds?: number[];
  /**
   * Set when the samples are not one steady measurement: they spread more than 2× (min <
   * max / 2) or trend across the rounds; says which, with the numbers. `samples` holds them.
   */
  unstable?: string;
  /**
   * CPU seconds (user + system) per unit (GB, 1M messages or 1000 handshakes) of the process
   * under test and its peer (medians), and the program under test's per round (parallel to `samples`).
   */
  cpuSecondsPer?: { unit: string; self: number | null; peer: number | null; selfSamples?: Array<number | null> };
  /**
   * Minor page faults (field 10 of /proc/<pid>/stat, read with the CPU seconds around the
   * measured part) per unit, in the unit of `cpuSecondsPer`: medians of the program under test
   * and its peer, and both per round, per unit and as counted (parallel to `samples`; null where
   * not read). Absent where /proc was not readable (not Linux). An unstable row whose slow rounds
   * took several times the faults of its fast ones, in the program or else in its peer, names
   * that in `unstable`.
   */
  minorFaultsPer?: {
    unit: string;
    self: number | null;
    peer: number | null;
    selfSamples: Array<number | null>;
    selfCounts: Array<number | null>;
    peerSamples: Array<number | null>;
    peerCounts: Array<number | null>;
  };
  /** Peak RSS (VmHWM) of the process under test, median over samples. */
  peakRssBytes?: number | null;
  peerPeakRssBytes?: number | null;
  /** CPU use of each process during the measured part, in cores (CPU seconds / wall seconds), medians over samples. */
  cpuUtilization?: { self: number | null; peer: number | null };
  /** Set when the fixed peer was busier than PEER_BOUND_UTILIZATION of a core: the row measures the peer. */
  peerBound?: string;
  latencyUs?: LatencyStats;
  errors?: number;
  lost?: number;
  /** scaling: connections each server process held (from /proc/<pid>/fd), and Jain's fairness index of that spread (1 = even). */
  connectionSpread?: { perProcess: number[]; fairness: number | null };
  /** load-latency: latency at each offered rate (medians over rounds). */
  loadLevels?: Array<{ fraction: number; offeredPerSec: number; achievedPerSec: number; latencyUs: LatencyStats }>;
  /** idle-memory: the server's RSS before and with the idle connections, and the connections it held. */
  idle?: { connections: number; rssBeforeBytes: number; rssAfterBytes: number };
  /** decoder: frames per CPU second of the process (median over rounds), where the runtime reports CPU time. */
  perCpuSecond?: number | null;
  /** decoder: frames copied per pass / frames per pass. */
  copied?: { copied: number; frames: number };
  note?: string;
}

export interface WorkloadResult {
  name: string;
  title: string;
  unit: string;
  higherIsBetter: boolean;
  params: Record<string, number | string>;
  results: ResultEntry[];
}

export interface Ratio {
  name: string;
  workload: string;
  runtime: string;
  role: string;
  numerator: string;
  denominator: string;
  ratio: number | null;
  /**
   * 95 % interval of the ratio: for a paired ratio (`paired`) the exact distribution-free
   * interval of the median of the per-round ratios; otherwise the bootstrap interval of the
   * ratio of medians (both rows resampled independently).
   */
  ci95: Interval | null;
  /** Paired rows: the per-round ratios (round order) and the coverage of the exact interval (0.9375 at 5 rounds). */
  paired?: { perRound: Array<{ round: number; value: number }>; coverage: number | null };
  target?: number;
  /**
   * Against the target: met, missed or inconclusive. For adapter/raw the row's verdict, from
   * throughput (`throughputVerdict`) and CPU cost (`cpu.verdict`): met when either is met and
   * neither missed, missed when either is missed and neither met.
   */
  verdict?: TargetOutcome;
  /** verdict === "met" (kept for readers of older reports). */
  met?: boolean;
  reason?: string;
  /** adapter/raw: the throughput ratio's own verdict (inconclusive when peer-bound) and its reason. */
  throughputVerdict?: TargetOutcome;
  throughputReason?: string;
  /**
   * adapter/raw: CPU seconds per unit of the program under test, adapter over raw (lower is
   * better), paired by round like the throughput, judged against 1 / the throughput target.
   */
  cpu?: {
    unit: string;
    ratio: number | null;
    ci95: Interval | null;
    perRound: Array<{ round: number; value: number }>;
    coverage: number | null;
    target: number;
    verdict: TargetOutcome;
    reason?: string;
  };
  /** Either row is unstable (spread > 2× or a trend across rounds): which, and why. */
  unstable?: string;
  /**
   * Set on the best runtime's ratio to a workload's machine-limit reference (iperf3 for bulk,
   * openssl s_time for tls-handshake, openssl speed for tls-bulk): what the reference measures
   * and how to read the ratio. Unpaired: a ratio of medians with its bootstrap interval.
   */
  reference?: string;
}

/** The fixed peer of one workload group and role, and the calibration behind the choice. */
export interface PeerChoice {
  group: string;
  /** The role the peer plays (its server peers the runtimes measured as clients). */
  role: "server" | "client";
  program: string;
  /** The chosen program's CPU seconds per unit in the calibration. */
  cpuSecondsPer: number | null;
  unit: string;
  note?: string;
  candidates: Array<{
    runtime: string;
    value: number | null;
    server: number | null;
    client: number | null;
    error?: string;
  }>;
}

export interface BenchReport {
  schema: "netparity.bench/1";
  createdAt: string;
  quick: boolean;
  rounds: number;
  /** --rounds auto: its budget and precision, and why it stopped. */
  roundsAuto?: { budgetSeconds: number; maxRounds: number; halfWidth: number; outcome: string };
  /**
   * How the rows of a ratio share rounds: within a round the cells of one workload, runtime and
   * role run back to back, in list order in odd rounds and reversed in even rounds.
   */
  pairing?: string;
  durationSeconds: number;
  /**
   * Wall seconds per workload (as named by --workloads): its calibration and its measurements
   * summed over the rounds (iperf3 and openssl s_time with bulk and tls-handshake). With
   * `rounds`, what a run of any subset would take: calibration + rounds × measuring / rounds.
   */
  timing?: Array<{ workload: string; calibrationSeconds: number; measuringSeconds: number }>;
  machine: Record<string, unknown>;
  workloads: WorkloadResult[];
  ratios: Ratio[];
  /** Which runtime to deploy: per workload and role, the runtimes' adapter rows ranked, with ratios to the best. */
  ranking?: RankingEntry[];
  /** The fixed peer chosen per workload group and role (calibrated: the raw program with the least CPU per unit). */
  peers?: PeerChoice[];
  skipped: string[];
  errors: string[];
}
