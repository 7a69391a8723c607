import { defineConfig } from 'vitest/config';

/**
 * The opt-in suite against a real API server (`npm run test:cluster`, MLP_TEST_KUBECONFIG set).
 * Its files end in `.live.ts`, so the default config (`test/**\/*.test.ts`) never picks them up.
 */
export default defineConfig({
  test: {
    include: ['test/live/**/*.live.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
  },
});
