// Test settings every package shares. Workspace packages resolve to their TypeScript sources, and each run
// writes a JSON report that `.ci/run` sums into its closing line.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export const sharedConfig = defineConfig({
  resolve: {
    alias: {
      '@datastreamer/protocol': source('protocol'),
      '@datastreamer/server-node': source('server-node'),
      '@datastreamer/client': source('client'),
      '@datastreamer/sim-cluster': source('sim-cluster'),
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A hang guard, not a speed check: turbo runs every package's tests at once, and on 2 busy cores the
    // fuzz and property suites take several times longer than alone.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
