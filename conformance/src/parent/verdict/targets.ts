/**
 * Benchmark targets: a measured value held against the number the bench promises (adapter/raw
 * throughput ≥ 0.9, decoder ≥ 3× it-length-prefixed, no errors at 1000 connections...). The
 * targets and the decision both live here; bench/ratios.ts computes the ratios and asks.
 */

/** adapter/raw throughput targets per workload (the same runtime's raw API in the same run). */
export const ADAPTER_RAW_TARGETS: Readonly<Record<string, number>> = {
  bulk: 0.95,
  echo: 0.9,
  transfer: 0.85,
  // TLS: connections/s with each certificate type, and GB/s of one stream.
  "tls-handshake-ecdsa": 0.95,
  "tls-handshake-rsa": 0.95,
  "tls-bulk": 0.95,
};
/** FrameDecoder on 64-byte frames: at least this many times it-length-prefixed's frames/s. */
export const DECODER_VS_IT_LENGTH_PREFIXED = 3;
/** FrameDecoder on 64-byte frames: at least 10 M frames/s (the ratio's denominator). */
export const DECODER_FRAMES_PER_SECOND = 1e7;
/** A client on @netparity/sockets (web streams) against the same client on the adapter: bulk and echo. */
export const WINTERTC_ADAPTER_TARGET = 0.9;
/** The best adapter's bulk throughput against iperf3 on the same loopback. */
export const BULK_BEST_VS_IPERF3 = 0.8;

export interface TargetVerdict {
  target: number;
  met: boolean;
}

/** Met when the measured value reaches the target; a missing measurement never meets it. */
export function judgeTarget(measured: number | null | undefined, target: number): TargetVerdict {
  return { target, met: measured !== null && measured !== undefined && measured >= target };
}

/** Met only when the count is exactly the target (e.g. 0 errors); a missing count never meets it. */
export function judgeCount(measured: number | null | undefined, target: number): TargetVerdict {
  return { target, met: measured !== null && measured !== undefined && measured === target };
}
