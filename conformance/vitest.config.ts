import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BUILTIN_RUNTIMES } from "./src/parent/common/runtime-descriptors.js";

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

/**
 * Files that must have the machine to themselves run in the serial project: one at a time,
 * after every other file, with nothing beside them. They are the files that measure (the bench
 * runs pin processes to CPUs and time them; several probes measure time and each result must
 * come within its bound) and the files that pack a package in place (npm pack's prepack
 * rebuilds the dist/ bundles that the other files' agents and CLI start from; packages.test.ts
 * packs from a copy of the sources instead). A new file is classified by its name; every other
 * file runs in the parallel project: ephemeral ports, its own temporary directories and network
 * namespaces, no timing targets (CONTRIBUTING, "Test tiers").
 */
const SERIAL = ["test/bench*.test.ts", "test/probes*.test.ts", "test/*tarball*.test.ts"];

/**
 * Parallel files at once: each spawns real runtimes (a Node parent, Bun and Deno agents), so
 * one file per core; NETPARITY_TEST_WORKERS overrides (a number, or a share of the cores: 50%).
 */
const workers = process.env.NETPARITY_TEST_WORKERS;
const WORKERS = workers ? (/^\d+$/.test(workers) ? Number(workers) : workers) : "100%";

export default defineConfig({
  resolve: {
    // Our workspace packages from their sources, as the build and the typecheck take them
    // (the "netparity:source" condition of their exports); installed copies use dist/.
    alias: [
      { find: /^@netparity\/protocol$/, replacement: source("../packages/protocol/src/index.ts") },
      // Each runtime's adapter, as its descriptor names it.
      ...BUILTIN_RUNTIMES.flatMap(({ adapter: a }) =>
        a ? [{ find: new RegExp(`^${a.pkg.replace(/[/.]/g, "\\$&")}$`), replacement: source(`../${a.source}`) }] : [],
      ),
      { find: /^@netparity\/sockets\/core$/, replacement: source("../runtimes/facades/sockets/src/core.ts") },
    ],
  },
  test: {
    globalSetup: ["test/global-setup.ts"],
    maxWorkers: WORKERS,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        extends: true,
        test: {
          name: "parallel",
          include: ["test/**/*.test.ts"],
          exclude: SERIAL,
          maxWorkers: WORKERS,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "serial",
          include: SERIAL,
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
