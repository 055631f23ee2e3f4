/**
 * Runtime specifiers and runtime targets (docs: conformance/docs/versions.md).
 *
 * A specifier is what the user types: `node` (the binary the run is given: --node-bin,
 * NETPARITY_NODE, the npm-installed one), or `name@range` with a semver range or an npm
 * dist-tag (`node@22`, `bun@1.3.0`, `deno@2.7`, `deno@latest`), resolved against the npm
 * registry and installed into the cache. A target is a resolved specifier: the runtime's
 * name, the specifier as typed, the exact version and the binary that runs it.
 */
import semver from "semver";
import { isRuntimeName, RUNTIME_NAMES, type RuntimeName } from "@netparity/protocol";
import { UsageError } from "./usage.js";

export interface RuntimeSpecifier {
  name: RuntimeName;
  /** As typed: "node", "node@22", "deno@latest". */
  spec: string;
  /** The part after "@": a semver range or a dist-tag; undefined for a bare name. */
  range?: string;
}

export interface RuntimeTarget {
  name: RuntimeName;
  spec: string;
  /** Exact version, as the binary reports it (e.g. "22.23.3"). */
  version: string;
  binary: string;
}

const TAG = /^[a-z][a-z0-9._-]*$/i;

/** `node`, `node@22`, `bun@1.3.0`, `deno@^2.5`, `deno@latest`; anything else is a usage error. */
export function parseSpecifier(value: string): RuntimeSpecifier {
  const s = value.trim();
  const at = s.indexOf("@");
  const name = at < 0 ? s : s.slice(0, at);
  if (!isRuntimeName(name))
    throw new UsageError(`unknown runtime "${name}" in "${s}" (expected ${RUNTIME_NAMES.join(", ")}, e.g. node@22)`);
  if (at < 0) return { name, spec: s };
  const range = s.slice(at + 1).trim();
  if (!range) throw new UsageError(`"${s}": missing version after "@" (e.g. ${name}@1 or ${name}@latest)`);
  if (!semver.validRange(range) && !TAG.test(range))
    throw new UsageError(`"${s}": "${range}" is neither a semver range nor a dist-tag`);
  return { name, spec: `${name}@${range}`, range };
}

/** A comma-separated list of specifiers, duplicates (as typed) removed. */
export function parseSpecifierList(value: string): RuntimeSpecifier[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError("--runtimes needs at least one of node, bun, deno (or name@version)");
  const out = new Map<string, RuntimeSpecifier>();
  for (const s of list.map(parseSpecifier)) out.set(s.spec, s);
  return [...out.values()];
}

/** The bare-name specifier of each runtime (the default of --runtimes). */
export function bareSpecifiers(names: readonly RuntimeName[]): RuntimeSpecifier[] {
  return names.map((name) => ({ name, spec: name }));
}

/** Runtime names that appear with more than one version among the targets. */
export function multiVersionNames(targets: ReadonlyArray<{ name: string; version: string }>): Set<string> {
  const versions = new Map<string, Set<string>>();
  for (const t of targets) (versions.get(t.name) ?? versions.set(t.name, new Set()).get(t.name)!).add(t.version);
  return new Set([...versions].filter(([, v]) => v.size > 1).map(([n]) => n));
}

/**
 * How a target is named in tables, HTML and JUnit: the bare name when the run has one version
 * of that runtime, "node 22.23.3" when it has several.
 */
export function targetLabeler(
  targets: ReadonlyArray<{ name: string; version: string }>,
): (name: string, version: string | undefined) => string {
  const multi = multiVersionNames(targets);
  return (name, version) => labelEnd(name, version, multi.has(name));
}

/** A target's label: "node 22.23.3" when its runtime has several versions here (`several`), else "node". */
export function labelEnd(name: string, version: string | undefined, several: boolean): string {
  return several && version ? `${name} ${version}` : name;
}

/** One end of a cell key: `node`, or `node@22.23.3` when the run has several versions of node. */
export function keyEnd(name: string, version: string | undefined, multi: ReadonlySet<string>): string {
  return multi.has(name) && version ? `${name}@${version}` : name;
}

/** Targets in a stable order: by runtime (node, bun, deno), then by version. */
export function sortTargets<T extends { name: RuntimeName; version: string }>(targets: readonly T[]): T[] {
  return [...targets].sort((a, b) => {
    const n = RUNTIME_NAMES.indexOf(a.name) - RUNTIME_NAMES.indexOf(b.name);
    if (n) return n;
    const va = semver.valid(semver.coerce(a.version));
    const vb = semver.valid(semver.coerce(b.version));
    return va && vb ? semver.compare(va, vb) : a.version < b.version ? -1 : a.version > b.version ? 1 : 0;
  });
}

/** A table column: a runtime name (one version), or a target whose label depends on the run. */
export type TargetColumn = string | { name: string; version: string };

/**
 * The column labels of a table over `runtimes` and the function that names a result's column:
 * plain names stay names; targets are labelled as targetLabeler says.
 */
export function targetColumns(runtimes: readonly TargetColumn[]): {
  labels: string[];
  labelOf: (name: string, version: string | undefined) => string;
} {
  const targets = runtimes.filter((r): r is { name: string; version: string } => typeof r !== "string");
  const labelOf = targetLabeler(targets);
  const labels = [...new Set(runtimes.map((r) => (typeof r === "string" ? r : labelOf(r.name, r.version))))];
  return { labels, labelOf };
}
