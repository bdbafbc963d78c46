import { MemoryDisk } from '@datastreamer/server-node';
import { describe, expect, it } from 'vitest';
import type { SimCluster } from '../src/cluster/sim-cluster.js';
import {
  eventsView,
  expectedRows,
  expectValid,
  seqOf,
  startScenario,
  tableRows,
  withHooks,
  workload,
} from './scenario-support.js';

/**
 * One faulty run: two clients streaming disjoint keys at once over a lossy, duplicating, jittery network,
 * with a crash and restart and a partition move in the middle, then a heal. Returns what determinism is
 * judged on.
 */
async function faultyRun(seed: number) {
  const { cluster, client, view } = await startScenario({ seed });
  await using _ = cluster;
  const other = await cluster.connect({ requestTimeoutMs: 1000 });
  const otherView = await eventsView(other);
  cluster.network.setFaults({ drop: 0.02, duplicate: 0.02, delayMs: [1, 20] });
  const first = workload({ seed: 1, items: 400, keys: 50 });
  const second = workload({ seed: 2, items: 400, keys: 50, idOffset: 1000 });
  let restarted: Promise<void> | undefined;
  const hooks = {
    120: () => {
      cluster.crashNode('node-2');
      restarted = cluster.clock.sleep(800).then(() => cluster.restartNode('node-2'));
    },
    250: () => cluster.movePartition('Events', 3, 'node-1'),
  };
  const summaries = await Promise.all([
    cluster.stream(view, withHooks(first, hooks), { client, seq: seqOf }, { pageSize: 16 }),
    cluster.stream(otherView, second, { client: other, seq: seqOf }, { pageSize: 16 }),
  ]);
  await restarted;
  cluster.network.heal();
  expect(tableRows(cluster)).toEqual(expectedRows([...first, ...second]));
  const verdict = expectValid(cluster);
  return {
    hash: cluster.history.hash(),
    events: cluster.history.length,
    retries: summaries[0].retries + summaries[1].retries,
    faults: cluster.history.ofType('fault').length,
    duplicated: verdict.duplicated,
  };
}

/** Resolves, in steps of 1 ms of virtual time, once `name`'s disk holds changes not yet synced. */
async function untilUnsynced(cluster: SimCluster, name: string): Promise<void> {
  const disk = cluster.node(name).disk;
  if (!(disk instanceof MemoryDisk)) throw new Error(`${name} has no MemoryDisk`);
  while (disk.unsyncedChanges === 0) await cluster.clock.sleep(1);
}

/**
 * One faulty run on replicated partitions: 5 nodes, 3 replicas of each partition, disks that sync with a
 * latency, a lossy network, a crash that loses unsynced writes and a restart, then a node destroyed with its
 * disk. Returns what determinism is judged on, replication's own events included.
 */
async function replicatedRun(seed: number) {
  const { cluster, client, view } = await startScenario({
    seed,
    nodes: 5,
    replicas: 3,
    replication: {
      electionTimeoutMs: { min: 150, max: 300 },
      heartbeatIntervalMs: 30,
      leaseMs: 600,
      snapshotEveryEntries: 8,
      syncLatencyMs: { min: 5, max: 20 },
    },
  });
  await using _ = cluster;
  cluster.network.setFaults({ drop: 0.02, duplicate: 0.02, delayMs: [1, 20] });
  const items = workload({ seed: 3, items: 600, keys: 80 });
  let restarted: Promise<void> | undefined;
  const hooks = {
    150: () => {
      // At the first moment node-2's disk holds writes not yet synced: the crash loses them.
      restarted = untilUnsynced(cluster, 'node-2')
        .then(() => cluster.crashNode('node-2'))
        .then(() => cluster.clock.sleep(800))
        .then(() => cluster.restartNode('node-2'));
    },
    350: () => cluster.destroyNode('node-4'),
  };
  const summary = await cluster.stream(
    view,
    withHooks(items, hooks),
    { client, seq: seqOf },
    { pageSize: 16 },
  );
  await restarted;
  cluster.network.heal();
  expect(tableRows(cluster)).toEqual(expectedRows(items));
  expectValid(cluster);
  const topology = cluster.history.ofType('topology');
  return {
    hash: cluster.history.hash(),
    events: cluster.history.length,
    retries: summary.retries,
    elections: topology.filter((e) => e.kind === 'election').length,
    leases: topology.filter((e) => e.kind === 'lease').length,
    lossyCrashes: topology.filter((e) => e.kind === 'crash' && Number(e.details['unsyncedLost'] ?? 0) > 0)
      .length,
  };
}

describe('Determinism: history hash', () => {
  it('gives the identical history, event for event, for the same seed and scenario', async () => {
    const a = await faultyRun(424242);
    const b = await faultyRun(424242);
    // The run was not trivial: faults fired and the streams retried.
    expect(a.retries).toBeGreaterThan(0);
    expect(a.faults).toBeGreaterThan(5);
    expect(b).toEqual(a);
  });

  it('gives a different history for a different seed', async () => {
    const a = await faultyRun(424242);
    const c = await faultyRun(424243);
    expect(c.hash).not.toBe(a.hash);
  });

  it('gives the identical history for the same seed on replicated partitions under faults', async () => {
    const a = await replicatedRun(515151);
    const b = await replicatedRun(515151);
    // Replication did its work: elections after the crash and the destroy, leases granted and moved.
    expect(a.elections).toBeGreaterThan(8);
    expect(a.leases).toBeGreaterThan(8);
    expect(a.lossyCrashes).toBe(1);
    expect(b).toEqual(a);
    const c = await replicatedRun(515152);
    expect(c.hash).not.toBe(a.hash);
  });
});
