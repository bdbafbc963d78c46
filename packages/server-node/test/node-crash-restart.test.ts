import { describe, expect, it } from 'vitest';
import { readRows, sendBatch } from './support/batches.js';
import { settle } from './support/settle.js';
import { TestCluster } from './support/test-cluster.js';

function setup(names = ['node-1']) {
  const cluster = new TestCluster(names);
  return { cluster, rows: cluster.plays(), placement: cluster.controlPlane.placement };
}

describe('ClusterNode crash and restart', () => {
  it('keeps committed rows and loses the intents of running transactions', async () => {
    const { cluster, rows, placement } = setup();
    const node = cluster.node('node-1');
    const client = await cluster.client('node-1');
    const target = { partition: 0, targetNode: 'node-1', assignmentVersion: placement.version };
    await sendBatch(client, rows, [{ op: 'PUT', row: { Id: 1, Track: 'committed' } }], target);
    const store = node.localPartition(rows.tableId, 0);
    if (store === undefined) throw new Error('no partition 0');
    // A transaction with a write intent on key 2 and on key 1 is running when the node crashes.
    const tx = node.transactions.begin();
    const intent = rows.codec.encodeRowValues([2, 'intent']);
    node.transactions.write(tx, store, rows.key({ Id: 2 }), Uint8Array.of(1, ...intent));
    node.transactions.write(tx, store, rows.key({ Id: 1 }), null);
    expect(store.openTransactionCount).toBe(1);

    node.crash();
    await client.closed;
    expect(store.openTransactionCount).toBe(0);
    expect(() => node.transactions.commit(tx)).toThrow(expect.objectContaining({ code: 'TX_NOT_ACTIVE' }));
    node.restart();

    const again = await cluster.client('node-1');
    expect(await readRows(again, rows, [{ Id: 1 }, { Id: 2 }])).toEqual([
      { Id: 1, Track: 'committed' },
      null,
    ]);
    // No intent is left behind to block a writer of those keys.
    const response = await sendBatch(
      again,
      rows,
      [
        { op: 'PUT', row: { Id: 1, Track: 'after' } },
        { op: 'PUT', row: { Id: 2, Track: 'after' } },
      ],
      target,
    );
    expect(response.kind).toBe('ok');
    expect(node.localPartition(rows.tableId, 0)).toBe(store);
  });

  it('closes every connection at once and answers nothing in flight', async () => {
    const { cluster, rows, placement } = setup(['node-1', 'node-2']);
    const node = cluster.node('node-1');
    const first = await cluster.client('node-1');
    const second = await cluster.client('node-1', { name: 'client-2' });
    expect(node.metrics().connections).toBe(2);
    const p = 0;
    // A batch that node-1 must forward: its answer is still out when node-1 crashes.
    const owner = placement.owner(rows.tableId, p);
    if (owner === 'node-1') await node.movePartition(rows.tableId, p, 'node-2');
    // node-2 takes the forwarded batch but never answers, so it is still in flight at the crash.
    cluster.network.listen('node-2', () => {});
    const inFlight = sendBatch(first, rows, [{ op: 'PUT', row: { Id: 1, Track: 'x' } }], {
      partition: p,
      targetNode: 'node-2',
      assignmentVersion: placement.version,
    });
    await settle();
    node.crash();
    await expect(inFlight).rejects.toThrow('connection closed');
    await Promise.all([first.closed, second.closed]);
    expect(node.metrics().connections).toBe(0);
    expect(first.responses).toEqual([]);
    node.restart();
    const again = await cluster.client('node-1');
    await expect(again.call('HEARTBEAT', {})).resolves.toBeNull();
  });

  it('keeps its clock ahead of every commit it made before the crash', async () => {
    const { cluster, rows, placement } = setup();
    const node = cluster.node('node-1');
    const stamps: bigint[] = [];
    node.onApply((_t, _p, _k, _r, ts) => stamps.push(ts));
    const target = { partition: 0, targetNode: 'node-1', assignmentVersion: placement.version };
    const client = await cluster.client('node-1');
    await sendBatch(client, rows, [{ op: 'PUT', row: { Id: 1, Track: 'a' } }], target);
    node.crash();
    node.restart();
    const again = await cluster.client('node-1');
    await sendBatch(again, rows, [{ op: 'PUT', row: { Id: 1, Track: 'b' } }], target);
    expect(stamps).toHaveLength(2);
    expect(stamps[1]).toBeGreaterThan(stamps[0] as bigint);
  });
});
