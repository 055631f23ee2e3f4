/**
 * The search of `netparity bisect`, apart from installing and running: which releases lie
 * between two versions, and the binary search over them with its rerun policy. Pure: the
 * outcome at a release comes from a function, so tests drive it with recorded outcomes.
 *
 * Policy (docs/bisect.md):
 * - The bad release is run first; its outcome is "the new outcome". The good release is run
 *   only when the search ends next to it (or not at all when a release between already has
 *   another outcome), so a change in the middle of N releases costs 1 + ceil(log2 N) runs.
 * - A release whose outcome is a failure to run (`did not run`, `error`, `timeout`) is run a
 *   second time at once: a failure that does not repeat is flaky.
 * - The two boundary releases (the last one with another outcome and the first one with the
 *   new outcome) are each run once more at the end; an outcome that does not repeat is flaky
 *   and the search stops without naming a release.
 */
import semver from "semver";

/** A failure to run the probe or cell at all, rather than an observation of the runtime. */
export function isRunFailure(outcome: string): boolean {
  return outcome === "error" || outcome === "timeout" || outcome.startsWith("did not run");
}

/**
 * The releases from `good` to `bad`, both included, ascending: stable releases only unless
 * `prereleases` (then also the pre-releases between the two).
 */
export function releasesBetween(versions: readonly string[], good: string, bad: string, prereleases = false): string[] {
  return [...new Set(versions)]
    .filter((v) => semver.valid(v))
    .filter((v) => v === good || v === bad || prereleases || !semver.prerelease(v))
    .filter((v) => semver.gte(v, good) && semver.lte(v, bad))
    .sort(semver.compare);
}

export interface BisectStep {
  version: string;
  outcome: string;
  /** This run repeated an earlier one at the same release (a boundary, or a failure to run). */
  rerun: boolean;
}

export type BisectResult =
  | {
      kind: "found";
      /** The first release whose outcome is the bad release's. */
      first: string;
      /** The release before it, with its (other) outcome. */
      last: string;
      before: string;
      after: string;
      steps: BisectStep[];
      releasesTried: number;
    }
  | {
      /** The good release already has the bad release's outcome. */
      kind: "unchanged";
      outcome: string;
      steps: BisectStep[];
      releasesTried: number;
    }
  | {
      /** A release gave two outcomes: no release is named. */
      kind: "flaky";
      version: string;
      outcomes: [string, string];
      steps: BisectStep[];
      releasesTried: number;
    };

export interface SearchOptions {
  /** Ascending: releases[0] is the good release, the last one the bad release. */
  releases: readonly string[];
  /** Runs the probe or cell at one release and returns its outcome. */
  outcomeAt: (version: string) => Promise<string>;
  /** Told after every run, with how many releases were tried so far and at most in all. */
  onStep?: (step: BisectStep, tried: number, most: number) => void;
}

/** The most runs a search over `n` releases (good and bad included) takes, reruns excluded. */
export function maxReleasesTried(n: number): number {
  return n < 2 ? n : 1 + Math.ceil(Math.log2(n - 1));
}

class Flaky extends Error {
  constructor(
    readonly version: string,
    readonly outcomes: [string, string],
  ) {
    super(`flaky at ${version}`);
  }
}

/** Finds the first release whose outcome equals the last release's (see the policy above). */
export async function bisectReleases(o: SearchOptions): Promise<BisectResult> {
  const rel = o.releases;
  if (rel.length < 2) throw new Error("bisect needs a good and a bad release");
  const steps: BisectStep[] = [];
  const seen = new Map<number, string>();
  const most = maxReleasesTried(rel.length);
  const tried = (): number => seen.size;

  const runOnce = async (i: number, rerun: boolean): Promise<string> => {
    const outcome = await o.outcomeAt(rel[i]!);
    const step = { version: rel[i]!, outcome, rerun };
    steps.push(step);
    if (!rerun) seen.set(i, outcome);
    o.onStep?.(step, tried(), most);
    return outcome;
  };
  const at = async (i: number): Promise<string> => {
    const cached = seen.get(i);
    if (cached !== undefined) return cached;
    const outcome = await runOnce(i, false);
    if (isRunFailure(outcome)) {
      const again = await runOnce(i, true);
      if (again !== outcome) throw new Flaky(rel[i]!, [outcome, again]);
    }
    return outcome;
  };
  const confirm = async (i: number): Promise<void> => {
    const first = seen.get(i)!;
    // A failure to run was already repeated once when it was first seen.
    if (steps.filter((s) => s.version === rel[i]).length > 1) return;
    const again = await runOnce(i, true);
    if (again !== first) throw new Flaky(rel[i]!, [first, again]);
  };

  try {
    const bad = await at(rel.length - 1);
    // Invariant: outcome(hi) === bad; outcome(lo) !== bad, or lo is the good release, not yet run.
    let lo = 0;
    let hi = rel.length - 1;
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if ((await at(mid)) === bad) hi = mid;
      else lo = mid;
    }
    const before = await at(lo);
    if (before === bad) {
      // lo is the good release (every other lo was seen to differ): nothing changed.
      await confirm(lo);
      return { kind: "unchanged", outcome: bad, steps, releasesTried: tried() };
    }
    await confirm(lo);
    await confirm(hi);
    return {
      kind: "found",
      first: rel[hi]!,
      last: rel[lo]!,
      before,
      after: bad,
      steps,
      releasesTried: tried(),
    };
  } catch (e) {
    if (e instanceof Flaky)
      return { kind: "flaky", version: e.version, outcomes: e.outcomes, steps, releasesTried: tried() };
    throw e;
  }
}
