/**
 * The bench workloads, registered once each (types.ts); the built-in ones register in
 * index.ts, in report order. Everything that names a workload asks here.
 */
import type { BenchWorkload } from "./types.js";

const REGISTRY = new Map<string, BenchWorkload>();

/**
 * Adds a workload (index.ts for the built-in ones; tests for a fake one). Returns the function
 * that removes it again.
 */
export function registerWorkload(w: BenchWorkload): () => void {
  if (REGISTRY.has(w.name)) throw new Error(`bench workload "${w.name}" is already registered`);
  REGISTRY.set(w.name, w);
  return () => void REGISTRY.delete(w.name);
}

/** Every workload's --workloads name, in report order. */
export function workloadNames(): string[] {
  return [...REGISTRY.keys()];
}

/** What a default `netparity bench` runs. */
export function defaultWorkloads(): string[] {
  return [...REGISTRY.values()].filter((w) => w.default).map((w) => w.name);
}

/** The workloads only `--workloads NAME` or `--workloads all` runs. */
export function optInWorkloads(): BenchWorkload[] {
  return [...REGISTRY.values()].filter((w) => !w.default);
}

export function isWorkloadName(name: string): boolean {
  return REGISTRY.has(name);
}

export function workload(name: string): BenchWorkload {
  const w = REGISTRY.get(name);
  if (!w) throw new Error(`unknown bench workload "${name}"`);
  return w;
}

/** The --workloads name a report workload or calibration group belongs to ("concurrency-100" → "concurrency"). */
export function workloadOf(reportName: string): string {
  if (REGISTRY.has(reportName)) return reportName;
  // The longest registered name that prefixes it: "tls-handshake-rsa" is tls-handshake's.
  let best = "";
  for (const n of REGISTRY.keys()) if (reportName.startsWith(`${n}-`) && n.length > best.length) best = n;
  return best || reportName;
}

/** The descriptor behind a report workload, if registered. */
export function workloadOfReport(reportName: string): BenchWorkload | undefined {
  return REGISTRY.get(workloadOf(reportName));
}

/** Report order: by workload as registered, then its own order or the numeric suffix. */
export function reportRank(reportName: string): number {
  const names = workloadNames();
  const base = workloadOf(reportName);
  const i = names.indexOf(base);
  const w = REGISTRY.get(base);
  const own = w?.order?.indexOf(reportName) ?? -1;
  const n = own >= 0 ? own : Number(/-(\d+)$/.exec(reportName)?.[1] ?? 0);
  return (i < 0 ? names.length : i) * 1e8 + n;
}
