/** `netparity runtimes list|install|prune`: the cache of runtime versions from npm. */
import semver from "semver";
import { formatBytes } from "../common/size.js";
import { parseSpecifier, type RuntimeSpecifier } from "../common/targets.js";
import { UsageError } from "../common/usage.js";
import { cacheRoot, diskSize, listInstalled, prune, type InstalledRuntime } from "../install/cache.js";
import { resolveNpmVersion, resolveSpecifier } from "../install/resolve.js";

const log = (line: string): void => void process.stderr.write(`netparity runtimes: ${line}\n`);

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(w[i]!))).join("  ")).join("\n");
}

export function runtimesList(o: { json: boolean }): number {
  const root = cacheRoot();
  const rows = listInstalled(root).map((i) => ({ ...i, size: diskSize(i.dir) }));
  if (o.json) {
    process.stdout.write(`${JSON.stringify({ cache: root, runtimes: rows }, null, 2)}\n`);
    return 0;
  }
  if (!rows.length) {
    process.stdout.write(`no runtimes in ${root} (netparity runtimes install node@22 …)\n`);
    return 0;
  }
  process.stdout.write(
    `${table([["name", "version", "size", "path"], ...rows.map((r) => [r.name, r.version, formatBytes(r.size), r.binary])])}\n` +
      `${rows.length} installed in ${root}, ${formatBytes(rows.reduce((n, r) => n + r.size, 0))}\n`,
  );
  return 0;
}

export async function runtimesInstall(specs: RuntimeSpecifier[]): Promise<number> {
  const bare = specs.filter((s) => s.range === undefined);
  if (bare.length)
    throw new UsageError(
      `give a version to install: ${bare.map((s) => `${s.name}@<version>`).join(", ")} (e.g. node@22)`,
    );
  const rows: string[][] = [];
  for (const s of specs) {
    const t0 = performance.now();
    const t = await resolveSpecifier(s, { log });
    rows.push([s.spec, `${t.name} ${t.version}`, `${((performance.now() - t0) / 1000).toFixed(1)} s`, t.binary]);
  }
  process.stdout.write(`${table([["specifier", "runtime", "time", "binary"], ...rows])}\n`);
  return 0;
}

/**
 * Removes everything from the cache, or every version the given specifiers do not name: a
 * bare name keeps all of that runtime, `name@range` the versions in the range, `name@tag`
 * the version the tag names now.
 */
export async function runtimesPrune(specs: RuntimeSpecifier[], o: { dryRun: boolean }): Promise<number> {
  const root = cacheRoot();
  const ranges: Array<{ name: string; range: string }> = [];
  for (const s of specs) {
    if (s.range === undefined) ranges.push({ name: s.name, range: "*" });
    else if (semver.validRange(s.range)) ranges.push({ name: s.name, range: s.range });
    else ranges.push({ name: s.name, range: (await resolveNpmVersion({ ...s, range: s.range }, { log })).version });
  }
  const keep = (i: InstalledRuntime): boolean =>
    ranges.some((r) => r.name === i.name && semver.satisfies(i.pkgVersion, r.range, { includePrerelease: true }));
  if (o.dryRun) {
    const gone = listInstalled(root).filter((i) => !keep(i));
    for (const i of gone) process.stdout.write(`would remove ${i.name} ${i.version} ${i.dir}\n`);
    process.stdout.write(`${gone.length} would be removed from ${root}\n`);
    return 0;
  }
  const { removed, freed } = await prune(root, keep);
  for (const i of removed) process.stdout.write(`removed ${i.name} ${i.version} ${i.dir}\n`);
  process.stdout.write(`${removed.length} removed from ${root}, ${formatBytes(freed)} freed\n`);
  return 0;
}

export function parseSpecifiers(values: string[]): RuntimeSpecifier[] {
  return values
    .flatMap((v) => v.split(","))
    .filter(Boolean)
    .map(parseSpecifier);
}
