import { defineConfig } from "vitest/config";

// Lets `npx vitest run` work from this package as well as from the repository root.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
  },
});
