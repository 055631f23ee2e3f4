/**
 * Statistics over repeated measurements, for the parent's reports. The median itself is the
 * one in in-runtime/common/stats.ts, which the probes share.
 */
import { median } from "../../in-runtime/common/stats.js";

export { median };

/** The median of the finite numbers among `xs`; null if there are none (nothing was measured). */
export function medianOrNull(xs: Array<number | null>): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? median(v) : null;
}

/** A result's spread over its samples: median with min–max, and the samples themselves. */
export function spread(values: number[]): { median: number; min: number; max: number; samples: number[] } {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), samples: values };
}
