#!/usr/bin/env node
// Entry point of the `netparity` command. Builds dist/ on first use (or when sources are
// newer), so `npx netparity` works straight after `npm ci`.
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { distIsFresh } from "./dist-fresh.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

if (!distIsFresh(root)) {
  const { buildAll } = await import(pathToFileURL(join(root, "build.mjs")).href);
  await buildAll();
}
await import(pathToFileURL(join(root, "dist", "cli.js")).href);
