import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['scripts/**/*.test.ts', 'src/**/*.test.ts'],
    // The schema-engine tests drive the real Prisma CLI (Wasm engine + PGlite start-up: seconds each
    // on a 2-core machine).
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
