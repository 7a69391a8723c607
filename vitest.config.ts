import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['vitest.setup.ts'],
    // CI shares two cores with other work: servers, PGlite and PostgreSQL schemas can take far
    // longer to start than on an idle laptop. These are ceilings against hangs, not timings.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    teardownTimeout: 60_000,
    pool: 'forks',
  },
});
