import { buildAll } from "../build.mjs";

const BUILT = Symbol.for("netparity.test.agents-built");
const memo = globalThis as { [BUILT]?: Promise<void> };

/**
 * Agents run as bundles inside real Bun/Deno/Node processes: build them once per test run.
 * Each project of vitest.config.ts runs this setup; the first build is shared, not repeated.
 */
export default async function setup(): Promise<void> {
  memo[BUILT] ??= buildAll();
  await memo[BUILT];
}
