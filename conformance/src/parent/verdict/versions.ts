/**
 * Expectation entries that know versions (docs: conformance/docs/versions.md).
 *
 * An entry in an expectations file is either one object (as always: it holds for every
 * version of the file's runtime) or an array of alternatives, each with a semver range of the
 * file's runtime in "versions":
 *
 *   "tcp.reuseport": [
 *     { "status": "supported", "outcome": "EADDRINUSE", "versions": "<22.12.0" },
 *     { "status": "supported", "outcome": "both-listen", "versions": ">=22.12.0" }
 *   ]
 *
 * The first alternative whose range covers the version holds; an alternative without
 * "versions" covers every version. A version no alternative covers has no expectation: the
 * run says so ("no expectation for node 22.23.3") instead of guessing.
 *
 * `--update-expectations` records what it saw with the narrowest honest range: a version seen
 * with a new outcome is added as that exact version (joined with `||` to an alternative with
 * the same outcome), and taken out of the range of the alternative it contradicts (an entry
 * without versions, last seen on the file's "version", keeps the side of the new version that
 * holds that one: `<22.23.3` when it was recorded with 20.20.2); everything else in the file
 * stays as it was.
 */
import semver from "semver";

export type Versioned<T> = T & { versions?: string };
export type Entry<T> = T | Array<Versioned<T>>;

export function alternatives<T extends object>(e: Entry<T> | undefined): Array<Versioned<T>> {
  if (e === undefined) return [];
  return Array.isArray(e) ? e : [e as Versioned<T>];
}

/** The version as semver sees it ("v22.1.0" and "22.1.0-rc.1" included); null when it is not one. */
export function cleanVersion(v: string | undefined): string | null {
  if (!v) return null;
  return semver.valid(v) ?? semver.valid(semver.coerce(v, { includePrerelease: true }));
}

export function covers(range: string | undefined, version: string | undefined): boolean {
  if (range === undefined) return true;
  const v = cleanVersion(version);
  if (!v) return false;
  return semver.satisfies(v, range, { includePrerelease: true });
}

export type Pick<T> = { expected: T | undefined; uncovered: boolean };

/**
 * The alternative that holds for `version` (without its "versions"): `uncovered` is true when
 * the entry exists but no alternative covers this version.
 */
export function pick<T extends object>(e: Entry<T> | undefined, version: string | undefined): Pick<T> {
  if (e === undefined) return { expected: undefined, uncovered: false };
  for (const a of alternatives(e)) {
    if (covers(a.versions, version)) {
      const { versions: _, ...rest } = a;
      return { expected: rest as unknown as T, uncovered: false };
    }
  }
  return { expected: undefined, uncovered: true };
}

/** `range` without the one version `v` (each comparator set split around it); "" when nothing is left. */
export function withoutVersion(range: string | undefined, v: string): string {
  const r = new semver.Range(range ?? "*", { includePrerelease: true });
  const sets: string[] = [];
  for (const set of r.set) {
    const base = set.map((c) => c.value).filter(Boolean);
    for (const cut of [`<${v}`, `>${v}`]) {
      let parts = [...base, cut];
      if (!satisfiable(parts.join(" "))) continue;
      // Drop the comparators the cut makes redundant ("<23.0.0 <22.12.0" is "<22.12.0").
      for (const c of base) {
        const without = parts.filter((x) => x !== c);
        if (without.length && semver.subset(without.join(" "), parts.join(" "), { includePrerelease: true }))
          parts = without;
      }
      // Lower bound first, as people write ranges.
      sets.push(parts.sort((a, b) => Number(!a.startsWith(">")) - Number(!b.startsWith(">"))).join(" "));
    }
  }
  return normalize(sets.join(" || "));
}

/** `range` with the one version `v` added. */
export function withVersion(range: string | undefined, v: string): string {
  if (range === undefined || covers(range, v)) return range ?? "*";
  return normalize(`${range} || ${v}`);
}

function satisfiable(range: string): boolean {
  try {
    return semver.minVersion(new semver.Range(range, { includePrerelease: true })) !== null;
  } catch {
    return false;
  }
}

/** The range with comparator sets that another set already holds dropped. */
function normalize(range: string): string {
  if (!range.trim()) return "";
  // Sets stay as written ("22" is not rewritten as ">=22.0.0-0 <23.0.0-0").
  const sets = range.split("||").map((s) => s.trim().replace(/\s+/g, " ") || "*");
  const unique = [...new Set(sets)].filter(
    (s, i, all) => !all.some((o, j) => j !== i && o !== s && semver.subset(s, o, { includePrerelease: true })),
  );
  return unique.join(" || ");
}

/**
 * The entry after a run that saw `observed` (version → what it saw, already shaped as an
 * expectation). `same` says whether an alternative already says what was seen (so its issue
 * link and note stay); `recordedWith` is the version the file's unversioned entries were
 * recorded with: seeing something else on that very version replaces such an entry, as an
 * update always did.
 */
export function mergeEntry<T extends object>(
  prev: Entry<T> | undefined,
  observed: ReadonlyArray<readonly [string, T]>,
  same: (a: T, b: T) => boolean,
  recordedWith?: string,
): Entry<T> | undefined {
  let alts: Array<Versioned<T>> = alternatives(prev).map((a) => ({ ...a }));
  const strip = (a: Versioned<T>): T => {
    const { versions: _, ...rest } = a;
    return rest as unknown as T;
  };
  const sorted = [...observed]
    .map(([v, e]) => [cleanVersion(v), e] as const)
    .filter((x): x is readonly [string, T] => x[0] !== null)
    .sort(([a], [b]) => semver.compare(a, b));
  const recorded = cleanVersion(recordedWith);
  // A new entry that every version agrees on is written the old way: one object for all versions.
  if (prev === undefined && sorted.length && sorted.every(([, e]) => same(sorted[0]![1], e))) return sorted[0]![1];
  for (const [v, e] of sorted) {
    const i = alts.findIndex((a) => covers(a.versions, v));
    const holder = i >= 0 ? alts[i]! : undefined;
    if (holder && same(strip(holder), e)) {
      // Still true; take over what the new shape may carry (e.g. the last outcome of "varies").
      alts[i] = { ...holder, ...e, ...(holder.versions !== undefined ? { versions: holder.versions } : {}) };
      continue;
    }
    if (holder && holder.versions === undefined && (!recorded || v === recorded)) {
      // An unversioned entry re-recorded on the version it was recorded with: replaced, as always.
      alts[i] = { ...e };
      continue;
    }
    if (holder) {
      // An unversioned entry was last seen on `recorded`: it keeps the side of `v` that holds
      // that version, and claims nothing beyond `v`. A range someone wrote loses just `v`.
      const rest =
        holder.versions === undefined && recorded
          ? semver.gt(recorded, v)
            ? `>${v}`
            : `<${v}`
          : withoutVersion(holder.versions, v);
      if (rest) alts[i] = { ...holder, versions: rest };
      else alts.splice(i, 1);
    }
    const j = alts.findIndex((a) => a.versions !== undefined && same(strip(a), e));
    if (j >= 0) alts[j] = { ...alts[j]!, versions: withVersion(alts[j]!.versions, v) };
    else alts.push({ ...e, versions: v });
  }
  alts = alts.filter((a) => a.versions === undefined || a.versions !== "");
  if (!alts.length) return undefined;
  // One alternative that covers everything is written the old way, as one object.
  if (alts.length === 1 && (alts[0]!.versions === undefined || alts[0]!.versions === "*")) return strip(alts[0]!);
  return alts;
}
