/**
 * Targets: a runtime in one version speaking one API, `(runtime, version, api)`; this module
 * owns their names. Runtime specifiers and runtime targets (docs: conformance/docs/versions.md).
 *
 * A specifier is what the user types: `node` (the binary the run is given: --node-bin,
 * NETPARITY_NODE, the npm-installed one), or `name@range` with a semver range or an npm
 * dist-tag (`node@22`, `bun@1.3.0`, `deno@2.7`, `deno@latest`), resolved against the npm
 * registry and installed into the cache. A target is a resolved specifier: the runtime's
 * name, the specifier as typed, the exact version and the binary that runs it.
 */
import semver from "semver";
import type { RuntimeName, Transport } from "@netparity/protocol";
import {
  apiNames,
  apiOf,
  apiSupports,
  DEFAULT_API,
  isApiName,
  type ApiName,
  type End,
} from "../../in-runtime/common/apis.js";
import { isKnownRuntime, runtimeNames, runtimeOf } from "./runtime-descriptors.js";
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
  if (!isKnownRuntime(name))
    throw new UsageError(`unknown runtime "${name}" in "${s}" (expected ${runtimeNames().join(", ")}, e.g. node@22)`);
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
  if (!list.length)
    throw new UsageError(`--runtimes needs at least one of ${runtimeNames().join(", ")} (or name@version)`);
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
    const order = runtimeNames();
    const n = order.indexOf(a.name) - order.indexOf(b.name);
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

/** `--api`: one API name. */
export function parseApi(value: string): ApiName {
  const v = value.trim();
  if (!isApiName(v)) throw new UsageError(`unknown API "${value}" (expected ${apiNames().join(", ")})`);
  return v;
}

/** `--apis`: a comma-separated list of API names, duplicates removed. */
export function parseApiList(value: string): ApiName[] {
  const list = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list.length) throw new UsageError(`--apis needs at least one of ${apiNames().join(", ")}`);
  return [...new Set(list.map(parseApi))];
}

/**
 * The API an end of `runtime` has when `api` is asked for it, or undefined when the runtime
 * does not offer it on that end (or the API does not run over `transport`). An API that is
 * the runtime's native one (`node` on Node) is its native end; `native` on a runtime without
 * one of its own is its `ownApi` (workerd's `wintertc`).
 */
export function endApi(runtime: string, api: ApiName, end: End, transport?: Transport): ApiName | undefined {
  const d = runtimeOf(runtime);
  const a = d.nativeIs === api ? DEFAULT_API : api === DEFAULT_API && d.ownApi ? d.ownApi : api;
  if (!d.apis[a]?.includes(end)) return undefined;
  if (transport !== undefined && !apiSupports(a, end, transport)) return undefined;
  return a;
}

/**
 * The API an end of `runtime` has for `api`, its descriptor's ends aside (`node` on Node is
 * native; `native` on workerd is `wintertc`).
 */
export function foldApi(runtime: string, api: string): string {
  if (!isKnownRuntime(runtime)) return api;
  const d = runtimeOf(runtime);
  return d.nativeIs === api ? DEFAULT_API : api === DEFAULT_API && d.ownApi ? d.ownApi : api;
}

/**
 * The APIs the ends of one side take in a run asked for `apis`. A side for which no asked API
 * offers that end (servers when only client APIs were asked, `--apis wintertc`) takes the
 * native API, so a client-only API is paired with native servers.
 */
export function sideApis(apis: readonly ApiName[], end: End): ApiName[] {
  const own = apis.filter((a) => isApiName(a) && apiOf(a).ends.includes(end));
  return own.length ? own : [DEFAULT_API];
}

/** One end of a cell: a runtime, its version when the run names it, its API. */
export interface EndName {
  name: string;
  version?: string;
  /** Absent or "native": the runtime's own API (the end keeps v1's form). */
  api?: string;
}

/** `bun`, `bun@1.3.0`, `bun+node`, `node@22.23.3+wintertc`: a native end has no `+api`. */
export function formatEnd(e: EndName): string {
  const api = e.api && e.api !== DEFAULT_API ? `+${e.api}` : "";
  return `${e.name}${e.version ? `@${e.version}` : ""}${api}`;
}

/** The `+api` suffix of an end's label, "" for a native end. */
export function apiSuffix(api: string | undefined): string {
  return api && api !== DEFAULT_API ? `+${api}` : "";
}

/**
 * What a table group adds for cells whose ends are not both native: " (wintertc client)",
 * " (node server, node client)"; "" for native cells (v1's groups).
 */
export function apiGroupLabel(serverApi: string | undefined, clientApi: string | undefined): string {
  const parts = [
    ...(serverApi && serverApi !== DEFAULT_API ? [`${serverApi} server`] : []),
    ...(clientApi && clientApi !== DEFAULT_API ? [`${clientApi} client`] : []),
  ];
  return parts.length ? ` (${parts.join(", ")})` : "";
}

/** The regular-expression alternatives of the registered API names (for key parsers). */
export function apiPattern(): string {
  return apiNames()
    .map((a) => a.replace(/[^\w-]/g, "\\$&"))
    .join("|");
}
