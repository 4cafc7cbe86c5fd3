import { defineConfig } from 'vitest/config';

// The slow suite: `npm run test:faults` (also run by .ci/run): real bot processes under injected faults,
// and the 2,000-row soak. The main suite stays fast for `npm test`.
export default defineConfig({
  test: {
    include: ['test/soak/**/*.test.ts', 'test/faults/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
