import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Resolves the @sluice/* aliases of tsconfig.json to the library sources.
  resolve: { tsconfigPaths: true },
  test: {
    globals: true,
    root: './',
    include: ['libs/**/*.spec.ts', 'apps/**/*.spec.ts', 'test/**/*.e2e-spec.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Real sockets and real Nest apps: two cores, so keep files from starving each other.
    maxWorkers: 2,
  },
});
