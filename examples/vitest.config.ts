// The examples' own property test runs with the suite (it is one of the examples), beside the test that runs
// every other example by the command in its header.
import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../vitest.shared.js';

export default defineConfig({
  ...sharedConfig,
  test: { ...sharedConfig.test, include: ['*.test.ts', 'test/**/*.test.ts'] },
});
