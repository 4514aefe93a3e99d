import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CDK synth and s3rver tests are slow on a 2-core machine; wall time is not asserted anywhere.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
