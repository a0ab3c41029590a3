import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  // One graphql realm (CommonJS, as Node resolves it for Apollo): see graphql/vitest.config.ts.
  resolve: { alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }] },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    // Suites start servers and engines: one file at a time on a 2-core machine.
    fileParallelism: false,
    env: { NODE_ENV: 'test' },
  },
});
