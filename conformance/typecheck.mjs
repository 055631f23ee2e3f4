// `npm run typecheck`: the parent and tests under Node's typings, then each runtime's agent
// entries under that runtime's own typings (its descriptor's `typings`), one tsc run each:
// bun-types and Deno's types cannot be loaded into one program.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runtimeDescriptors } from "./build.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const tsc = join(dirname(createRequire(import.meta.url).resolve("typescript/package.json")), "bin", "tsc");
const configs = [...new Set(["tsconfig.json", ...(await runtimeDescriptors()).map((d) => d.typings)])];
for (const config of configs) {
  const r = spawnSync(process.execPath, [tsc, "-p", config], { cwd: here, stdio: "inherit" });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
