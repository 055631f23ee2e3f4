/** How much each workload does, in a full run and with --quick, and what the report shows of it. */
import { availableParallelism } from "node:os";
import type { BenchOptions } from "./types.js";
import { MIN_VERDICT_SAMPLES } from "../verdict/targets.js";

/** Every program binds and connects on loopback. */
export const HOST = "127.0.0.1";

/** The cipher tls-bulk's `openssl speed` row measures: the cheapest suite any pair of the bench's TLS programs negotiates. */
export const SPEED_CIPHER = "aes-128-gcm";

export interface Params {
  bulkBytes: number;
  bulkWarmup: number;
  transferBytes: number;
  transferWarmup: number;
  frame: number;
  seconds: number;
  warmup: number;
  echoSize: number;
  concSize: number;
  concLevels: number[];
  udpWindow: number;
  decoderSeconds: number;
  decoderStream: number;
  tlsBulkBytes: number;
  tlsBulkWarmup: number;
  /** tls-handshake: new connections kept in flight by the client, and the echoed message. */
  handshakeInFlight: number;
  handshakeSize: number;
  /** scaling: server processes (1 and the CPU count) and the client's connections. */
  scalingServers: number[];
  scalingConnections: number;
  /** load-latency: connections, offered fractions of the maximum. */
  loadConnections: number;
  loadFractions: number[];
  /** idle-memory: idle connections per measurement, and how long the client holds them. */
  idleLevels: number[];
  idleHoldSeconds: number;
  /** Rounds to run (with --rounds auto: the rounds before the first check of the intervals). */
  rounds: number;
  /**
   * --rounds auto: keep adding rounds of the rows whose target is undecided until every target
   * is decided or the budget is spent (`halfWidth`: the precision reported beside, no longer a stop rule).
   */
  auto: { budgetSeconds: number; maxRounds: number; halfWidth: number } | null;
}

/** --rounds auto: default budget, the most rounds it may add, and the precision it stops at. */
export const AUTO_BUDGET_SECONDS = 900;
export const AUTO_MAX_ROUNDS = 30;
export const AUTO_HALF_WIDTH = 0.05;

const MiB = 1024 * 1024;

export function params(o: BenchOptions): Params {
  const q = o.quick;
  return {
    bulkBytes: q ? 64 * MiB : 1024 * MiB,
    bulkWarmup: q ? 8 * MiB : 128 * MiB,
    transferBytes: q ? 32 * MiB : 256 * MiB,
    transferWarmup: q ? 4 * MiB : 32 * MiB,
    frame: 64 * 1024,
    seconds: q ? 0.25 : 1.5,
    warmup: q ? 0.1 : 0.5,
    echoSize: 64,
    concSize: 1024,
    concLevels: q ? [10, 1000] : [1, 10, 100, 1000],
    udpWindow: 8,
    decoderSeconds: q ? 0.04 : 0.3,
    decoderStream: q ? 2 * MiB : 16 * MiB,
    tlsBulkBytes: q ? 32 * MiB : 512 * MiB,
    tlsBulkWarmup: q ? 4 * MiB : 64 * MiB,
    handshakeInFlight: 4,
    handshakeSize: 64,
    scalingServers: [...new Set([1, availableParallelism()])],
    scalingConnections: q ? 32 : 64,
    loadConnections: 16,
    loadFractions: [0.25, 0.5, 0.75],
    idleLevels: [1000, 10000],
    idleHoldSeconds: q ? 1 : 3,
    // 5: the fewest rounds a target verdict is given on (MIN_VERDICT_SAMPLES); --rounds auto starts there too.
    rounds:
      typeof o.rounds === "number"
        ? o.rounds
        : o.rounds === "auto"
          ? q
            ? 2
            : MIN_VERDICT_SAMPLES
          : q
            ? 1
            : MIN_VERDICT_SAMPLES,
    auto:
      o.rounds === "auto"
        ? {
            budgetSeconds: o.budgetSeconds ?? AUTO_BUDGET_SECONDS,
            maxRounds: AUTO_MAX_ROUNDS,
            halfWidth: AUTO_HALF_WIDTH,
          }
        : null,
  };
}
