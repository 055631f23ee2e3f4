import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const source = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Our workspace packages from their sources, as the build and the typecheck take them
    // (the "netparity:source" condition of their exports); installed copies use dist/.
    alias: [
      { find: /^@netparity\/protocol$/, replacement: source("../packages/protocol/src/index.ts") },
      { find: /^@netparity\/runtime-node$/, replacement: source("../runtimes/node/src/index.ts") },
      { find: /^@netparity\/runtime-bun$/, replacement: source("../runtimes/bun/src/index.ts") },
      { find: /^@netparity\/runtime-deno$/, replacement: source("../runtimes/deno/src/index.ts") },
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
