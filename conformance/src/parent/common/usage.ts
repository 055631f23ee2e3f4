import { SCENARIOS } from "../../in-runtime/scenarios/index.js";
import type { RuntimeName, Transport } from "@netparity/protocol";
import { isTransport, transportNames } from "../../in-runtime/common/transports.js";
import { isKnownRuntime, runtimeNames } from "./runtime-descriptors.js";
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

export function parseSize(value: string): number {
  const n = parseByteSize(value);
  if (n === null) throw new UsageError(`invalid size "${value}" (e.g. 1048576, 512KiB, 64MiB)`);
  return n;
}

export function parseNonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new UsageError(`invalid ${name} "${value}" (expected a non-negative integer)`);
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
