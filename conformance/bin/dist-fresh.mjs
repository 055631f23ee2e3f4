// Whether dist/ was built after the last change to the sources it is built from: the CLI's
// entry and the test run's setup both rebuild only when it was not.
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** The newest modification time of a `.ts` source under the package root's source folders. */
function newestSource(root) {
  let newest = statSync(join(root, "build.mjs"), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const walk = (d) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "node_modules" && e.name !== "test" && e.name !== "dist") walk(p);
      } else if (e.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
    }
  };
  for (const d of [
    "src",
    "agents",
    "bench",
    "../packages/protocol/src",
    // Every adapter package (runtimes/<name>/src), whichever runtimes are registered.
    "../runtimes",
  ])
    walk(join(root, d));
  return newest;
}

/** True when `root`/dist/cli.js exists and is newer than every source (an installed package has none). */
export function distIsFresh(root) {
  const cli = join(root, "dist", "cli.js");
  return existsSync(cli) && statSync(cli).mtimeMs >= newestSource(root);
}
