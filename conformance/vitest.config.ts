import { defineConfig } from "vitest/config";

export default defineConfig({
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
