import { defineConfig } from "vitest/config";
import { TEST_ENV } from "./test/helpers/test-env";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "app/**/*.test.ts", "workers/**/*.test.ts"],
    setupFiles: ["test/setup/fail-on-console-error.ts"],
    globalSetup: ["test/setup/global-setup.ts"],
    // Forks, not threads: native modules (better-sqlite3, TF wasm) and process.exit-ing code.
    pool: "forks",
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 60_000,
    hookTimeout: 120_000,
    env: TEST_ENV,
    reporters: ["default"],
  },
});
