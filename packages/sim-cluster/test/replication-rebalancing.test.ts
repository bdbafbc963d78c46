import { describe, expect, it } from 'vitest';
import type { SimCluster } from '../src/cluster/sim-cluster.js';
import {
  expectedRows,
  expectValid,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

const QUICK_RAFT = {
  electionTimeoutMs: { min: 150, max: 300 },
  heartbeatIntervalMs: 30,
  leaseMs: 600,
  snapshotEveryEntries: 4,
  snapshotChunkBytes: 256,
};

type Step = (cluster: SimCluster) => Promise<unknown> | unknown;

/** Streams 1200 items into Events on `nodes` nodes with 3 replicas, running `steps` at item 300, 600, 900. */
async function streamWhile(seed: number, nodes: number, steps: Readonly<Record<number, Step>>) {
  const { cluster, client, view } = await startScenario({
    seed,
    nodes,
    replicas: 3,
    replication: QUICK_RAFT,
  });
  const items = workload({ seed, items: 1200, keys: 150 });
  const running: Promise<unknown>[] = [];
  const hooks: Record<number, () => void> = {};
  for (const [at, step] of Object.entries(steps)) {
    hooks[Number(at)] = () => {
      running.push(Promise.resolve(step(cluster)));
    };
  }
  const summary = await cluster.stream(
    view,
    withHooks(items, hooks),
    { client, seq: seqOf },
    { pageSize: 20, retryLimit: -1 },
  );
  await Promise.all(running);
  return { cluster, items, summary };
}

function membershipEvents(cluster: SimCluster) {
  return cluster.history.ofType('topology').filter((e) => e.kind === 'membership');
}

describe('Rebalancing replicated partitions by Raft membership changes', () => {
  it('moves a replica to another node while a stream writes, and replicasOf shows it', async () => {
    let report: unknown;
    const { cluster, items, summary } = await streamWhile(151, 4, {
      300: async (c) => {
        report = await c.movePartition('Events', 0, 'node-4', { from: 'node-2' });
      },
    });
    await using _ = cluster;
    expect(summary.items).toBe(items.length);
    expect(report).toMatchObject({ from: 'node-2', to: 'node-4', completed: true });
    expect(await cluster.replicasOf('Events', 0)).toEqual(['node-1', 'node-3', 'node-4']);
    // The new replica holds every committed write: the table read from it matches.
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    // Only the moved partition's configurations are recorded (snapshots every 4 entries change no members).
    expect(membershipEvents(cluster).filter((e) => e.details['partition'] !== 0)).toEqual([]);
    const steps = membershipEvents(cluster).filter((e) => e.details['partition'] === 0);
    expect(steps.map((e) => [e.details['voters'], e.details['learners']])).toEqual([
      [['node-1', 'node-2', 'node-3'], ['node-4']],
      [['node-1', 'node-2', 'node-3', 'node-4'], []],
      [['node-1', 'node-3', 'node-4'], []],
    ]);
    expect(
      cluster.node('node-4').replicaGroup(cluster.controlPlane.catalog.latest('Events')?.tableId ?? -1, 0),
    ).toBeDefined();
    expect(
      cluster
        .node('node-2')
        .metrics()
        .replication.groups.map((g) => g.partition),
    ).not.toContain(0);
    expectValid(cluster);
  });
});

describe('Rebalancing replicated partitions: joins, leaves and repairs', () => {
  it('gives a node that joins its share of the replicas while a stream writes', async () => {
    const { cluster, items, summary } = await streamWhile(152, 3, { 300: (c) => c.addNode() });
    await using _ = cluster;
    expect(summary.items).toBe(items.length);
    const held = new Map<string, number>();
    for (let p = 0; p < 8; p++) {
      const replicas = await cluster.replicasOf('Events', p);
      expect(replicas).toHaveLength(3);
      for (const node of replicas) held.set(node, (held.get(node) ?? 0) + 1);
    }
    // 24 replicas over 4 nodes: 6 each.
    expect(Object.fromEntries(held)).toEqual({ 'node-1': 6, 'node-2': 6, 'node-3': 6, 'node-4': 6 });
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('moves every replica off a node that leaves, then lets it go', async () => {
    const { cluster, items, summary } = await streamWhile(153, 4, { 300: (c) => c.removeNode('node-2') });
    await using _ = cluster;
    expect(summary.items).toBe(items.length);
    expect(cluster.nodes).not.toContain('node-2');
    for (let p = 0; p < 8; p++) {
      const replicas = await cluster.replicasOf('Events', p);
      expect(replicas).toHaveLength(3);
      expect(replicas).not.toContain('node-2');
    }
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('refuses to remove a node whose replicas no other node can take', async () => {
    const { cluster } = await startScenario({ seed: 154, nodes: 3, replicas: 3, replication: QUICK_RAFT });
    await using _ = cluster;
    await expect(cluster.removeNode('node-3')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('cannot hold 3 replicas each'),
    });
    expect(cluster.nodes).toContain('node-3');
  });

  it('replaces the replicas of a destroyed node on the remaining nodes', async () => {
    const { cluster, items, summary } = await streamWhile(155, 4, { 300: (c) => c.destroyNode('node-3') });
    await using _ = cluster;
    expect(summary.items).toBe(items.length);
    expect(await cluster.replicaMovesSettled()).toBe(true);
    for (let p = 0; p < 8; p++) {
      const replicas = await cluster.replicasOf('Events', p);
      expect(replicas).toHaveLength(3);
      expect(replicas).not.toContain('node-3');
    }
    const repaired = cluster.history
      .ofType('topology')
      .filter((e) => e.kind === 'move' && e.details['from'] === 'node-3');
    expect(repaired.length).toBeGreaterThan(0);
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
  });

  it('moves a replica off a crashed node, which deletes the group files at its restart', async () => {
    const { cluster } = await startScenario({ seed: 156, nodes: 4, replicas: 3, replication: QUICK_RAFT });
    await using _ = cluster;
    const tableId = cluster.controlPlane.catalog.latest('Events')?.tableId ?? -1;
    await cluster.primaryOf('Events', 0);
    const files = () => cluster.node('node-2').disk.list(`raft/t${tableId}p0/`);
    expect(files().length).toBeGreaterThan(0);
    cluster.crashNode('node-2');
    const report = await cluster.movePartition('Events', 0, 'node-4', { from: 'node-2' });
    expect(report).toMatchObject({ completed: true, replicas: ['node-1', 'node-3', 'node-4'] });
    expect(files().length).toBeGreaterThan(0);
    await cluster.restartNode('node-2');
    expect(files()).toEqual([]);
    expect(cluster.node('node-2').replicaGroup(tableId, 0)).toBeUndefined();
    expectValid(cluster);
  });
});
