/**
 * A bench workload as data: what `netparity bench --workloads NAME` runs, measured and
 * reported, in one descriptor (CONTRIBUTING, "Adding a bench workload"). The plan, the
 * calibration, the CLI's --workloads and its help, the report's titles, parameters and order
 * all read the registry (registry.ts); a new workload is one file here plus its roles in the
 * bench agent and the raw programs.
 */
import type { RuntimeName } from "@netparity/protocol";
import type { BenchSpec, BenchTlsFiles } from "../../../in-runtime/bench/protocol.js";
import type { ApiName } from "../../../in-runtime/common/apis.js";
import type { KeyType } from "../../certs/generate.js";
import type { Params } from "../params.js";

/**
 * How a cell's sample is measured, from the client's result: the rate of bytes, messages or
 * handshakes; "load" is messages with the closed-loop maximum as the value, "idle" the
 * server's RSS per idle connection, "decoder" the in-process decoder passes.
 */
export type MeasureKind = "bytes" | "messages" | "handshakes" | "decoder" | "iperf3" | "load" | "idle";

/**
 * One pairing of a workload (a report workload: "echo", "concurrency-1000"): the server and
 * client specs, and whether runtimes are measured in both roles, as the server only or as the
 * client only. `group` names the fixed peer it uses (one calibration per group: the
 * concurrency levels share one; the facade workloads use bulk's and echo's, the same specs).
 */
export interface WorkloadSpec {
  workload: string;
  group: string;
  /** null: the client runs alone, in each runtime's adapter agent (the decoder). */
  server: BenchSpec | null;
  client: BenchSpec;
  kind: MeasureKind;
  roles: "both" | "server" | "client";
  python: boolean;
  /**
   * The APIs whose ends this pairing measures, when `--apis` asks for them (default: native
   * only). Each runtime takes every one it offers on that end (its descriptor), as in `run`.
   */
  apis?: readonly ApiName[];
  /**
   * The programs measured as the client (default: the adapter and raw); a facade API's name
   * is the adapter agent with its client on that facade.
   */
  clientImpls?: readonly string[];
  servers?: number;
  pin?: boolean;
  /** The fixed peer's implementation: the raw programs, or (for roles only the agent has) the adapter agent. */
  peerImpl?: "raw" | "adapter";
  /** A fixed peer that is not calibrated (idle-memory: memory, not speed, is measured), with the reason. */
  fixedPeer?: { runtime: RuntimeName; impl: "raw" | "adapter"; reason: string };
}

/** What a workload's specs are made from: the run's sizes and its certificate files per key type. */
export interface SpecContext {
  p: Params;
  certs: Partial<Record<KeyType, BenchTlsFiles>>;
  /** Every program binds and connects here (loopback). */
  host: string;
}

export interface BenchWorkload {
  /** The name in `--workloads`; its report workloads are this name or `name-<suffix>`. */
  readonly name: string;
  /** In a default `netparity bench` (else only by name or with `--workloads all`). */
  readonly default: boolean;
  /** One line for `bench --help` (the opt-in list) and the docs. */
  readonly summary: string;
  /** The TLS key types it needs a certificate set for. */
  readonly keyTypes?: readonly KeyType[];
  /** Its pairings with the run's sizes. */
  specs(ctx: SpecContext): WorkloadSpec[];
  /** Title and unit of one of its report workloads. */
  title(reportName: string, p: Params): { title: string; unit: string };
  /** The parameters the report lists for one of its report workloads. */
  params(reportName: string, p: Params): Record<string, number | string>;
  /** Lower is better (memory); default higher. */
  readonly lowerIsBetter?: boolean;
  /** The program the ranking ranks ("Which runtime to deploy"); default the adapter. */
  readonly rankImpl?: string;
  /**
   * Its report workloads in report order, when they are not simply ordered by their numeric
   * suffix (tls-handshake: ecdsa before rsa).
   */
  readonly order?: readonly string[];
  /**
   * A ratio of two client programs of each runtime, paired by round (a facade over the
   * adapter), with its target.
   */
  readonly clientRatio?: { readonly numerator: string; readonly denominator: string; readonly target?: number };
}
