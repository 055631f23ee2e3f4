// Bundles one ES module per runtime into dist/ (adapter and protocol inside), so a script
// anywhere in the repository imports "@netparity/sockets" with node, bun or deno run, each
// through its export condition; and dist/index.d.ts, the types of every entry.
import { build } from "esbuild";
import { writeFile, mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const here = dirname(fileURLToPath(import.meta.url));
const common = { bundle: true, format: "esm", target: "es2022", logLevel: "warning", legalComments: "none" };

await Promise.all([
  build({
    ...common,
    entryPoints: [join(here, "src/node.ts")],
    outfile: join(here, "dist/node.js"),
    platform: "node",
    target: "node20",
  }),
  build({
    ...common,
    entryPoints: [join(here, "src/bun.ts")],
    outfile: join(here, "dist/bun.js"),
    platform: "neutral",
    external: ["bun", "node:*"],
  }),
  build({
    ...common,
    entryPoints: [join(here, "src/deno.ts")],
    outfile: join(here, "dist/deno.js"),
    platform: "neutral",
    external: ["node:*"],
  }),
  build({
    ...common,
    entryPoints: [join(here, "src/unsupported.ts")],
    outfile: join(here, "dist/unsupported.js"),
    platform: "neutral",
  }),
]);
await mkdir(join(here, "dist"), { recursive: true });
// The same API on every runtime: the types are those of the runtime-neutral core.
await writeFile(
  join(here, "dist/index.d.ts"),
  [
    'import type { Sockets } from "../src/core.js";',
    'export { SocketError } from "../src/core.js";',
    'export type * from "../src/core.js";',
    'export declare const connect: Sockets["connect"];',
    'export declare const sockets: Sockets["sockets"];',
    "",
  ].join("\n"),
);
console.log("@netparity/sockets: built dist/");
