import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Item, readRows, sendBatch } from './support/batches.js';
import { TableRows, TestCluster } from './support/test-cluster.js';

/** One partition, so every item of a test lands in the same batch. */
function setup(partitions = 1) {
  const cluster = new TestCluster(['node-1']);
  const rows = cluster.table({
    name: 'Events',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Value', type: 'STRING' },
      { name: 'Score', type: 'DOUBLE', nullable: true },
    ],
    primaryKey: ['Id'],
    partitions,
  });
  const node = cluster.node('node-1');
  const applied: string[] = [];
  node.onApply((_table, _partition, key, row, ts) => {
    applied.push(
      `${key.join('.')}=${row === null ? 'deleted' : TableRows.field(rows.decode(row), 'Value')}@${ts}`,
    );
  });
  const target = {
    partition: 0,
    targetNode: 'node-1',
    assignmentVersion: cluster.controlPlane.placement.version,
  };
  return { cluster, rows, node, applied, target };
}

const put = (id: number, value: string): Item => ({ op: 'PUT', row: { Id: id, Value: value, Score: null } });
const remove = (id: number): Item => ({ op: 'REMOVE', row: { Id: id } });

async function values(client: Awaited<ReturnType<TestCluster['client']>>, rows: TableRows, ids: number[]) {
  return (
    await readRows(
      client,
      rows,
      ids.map((Id) => ({ Id })),
    )
  ).map((r) => (r === null ? null : TableRows.field(r, 'Value')));
}

describe('ClusterNode STREAMER_BATCH_SEND semantics', () => {
  it('leaves a key absent after PUT then REMOVE in one batch', async () => {
    const { cluster, rows, target } = setup();
    const client = await cluster.client('node-1');
    await sendBatch(client, rows, [put(1, 'old')], target);
    const response = await sendBatch(client, rows, [put(1, 'a'), remove(1), put(2, 'b'), remove(2)], target);
    expect(response).toMatchObject({ kind: 'ok', result: { schemaVersion: 1 } });
    expect(await values(client, rows, [1, 2])).toEqual([null, null]);
  });

  it('keeps the last PUT after PUT, REMOVE, PUT, PUT, with one apply event at one commit', async () => {
    const { cluster, rows, target, applied } = setup();
    const client = await cluster.client('node-1');
    await sendBatch(client, rows, [put(1, 'a'), remove(1), put(1, 'b'), put(1, 'c')], target);
    expect(await values(client, rows, [1])).toEqual(['c']);
    expect(applied).toHaveLength(1);
    expect(applied[0]).toMatch(/=c@/);
  });

  it('treats a REMOVE of a missing key as a no-op', async () => {
    const { cluster, rows, target, applied, node } = setup();
    const client = await cluster.client('node-1');
    const response = await sendBatch(client, rows, [remove(5), remove(5), put(6, 'x')], target);
    expect(response.kind).toBe('ok');
    expect(applied.map((a) => a.split('@')[0])).toEqual([`${rows.key({ Id: 6 }).join('.')}=x`]);
    expect(node.localPartition(rows.tableId, 0)?.keyCount).toBe(1);
  });

  it('removes by the key columns of a REMOVE that carries its value columns too', async () => {
    const { cluster, rows, target } = setup();
    const client = await cluster.client('node-1');
    await sendBatch(client, rows, [put(1, 'keep'), put(2, 'gone')], target);
    // The REMOVE item is a full row whose value columns differ from the stored ones: they are ignored.
    const full = rows.put({ Id: 2, Value: 'something else', Score: 1.5 });
    const response = await client.send('STREAMER_BATCH_SEND', {
      tableId: rows.tableId,
      partitionId: 0,
      deleted: Uint8Array.of(0b1),
      schemaVersion: rows.version,
      rows: [full],
      targetNode: 'node-1',
      assignmentVersion: target.assignmentVersion,
    });
    expect(response.kind).toBe('ok');
    expect(await values(client, rows, [1, 2])).toEqual(['keep', null]);
  });

  it('applies nothing of a batch with one invalid row, and names the row and column', async () => {
    const { cluster, rows, target, applied } = setup();
    const client = await cluster.client('node-1');
    await sendBatch(client, rows, [put(1, 'before')], target);
    applied.length = 0;
    // Value is not nullable: a NULL there (explicit, not "unset") makes row 2 invalid.
    const batch = [put(1, 'after'), put(2, 'new')].map((item) => rows.put(item.row));
    batch.push({ noValueSet: new Uint8Array(0), tuple: rows.codec.encodeRowValues([3, null, null]) });
    const response = await client.send('STREAMER_BATCH_SEND', {
      tableId: rows.tableId,
      partitionId: 0,
      deleted: null,
      schemaVersion: rows.version,
      rows: batch,
      targetNode: 'node-1',
      assignmentVersion: target.assignmentVersion,
    });
    expect(response.kind).toBe('error');
    if (response.kind !== 'error') return;
    expect(response.error.code).toBe('INVALID_ROW');
    expect(response.error.message).toContain('row 2 of the batch');
    expect(response.error.extensions).toEqual({ column: 'Value' });
    expect(applied).toEqual([]);
    expect(await values(client, rows, [1, 2, 3])).toEqual(['before', null, null]);
  });

  it('applies nothing of a batch that meets a write conflict, and says it may be retried', async () => {
    const { cluster, rows, target, node, applied } = setup();
    const client = await cluster.client('node-1');
    await sendBatch(client, rows, [put(1, 'v1')], target);
    applied.length = 0;
    // An open transaction holds an intent on key 2 (as a receiver's transaction could).
    const store = node.localPartition(rows.tableId, 0);
    if (store === undefined) throw new Error('the node holds no partition 0');
    const tx = node.transactions.begin();
    node.transactions.write(tx, store, rows.key({ Id: 2 }), new Uint8Array([1, 0, 0]));
    const response = await sendBatch(client, rows, [put(1, 'v2'), put(2, 'v2'), put(3, 'v2')], target);
    expect(response.kind === 'error' && response.error).toMatchObject({
      code: 'TX_CONFLICT',
      retryable: true,
    });
    expect(applied).toEqual([]);
    expect(node.metrics().conflicts).toBe(1);
    node.transactions.abort(tx);
    expect(await values(client, rows, [1, 2, 3])).toEqual(['v1', null, null]);
    await sendBatch(client, rows, [put(1, 'v2'), put(2, 'v2'), put(3, 'v2')], target);
    expect(await values(client, rows, [1, 2, 3])).toEqual(['v2', 'v2', 'v2']);
  });

  it('matches a last-operation-wins model over random batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(
            fc.record({
              remove: fc.boolean(),
              id: fc.integer({ min: 0, max: 5 }),
              value: fc.string({ maxLength: 3 }),
            }),
            { maxLength: 12 },
          ),
          { minLength: 1, maxLength: 5 },
        ),
        async (batches) => {
          const { cluster, rows, target, node } = setup();
          const client = await cluster.client('node-1');
          const model = new Map<number, string>();
          for (const batch of batches) {
            const items = batch.map((op) => (op.remove ? remove(op.id) : put(op.id, op.value)));
            const response = await sendBatch(client, rows, items, target);
            expect(response.kind).toBe('ok');
            for (const op of batch) {
              if (op.remove) model.delete(op.id);
              else model.set(op.id, op.value);
            }
          }
          const ids = [0, 1, 2, 3, 4, 5];
          expect(await values(client, rows, ids)).toEqual(ids.map((id) => model.get(id) ?? null));
          expect(node.metrics().batches).toBe(batches.length);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('answers a receiver batch with RECEIVER_NOT_FOUND naming the receiver', async () => {
    const { cluster, rows } = setup();
    const client = await cluster.client('node-1');
    const response = await client.send('STREAMER_WITH_RECEIVER_BATCH_SEND', {
      tableId: rows.tableId,
      partitionId: 0,
      targetNode: 'node-1',
      assignmentVersion: 0,
      receiver: 'count-plays',
      receiveResults: true,
      arg: null,
      payloads: [1, 2],
    });
    expect(response.kind).toBe('error');
    if (response.kind !== 'error') return;
    expect(response.error).toMatchObject({ code: 'RECEIVER_NOT_FOUND', retryable: false });
    expect(response.error.message).toContain("'count-plays'");
  });
});
