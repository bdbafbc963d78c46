/**
 * A Vitest fixture (`test.extend`) that hands each test a started `SimCluster` and stops it after the test,
 * whether the test passed or not. The cluster's options come from the `clusterOptions` fixture (default:
 * none, so the `SimCluster.start` defaults); change them for a file or a suite with
 * `test.override({ clusterOptions: { nodes: 5 } })`. Without a `seed` option the seed is derived from the
 * test's full name, so a test runs on the same seed every time (rename it, and it gets another).
 *
 * It needs nothing from Vitest at run time (the fixture is a plain function Vitest calls), so importing
 * this module never loads a test framework. It does not record, check or fault anything by itself.
 */
import { createRng } from '@datastreamer/protocol';
import { SimCluster } from '../cluster/sim-cluster.js';
import type { SimClusterOptions } from '../cluster/sim-cluster-options.js';

/** The fixtures {@link clusterFixtures} adds to a test's context. */
export interface ClusterFixtures {
  /** Options of the cluster `cluster` starts. Default `{}`. */
  clusterOptions: SimClusterOptions;
  /** A started cluster, stopped after the test. */
  cluster: SimCluster;
}

/** The seed of a test named `fullName`: a safe integer (it prints and parses back), the same every run. */
export function testSeed(fullName: string): number {
  return Number(createRng(0).child(fullName).seed & 0x1f_ffff_ffff_ffffn);
}

/** What the fixture reads from the test's context (Vitest's context has more). */
interface FixtureContext {
  readonly clusterOptions: SimClusterOptions;
  readonly task: { readonly fullName: string };
}

/**
 * The fixture definitions, for `test.extend<ClusterFixtures>(clusterFixtures)`:
 *
 * ```ts
 * import { test as base } from 'vitest';
 * import { type ClusterFixtures, clusterFixtures } from '@datastreamer/sim-cluster/testing';
 *
 * const test = base.extend<ClusterFixtures>(clusterFixtures);
 * test('streams', async ({ cluster }) => { const client = await cluster.connect(); ... });
 * ```
 */
export const clusterFixtures = {
  clusterOptions: {} as SimClusterOptions,
  // Vitest reads the names a fixture depends on from its first parameter, which must destructure them.
  cluster: async (
    { clusterOptions, task }: FixtureContext,
    use: (cluster: SimCluster) => Promise<void>,
  ): Promise<void> => {
    const seed = clusterOptions.seed ?? testSeed(task.fullName);
    const cluster = await SimCluster.start({ ...clusterOptions, seed });
    try {
      await use(cluster);
    } finally {
      await cluster.stop();
    }
  },
};
