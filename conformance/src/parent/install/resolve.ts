/**
 * Specifiers to runtime targets: a bare name is the binary the run is given (--node-bin,
 * NETPARITY_NODE, the npm-installed one); `name@range` is resolved against the npm registry
 * (a dist-tag by name, a semver range by its highest match) and installed into the cache.
 * An exact version already in the cache needs no registry at all.
 */
import type { RuntimeName } from "@netparity/protocol";
import semver from "semver";
import { runtimeOf } from "../common/runtime-descriptors.js";
import type { RuntimeSpecifier, RuntimeTarget } from "../common/targets.js";
import { UsageError } from "../common/usage.js";
import { runtimeBinary, runtimeVersion } from "../runner/runtimes.js";
import { cacheRoot, ensureInstalled, findInstalled, listInstalled, type Installer } from "./cache.js";
import { currentHost, platformPackage, UnsupportedPlatformError, type Host } from "./platform.js";
import { npmView, RegistryError, resolveVersion, type PackumentSource } from "./registry.js";

export interface ResolveOptions {
  binaries?: Partial<Record<RuntimeName, string>>;
  root?: string;
  packuments?: PackumentSource;
  installer?: Installer;
  host?: Host;
  /** Progress lines ("installing deno 2.7.1 …"); default: none. */
  log?: (line: string) => void;
}

/** The npm version a specifier names, without installing it. Usage errors name the specifier. */
export async function resolveNpmVersion(
  s: RuntimeSpecifier & { range: string },
  o: ResolveOptions = {},
): Promise<{ version: string; pkg: string; offline?: boolean }> {
  const root = o.root ?? cacheRoot();
  let pkg: string;
  try {
    pkg = platformPackage(s.name, o.host ?? currentHost()).pkg;
  } catch (e) {
    if (e instanceof UnsupportedPlatformError) throw new UsageError(`${s.spec}: ${e.message}`);
    throw e;
  }
  const exact = semver.valid(s.range);
  if (exact && findInstalled(root, s.name, exact)) return { version: exact, pkg };
  let packument: Awaited<ReturnType<PackumentSource>>;
  try {
    packument = await (o.packuments ?? npmView)(pkg);
  } catch (e) {
    if (!(e instanceof RegistryError)) throw e;
    if (e.kind === "unreachable" && semver.validRange(s.range)) {
      // Offline: the highest cached version the range allows, said out loud.
      const cached = listInstalled(root)
        .filter((i) => i.name === s.name && semver.satisfies(i.pkgVersion, s.range))
        .map((i) => i.pkgVersion);
      const best = semver.maxSatisfying(cached, s.range);
      if (best) {
        o.log?.(`${s.spec}: ${e.message}; using ${s.name} ${best} from the cache`);
        return { version: best, pkg, offline: true };
      }
    }
    throw new UsageError(`${s.spec}: ${e.message}`);
  }
  const r = resolveVersion(s.range, packument);
  if ("error" in r) throw new UsageError(`${s.spec}: ${r.error}`);
  return { version: r.version, pkg };
}

/** One specifier as a target, installing its version into the cache when needed. */
export async function resolveSpecifier(s: RuntimeSpecifier, o: ResolveOptions = {}): Promise<RuntimeTarget> {
  if (s.range === undefined) {
    const binaries = o.binaries ?? {};
    const v = runtimeVersion(s.name, binaries);
    // A binary that does not run is reported by the run itself (RuntimeInfo.error), as before.
    return { name: s.name, spec: s.spec, version: v.version ?? "unavailable", binary: runtimeBinary(s.name, binaries) };
  }
  const root = o.root ?? cacheRoot();
  const { version, pkg } = await resolveNpmVersion({ ...s, range: s.range }, o);
  const t0 = performance.now();
  const i = await ensureInstalled(s.name, version, {
    root,
    ...(o.installer ? { installer: o.installer } : {}),
    ...(o.host ? { platform: platformPackage(s.name, o.host) } : {}),
    onEvent: (e) =>
      o.log?.(
        e === "waiting"
          ? `${s.spec}: waiting for another process installing ${s.name} ${version}`
          : `${s.spec}: installing ${pkg}@${version} into ${root}`,
      ),
  }).catch((e: Error) => {
    throw new Error(`${s.spec}: ${e.message}`);
  });
  if (i.installed)
    o.log?.(`${s.spec}: installed ${s.name} ${i.version} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { name: s.name, spec: s.spec, version: i.version, binary: i.binary };
}

/**
 * Every specifier as a target, in the order given; two specifiers that name the same version
 * of a runtime (`node` and `node@20` on a Node 20 machine) give one target (the first).
 */
export async function resolveTargets(specs: RuntimeSpecifier[], o: ResolveOptions = {}): Promise<RuntimeTarget[]> {
  const out: RuntimeTarget[] = [];
  for (const s of specs) {
    // An opt-in runtime (workerd: not on every platform, not in every install): without it, one line.
    const skip = (why: string): void => o.log?.(`${s.spec} skipped: ${why}`);
    let t: RuntimeTarget;
    try {
      t = await resolveSpecifier(s, o);
    } catch (e) {
      if (!runtimeOf(s.name).optional) throw e;
      skip((e as Error).message);
      continue;
    }
    if (runtimeOf(s.name).optional && t.version === "unavailable") {
      skip(runtimeVersion(s.name, o.binaries ?? {}).error ?? `no ${s.name} binary`);
      continue;
    }
    const dup = out.find((x) => x.name === t.name && x.version === t.version && t.version !== "unavailable");
    if (dup) {
      o.log?.(`${t.spec} is ${t.name} ${t.version}, the same as ${dup.spec}: run once`);
      continue;
    }
    out.push(t);
  }
  return out;
}
