import { buildAll } from "../build.mjs";

/** Agents run as bundles inside real Bun/Deno/Node processes: build them once per test run. */
export default async function setup(): Promise<void> {
  await buildAll();
}
