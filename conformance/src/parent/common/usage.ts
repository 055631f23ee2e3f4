import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import type { RuntimeName, Transport } from "@netparity/protocol";
import { isTransport, transportNames } from "../../in-runtime/common/transports.js";
import { isKnownRuntime, runtimeNames } from "./runtime-descriptors.js";
import { statSync } from "node:fs";
import { parseByteSize, parseDuration } from "./size.js";

/** A mistake in how the command was called: one line on stderr, exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Every transport (the default of `--transports`), from the transport descriptors. */
export const TRANSPORTS: readonly Transport[] = transportNames();

export function parseRuntime(value: string): RuntimeName {
  if (!isKnownRuntime(value))
    throw new UsageError(`unknown runtime "${value}" (expected ${runtimeNames().join(", ")})`);
  return value;
}

export function parseRuntimeList(value: string): RuntimeName[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError(`--runtimes needs at least one of ${runtimeNames().join(", ")}`);
  return [...new Set(list.map(parseRuntime))];
}

export function parseScenario(value: string): string {
  if (!SCENARIOS[value])
    throw new UsageError(`unknown scenario "${value}" (expected ${Object.keys(SCENARIOS).join(", ")})`);
  return value;
}

export function parseTransport(value: string): Transport {
  if (!isTransport(value))
    throw new UsageError(`unknown transport "${value}" (expected ${transportNames().join(", ")})`);
  return value;
}

export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 65535) throw new UsageError(`invalid port "${value}" (expected 0-65535)`);
  return n;
}

/**
 * The longest Unix socket path the kernel binds: `sun_path` holds 108 bytes on Linux (104 on
 * macOS and the BSDs), one of them the terminating NUL. Node truncates a longer path silently
 * and binds the prefix; Bun and Deno refuse it (probe unix.path-too-long), so the CLI refuses it
 * before any runtime sees it.
 */
export const UNIX_PATH_MAX_BYTES = process.platform === "linux" ? 107 : 103;

/** `--host`: a name or an address; an IPv6 address may come bracketed as in a URL (`[::1]`). */
export function parseHost(value: string): string {
  const v = value.trim();
  const host = /^\[([0-9A-Fa-f:.]+(?:%[\w.-]+)?)\]$/.exec(v)?.[1] ?? v;
  if (!host || /[\s/[\]]/.test(host))
    throw new UsageError(`invalid --host "${value}" (e.g. 127.0.0.1, ::1, [::1], localhost)`);
  return host;
}

/** `--path` of a Unix socket: not empty, and no longer than the kernel binds. */
export function parseUnixPath(value: string): string {
  if (value === "") throw new UsageError("--path needs a file path");
  const n = Buffer.byteLength(value);
  if (n > UNIX_PATH_MAX_BYTES)
    throw new UsageError(
      `--path is ${n} bytes long; a Unix socket path may have at most ${UNIX_PATH_MAX_BYTES} bytes (the kernel's sun_path): choose a shorter path`,
    );
  return value;
}

export function parseSize(value: string): number {
  const n = parseByteSize(value);
  if (n === null) throw new UsageError(`invalid size "${value}" (e.g. 1048576, 512KiB, 64MiB)`);
  return n;
}

/** A byte size no larger than `max`; a larger one names the maximum (as typed: 4GiB) and why. */
export function parseSizeUpTo(name: string, max: { bytes: number; why: string }) {
  return (value: string): number => {
    const n = parseSize(value);
    if (n > max.bytes)
      throw new UsageError(`invalid ${name} "${value}" (the maximum is ${formatSize(max.bytes)}: ${max.why})`);
    return n;
  };
}

function formatSize(n: number): string {
  for (const [unit, f] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const)
    if (n % f === 0) return `${n / f}${unit}`;
  return String(n);
}

export function parseNonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
      throw new UsageError(`invalid ${name} "${value}" (expected a non-negative integer)`);
    return Number(value);
  };
}

/** A positive duration in seconds (`10m`, `90s`, `1h`). */
export function parseDurationOption(name: string) {
  return (value: string): number => {
    const n = parseDuration(value);
    if (n === null || n <= 0) throw new UsageError(`invalid ${name} "${value}" (e.g. 90s, 10m, 1h)`);
    return n;
  };
}

/**
 * `--report-dir`: refused before any work when something other than a directory is there
 * (a file, a socket): otherwise a whole run would end in a failed write.
 */
export function requireReportDir(dir: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // made when the reports are written
    throw new UsageError(`--report-dir ${dir}: ${(e as Error).message}`);
  }
  if (!isDir) throw new UsageError(`--report-dir ${dir} is not a directory (a file is there)`);
}
