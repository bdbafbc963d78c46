import type { Response } from '@datastreamer/protocol';
import type { BatchProducer } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { RawConnection } from './support/raw-connection.js';

const REPLICATION = {
  leaseMs: 600,
  electionTimeoutMs: { min: 150, max: 300 },
  heartbeatIntervalMs: 30,
} as const;

describe('Receiver runs on a replicated partition', () => {
  it('answers PARTITION_MOVED for a run whose replica lost the primacy while it ran, and runs it on the new primary', async () => {
    let release: () => void = () => {};
    let gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let runs = 0;
    const cluster = await SimCluster.start({
      nodes: 3,
      partitions: 1,
      seed: 37,
      replicas: 3,
      replication: REPLICATION,
      receivers: {
        Held: async (payloads: readonly unknown[]) => {
          runs++;
          await gate;
          return [payloads.length];
        },
      },
    });
    await using _ = cluster;
    const admin = await cluster.connect();
    await admin.catalog.createTable({
      name: 'Plays',
      columns: [{ name: 'Id', type: 'INT32' }],
      primaryKey: ['Id'],
    });
    const tableId = cluster.controlPlane.catalog.latest('Plays')?.tableId ?? -1;
    const send = async (node: string, producer: BatchProducer): Promise<Response> => {
      const raw = await RawConnection.open(cluster, `raw-${producer.batchSeq}-${cluster.clock.now()}`, node);
      await raw.handshake('client', 'raw');
      return raw.send('STREAMER_WITH_RECEIVER_BATCH_SEND', {
        tableId,
        partitionId: 0,
        targetNode: node,
        assignmentVersion: cluster.controlPlane.placement.version,
        receiver: 'Held',
        receiveResults: true,
        arg: null,
        payloads: [1, 2],
        producer,
        transactional: false,
      });
    };
    const old = await cluster.primaryOf('Plays', 0);
    const running = send(old, { producerId: 'p', epoch: 1, batchSeq: 1 });
    await cluster.clock.sleep(10);
    expect(runs).toBe(1);
    // Cut off from its peers (not from its client) while the receiver runs: another replica takes over.
    cluster.network.partition(
      [old],
      cluster.nodes.filter((n) => n !== old),
    );
    let next = old;
    for (let waited = 0; next === old && waited < 5_000; waited += 20) {
      await cluster.clock.sleep(20);
      next = await cluster.primaryOf('Plays', 0);
    }
    expect(next).not.toBe(old);
    expect(cluster.node(old).replicaGroup(tableId, 0)?.servesReads()).toBe(false);
    release();
    // It ran, but no fence recorded it: it must run again where the fence decides now.
    const moved = await running;
    expect(moved).toMatchObject({ kind: 'error', error: { code: 'PARTITION_MOVED', retryable: true } });
    expect(moved.kind === 'error' && moved.error.message).toMatch(/stopped being its primary/);
    gate = Promise.resolve();
    cluster.network.heal();
    expect(await send(next, { producerId: 'p', epoch: 1, batchSeq: 1 })).toMatchObject({
      kind: 'ok',
      result: { results: [2] },
    });
    // Every replica's fence holds batch 1 now: batch 2 is in its turn, and batch 1 again is a duplicate.
    expect(await send(next, { producerId: 'p', epoch: 1, batchSeq: 2 })).toMatchObject({ kind: 'ok' });
    expect(await send(next, { producerId: 'p', epoch: 1, batchSeq: 1 })).toMatchObject({ kind: 'ok' });
    expect(runs).toBe(3);
    await cluster.clock.sleep(300);
    for (const name of await cluster.replicasOf('Plays', 0)) {
      const fence = cluster.node(name).replicaGroup(tableId, 0)?.machine.fence.entries();
      expect(fence, name).toMatchObject([{ producerId: 'p', epoch: 1, appliedSeq: 2 }]);
    }
  });
});
