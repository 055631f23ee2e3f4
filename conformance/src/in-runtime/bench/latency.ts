/**
 * Latency recording for the bench clients, adapter and raw alike (the raw programs import
 * this module from dist/bench-lib.js, so both record the same way). An HDR histogram of
 * nanoseconds, 3 significant digits, in hdr-histogram-js's pure-JS mode: its WebAssembly
 * mode needs an async init step and gains nothing at a few hundred thousand values per run.
 */
import * as hdr from "hdr-histogram-js";
import type { LatencyStats } from "./protocol.js";

export class LatencyRecorder {
  readonly #h = hdr.build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    // 100 s in ns: anything slower is a hang, not a latency.
    highestTrackableValue: 100_000_000_000,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
    useWebAssembly: false,
  });

  /** Records one latency given in milliseconds (performance.now() differences). */
  record(ms: number): void {
    const ns = Math.round(ms * 1e6);
    this.#h.recordValue(ns < 1 ? 1 : Math.min(ns, 100_000_000_000));
  }

  get count(): number {
    return this.#h.totalCount;
  }

  /** Percentiles in microseconds. */
  stats(): LatencyStats {
    const h = this.#h;
    const us = (ns: number): number => Math.round(ns / 10) / 100;
    return {
      count: h.totalCount,
      p50: us(h.getValueAtPercentile(50)),
      p90: us(h.getValueAtPercentile(90)),
      p99: us(h.getValueAtPercentile(99)),
      p999: us(h.getValueAtPercentile(99.9)),
      max: us(h.maxValue),
      mean: us(h.mean),
    };
  }
}
