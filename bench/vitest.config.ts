// Benchmarks run as vitest files (TypeScript, shared helpers with the tests), one at a time so
// figures from one do not disturb another. `npm run bench`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['bench/**/*.bench.test.ts'],
    environment: 'node',
    testTimeout: 900_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
