/**
 * The one median, for the probes (inside each runtime) and the benchmark's aggregation (in the
 * parent). Pure arithmetic, so both sides can import it.
 */

/**
 * The median of `xs` (not modified); NaN for an empty list.
 *
 * With an even count there are two middle values. `even: "mean"` (the default) averages them,
 * the usual statistic, which the benchmark reports. `even: "upper"` takes the upper one, so the
 * result is always a value that was measured: the tcp.nodelay-default probe shows its median
 * round trip as evidence and in its explanation, and has always taken the upper middle of its
 * eight rounds.
 */
export function median(xs: readonly number[], even: "mean" | "upper" = "mean"): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 || even === "upper" ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
