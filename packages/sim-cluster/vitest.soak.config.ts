// `pnpm test:soak`: the scenario property at SOAK_RUNS scenarios (default 1000) with a fresh fast-check seed
// per run unless PROPERTY_SEED is set. Only the soak files (include is replaced, not merged), no JSON report
// (CI counts the default suite's).
import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.js';

export default defineConfig({
  ...sharedConfig,
  test: {
    ...sharedConfig.test,
    include: ['test/**/*.soak.ts'],
    testTimeout: 0,
    reporters: ['default'],
  },
});
