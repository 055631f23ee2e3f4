import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { BUILTIN_RUNTIMES } from "./src/parent/common/runtime-descriptors.js";

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

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
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Matrix tests spawn real runtimes and measure nothing: run files one at a time so
    // two cores are not shared by several matrices at once.
    fileParallelism: false,
  },
});
