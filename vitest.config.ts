import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The slow, process-level fault and soak suites run in `npm run test:faults`.
    exclude: ['test/soak/**', 'test/faults/**', 'node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    // Most of a test's time is spent waiting on Azurite, the Slack stand-in or a timer, not on the CPU: four
    // files at a time keep two cores busy (vitest's default on 2 cores is one). The files share a worker's
    // module cache (no per-file isolation): the bot keeps no module-level state, each test builds its own
    // bot, registry and tables, and importing its modules once per worker instead of once per file is most
    // of the saving (npm test: BENCHMARKS.md section 7).
    maxWorkers: 4,
    isolate: false,
    testTimeout: 20_000,
    hookTimeout: 30_000,
  },
});
