import { buildAll } from "../build.mjs";
import { distIsFresh } from "../bin/dist-fresh.mjs";
import { PACKAGE_ROOT } from "../src/parent/runner/runtimes.js";

const BUILT = Symbol.for("netparity.test.agents-built");
const memo = globalThis as { [BUILT]?: Promise<void> };

/**
 * Agents run as bundles inside real Bun/Deno/Node processes: built once per test run, and not
 * at all when dist/ is newer than every source (`npm test` builds first, through turbo). Each
 * project of vitest.config.ts runs this setup; the first build is shared, not repeated.
 */
export default async function setup(): Promise<void> {
  memo[BUILT] ??= distIsFresh(PACKAGE_ROOT) ? Promise.resolve() : buildAll();
  await memo[BUILT];
}
