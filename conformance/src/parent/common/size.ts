/**
 * The one byte-size syntax of the command line (`--size 64MiB`) and the fault list
 * (`bandwidth=1MiB/s`): a number with an optional binary unit (k/ki/kib/kb = 1024, m… = 1024²,
 * g… = 1024³, b = 1). Callers wrap a null in their own error (UsageError, FaultSyntaxError).
 */

const SIZE = /^(\d+(?:\.\d+)?)\s*(k|ki|kib|kb|m|mi|mib|mb|g|gi|gib|gb|b)?$/i;
const SIZE_OR_RATE = /^(\d+(?:\.\d+)?)\s*(k|ki|kib|kb|m|mi|mib|mb|g|gi|gib|gb|b)?(?:\/s)?$/i;

/** Bytes for `text`, or null if it is not a size. `perSecond` also accepts a trailing "/s" (a rate). */
export function parseByteSize(text: string, options: { perSecond?: boolean } = {}): number | null {
  const m = (options.perSecond ? SIZE_OR_RATE : SIZE).exec(text.trim());
  if (!m) return null;
  const unit = (m[2] ?? "b").toLowerCase()[0];
  const mult = unit === "k" ? 1024 : unit === "m" ? 1024 ** 2 : unit === "g" ? 1024 ** 3 : 1;
  return Math.round(Number(m[1]) * mult);
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)?$/i;

/**
 * Seconds for a duration (`90`, `90s`, `500ms`, `10m`, `1.5h`; a bare number is seconds), or
 * null if `text` is not one. The one duration syntax of the command line (`bench --budget`).
 * @example parseDuration("10m") // 600
 */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text.trim());
  if (!m) return null;
  const unit = (m[2] ?? "s").toLowerCase();
  const mult = unit === "ms" ? 0.001 : unit === "m" || unit === "min" ? 60 : unit === "h" ? 3600 : 1;
  return Number(m[1]) * mult;
}

/** A byte count for people: "312 B", "48.0 KiB", "92.3 MiB", "1.20 GiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
