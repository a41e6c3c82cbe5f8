import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/pglite-snapshot.ts'],
    // PGlite takes a few seconds to start in each test file; real HTTP round trips add more.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Deterministic order keeps failures reproducible.
    sequence: { shuffle: false },
  },
});
