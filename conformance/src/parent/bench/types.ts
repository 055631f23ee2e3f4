/**
 * What `netparity bench` is asked to do and what it reports: the options, and the report's
 * shape (schema netparity.bench/1) that report.ts renders and the tests read.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { LatencyStats } from "../../in-runtime/bench/protocol.js";

export const WORKLOADS = [
  "bulk",
  "transfer",
  "echo",
  "concurrency",
  "udp",
  "decoder",
  "tls-handshake",
  "tls-bulk",
  // bulk and echo clients through @netparity/sockets against the same clients on the adapter.
  "wintertc",
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface BenchOptions {
  quick: boolean;
  runtimes: RuntimeName[];
  workloads: WorkloadName[];
  rounds?: number;
  pin: boolean;
  binaries: Partial<Record<RuntimeName, string>>;
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
  min: number;
  max: number;
  samples: number[];
  /** CPU seconds (user + system) per unit (GB, 1M messages or 1000 handshakes) of the process under test and its peer. */
  cpuSecondsPer?: { unit: string; self: number | null; peer: number | null };
  /** Peak RSS (VmHWM) of the process under test, median over samples. */
  peakRssBytes?: number | null;
  peerPeakRssBytes?: number | null;
  latencyUs?: LatencyStats;
  errors?: number;
  lost?: number;
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
  target?: number;
  met?: boolean;
}

export interface BenchReport {
  schema: "netparity.bench/1";
  createdAt: string;
  quick: boolean;
  rounds: number;
  durationSeconds: number;
  machine: Record<string, unknown>;
  workloads: WorkloadResult[];
  ratios: Ratio[];
  skipped: string[];
  errors: string[];
}
