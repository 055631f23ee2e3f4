import { defineConfig } from "vitest/config";

// Lets `npx vitest run` work from this package as well as from the repository root.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The property and fuzz tests do a fixed, seeded amount of work (up to 110 000 generated
    // inputs a file); how long that takes depends on what else the machine runs, which must
    // not fail them. A real hang still ends here.
    testTimeout: 120_000,
  },
});
