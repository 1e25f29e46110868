// `npm run test:container`: builds the image and drives it (test/container). Slow (an image
// build, and on a fresh machine a debootstrap of the stand-in base image), so it is kept out of
// the default `vitest run` and gets long timeouts.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/container/**/*.test.ts'],
    environment: 'node',
    testTimeout: 5 * 60_000,
    hookTimeout: 20 * 60_000,
    teardownTimeout: 2 * 60_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
