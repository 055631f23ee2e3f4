#!/usr/bin/env node
// Entry point of the `netparity` command. Builds dist/ on first use (or when sources are
// newer), so `npx netparity` works straight after `npm ci`.
import { existsSync, statSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const cli = join(root, "dist", "cli.js");

function newestSource() {
  let newest = 0;
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

if (!existsSync(cli) || statSync(cli).mtimeMs < newestSource()) {
  const { buildAll } = await import(pathToFileURL(join(root, "build.mjs")).href);
  await buildAll();
}
await import(pathToFileURL(cli).href);
