import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/pglite-snapshot.ts'],
    // PGlite takes a few seconds to start in each test file; real HTTP round trips add more.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Files share their worker process and its loaded modules instead of each re-importing the
    // whole app (about 3 s of CPU a file; measured on 8 integration files: 71 s of CPU isolated,
    // 45 s shared). Each file still opens a database of its own (test/helpers/db.ts), and nothing
    // in src/ keeps per-store state outside a WeakMap keyed by the store.
    isolate: false,
    // Deterministic order keeps failures reproducible.
    sequence: { shuffle: false },
  },
});
