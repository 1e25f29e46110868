import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts',
      'test/integration/**/*.test.ts',
      'test/e2e/**/*.test.ts',
      'test/contract/**/*.test.ts',
      'test/hostile/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // e2e suites spawn servers; keep the two cores from being oversubscribed.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
