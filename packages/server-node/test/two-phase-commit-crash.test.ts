import { describe, expect, it } from 'vitest';
import { settle } from './support/settle.js';
import { type TableRows, TestCluster } from './support/test-cluster.js';

/**
 * A receiver on node-1 writing a Plays row of node-1 and a Stats row of node-2 (two tables that are not
 * colocated) in one transaction: two-phase commit coordinated by node-1, node-2 a participant.
 */
async function setup() {
  const cluster = new TestCluster(['node-1', 'node-2', 'node-3'], {}, 6);
  const plays = cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Track', type: 'STRING' },
    ],
    primaryKey: ['Id'],
    partitions: 6,
  });
  const stats = cluster.table({
    name: 'Stats',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Count', type: 'INT64' },
    ],
    primaryKey: ['Id'],
    partitions: 6,
  });
  const placement = cluster.controlPlane.placement;
  const ownerOf = (rows: TableRows, id: number) =>
    placement.owner(rows.tableId, rows.partitionOf({ Id: id })) as string;
  const idOwnedBy = (rows: TableRows, node: string): number => {
    for (let id = 0; ; id++) if (ownerOf(rows, id) === node) return id;
  };
  const a = idOwnedBy(plays, 'node-1');
  const b = idOwnedBy(stats, 'node-2');
  const node1 = cluster.node('node-1');
  const node2 = cluster.node('node-2');
  node1.deployReceiver('Both', async (_page, ctx, arg: { track: string }) => {
    const p = (await ctx.ignite.tables.table('Plays'))?.recordView();
    const s = (await ctx.ignite.tables.table('Stats'))?.recordView();
    await ctx.ignite.transactions.runInTransaction(async (tx) => {
      await p?.upsert({ Id: a, Track: arg.track }, tx);
      await s?.upsert({ Id: b, Count: 7n }, tx);
      if (arg.track === 'restart-participant') {
        node2.crash();
        node2.restart();
      }
    });
  });
  const send = async (track: string) => {
    const client = await cluster.client('node-1');
    return client.send('STREAMER_WITH_RECEIVER_BATCH_SEND', {
      tableId: plays.tableId,
      partitionId: plays.partitionOf({ Id: a }),
      targetNode: 'node-1',
      assignmentVersion: 0,
      receiver: 'Both',
      receiveResults: false,
      arg: { track },
      payloads: [1],
    });
  };
  const read = (rows: TableRows, id: number) => {
    const owner = cluster.node(ownerOf(rows, id));
    const stored = owner
      .localPartition(rows.tableId, rows.partitionOf({ Id: id }))
      ?.readAt(rows.key({ Id: id }), owner.clock.now());
    return stored === null || stored === undefined ? null : rows.decode(stored.subarray(1));
  };
  const both = () => [read(plays, a), read(stats, b)];
  const settled = async () => {
    for (let i = 0; i < 20; i++) await settle();
  };
  return { cluster, node1, node2, send, both, settled, a, b };
}

describe('two-phase commit across nodes', () => {
  it('commits a transaction over two tables on two nodes atomically and forgets it afterwards', async () => {
    const { node1, node2, send, both, a, b } = await setup();
    expect(await send('x')).toMatchObject({ kind: 'ok' });
    expect(both()).toEqual([
      { Id: a, Track: 'x' },
      { Id: b, Count: 7n },
    ]);
    expect(node1.transactionLog.openDecisions()).toEqual([]);
    expect(node2.transactionLog.preparedRecords()).toEqual([]);
  });

  it('aborts everywhere when a participant votes no (it restarted and lost its share)', async () => {
    const { node1, send, both } = await setup();
    const response = await send('restart-participant');
    expect(response.kind).toBe('error');
    if (response.kind === 'error') expect(response.error.message).toMatch(/votes no|restarted/);
    expect(both()).toEqual([null, null]);
    expect(node1.transactionLog.openDecisions()).toEqual([]);
    // No intent is left behind: the same writes go through now.
    expect(await send('y')).toMatchObject({ kind: 'ok' });
    expect(both()[1]).not.toBeNull();
  });

  it('finishes a commit after the coordinator crashed between its decision and telling anyone', async () => {
    const { node1, node2, send, both, settled, a, b } = await setup();
    node1.setTwoPhaseCommitHooks({ afterDecision: () => node1.crash() });
    await expect(send('x')).rejects.toThrow();
    node1.setTwoPhaseCommitHooks({});
    // node-2 holds a prepared share; nothing is visible yet on either node.
    expect(node2.transactionLog.preparedRecords()).toHaveLength(1);
    expect(both()).toEqual([null, null]);
    expect(node1.transactionLog.openDecisions()[0]?.outcome).toBe('COMMITTED');
    node1.restart();
    await settled();
    expect(both()).toEqual([
      { Id: a, Track: 'x' },
      { Id: b, Count: 7n },
    ]);
    expect(node1.transactionLog.openDecisions()).toEqual([]);
    expect(node2.transactionLog.preparedRecords()).toEqual([]);
  });

  it('aborts everywhere when the coordinator crashed after prepare and before deciding', async () => {
    const { cluster, node1, node2, send, both, settled } = await setup();
    node1.setTwoPhaseCommitHooks({ afterPrepare: () => node1.crash() });
    await expect(send('x')).rejects.toThrow();
    node1.setTwoPhaseCommitHooks({});
    expect(node1.transactionLog.openDecisions()).toEqual([]);
    expect(node2.transactionLog.preparedRecords()).toHaveLength(1);
    node1.restart();
    // The participant hears nothing, asks the coordinator, gets UNKNOWN (no decision) and aborts.
    cluster.clock.advance(2_000);
    await settled();
    expect(node2.transactionLog.preparedRecords()).toEqual([]);
    expect(both()).toEqual([null, null]);
    expect(await send('y')).toMatchObject({ kind: 'ok' });
    expect(both()[0]).toMatchObject({ Track: 'y' });
  });

  it('lets a participant that crashed after preparing learn the outcome from the coordinator', async () => {
    const { cluster, node1, node2, send, both, settled, a, b } = await setup();
    node1.setTwoPhaseCommitHooks({ afterPrepare: () => node2.crash() });
    expect(await send('x')).toMatchObject({ kind: 'ok' });
    node1.setTwoPhaseCommitHooks({});
    expect(both()[0]).toEqual({ Id: a, Track: 'x' });
    expect(node1.transactionLog.openDecisions()[0]?.outcome).toBe('COMMITTED');
    node2.restart();
    // Re-installed as a prepared intent: a plain write of the key conflicts until the outcome is applied.
    cluster.clock.advance(0);
    await settled();
    expect(both()).toEqual([
      { Id: a, Track: 'x' },
      { Id: b, Count: 7n },
    ]);
    expect(node2.transactionLog.preparedRecords()).toEqual([]);
    cluster.clock.advance(1_000);
    await settled();
    expect(node1.transactionLog.openDecisions()).toEqual([]);
  });

  it('moves a participant partition only once its prepared transaction is decided, keeping its writes', async () => {
    const { cluster, node1, node2, send, both, settled, a, b } = await setup();
    const stats = cluster.rowsOf(cluster.controlPlane.catalog.latest('Stats')?.tableId ?? -1);
    const partition = stats.partitionOf({ Id: b });
    let move: Promise<unknown> | undefined;
    node1.setTwoPhaseCommitHooks({
      afterPrepare: () => {
        move = node2.movePartition(stats.tableId, partition, 'node-3');
      },
    });
    expect(await send('x')).toMatchObject({ kind: 'ok' });
    node1.setTwoPhaseCommitHooks({});
    for (
      let i = 0;
      i < 20 && cluster.controlPlane.placement.owner(stats.tableId, partition) !== 'node-3';
      i++
    ) {
      cluster.clock.advance(10);
      await settled();
    }
    await move;
    expect(cluster.controlPlane.placement.owner(stats.tableId, partition)).toBe('node-3');
    expect(both()).toEqual([
      { Id: a, Track: 'x' },
      { Id: b, Count: 7n },
    ]);
  });
});
