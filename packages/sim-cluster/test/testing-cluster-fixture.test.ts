// The Vitest fixture users get a cluster from: it must hand each test a started cluster, stop it after the
// test (a cluster left running would keep its virtual clock and clients alive across tests), take the
// options a suite overrides, and give a test the same seed on every run.

import { type ClusterFixtures, clusterFixtures, testSeed } from '@datastreamer/sim-cluster/testing';
import { test as base, describe, expect } from 'vitest';
import type { SimCluster } from '../src/cluster/sim-cluster.js';
import { SimClusterError } from '../src/errors/sim-cluster-error.js';

const test = base.extend<ClusterFixtures>(clusterFixtures);

let fromFirstTest: SimCluster | undefined;

describe('clusterFixtures', () => {
  test('hands the test a started cluster of the default size', async ({ cluster }) => {
    fromFirstTest = cluster;
    expect(cluster.nodes).toEqual(['node-1', 'node-2', 'node-3']);
    const client = await cluster.connect();
    expect(await client.tables.table('Missing')).toBeNull();
  });

  test('stops the cluster after the test that used it', async () => {
    expect(fromFirstTest).toBeDefined();
    await expect(fromFirstTest?.connect()).rejects.toThrow(SimClusterError);
  });

  test('derives the seed from the test name, the same on every run', ({ cluster, task }) => {
    expect(cluster.seed).toBe(BigInt(testSeed(task.fullName)));
    expect(testSeed(task.fullName)).not.toBe(testSeed(`${task.fullName} (renamed)`));
    expect(Number.isSafeInteger(testSeed(task.fullName))).toBe(true);
  });

  describe('with options overridden for a suite', () => {
    test.override({ clusterOptions: { nodes: 1, partitions: 2, seed: 77 } });

    test('starts the cluster with them', ({ cluster }) => {
      expect(cluster.nodes).toEqual(['node-1']);
      expect(cluster.seed).toBe(77n);
    });
  });
});
