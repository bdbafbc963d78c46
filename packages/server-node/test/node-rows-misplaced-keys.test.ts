/**
 * A node never trusts the partition a client or a peer names for a row: a write (streamer batch, upsert,
 * delete, a peer's transaction write) or a read whose key belongs to another partition is refused whole
 * with `INVALID_ROW` naming the row and both partitions, and nothing of it is stored. Such a row used to be
 * stored where no read of its key looks, and a later write of the key made a second copy.
 */
import { describe, expect, it } from 'vitest';
import { readRows } from './support/batches.js';
import { expectInvalidRow } from './support/invalid-row.js';
import { TableRows, TestCluster } from './support/test-cluster.js';

function setup() {
  const cluster = new TestCluster(['node-1']);
  const rows = cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Id', type: 'INT64' },
      { name: 'Track', type: 'STRING' },
      { name: 'Plays', type: 'INT32', nullable: true },
    ],
    primaryKey: ['Id', 'Track'],
    colocateBy: ['Track'],
    partitions: 8,
  });
  return { cluster, rows };
}

const play = (id: number, track: string) => ({ Id: BigInt(id), Track: track, Plays: id });
const key = (id: number, track: string) => ({ Id: BigInt(id), Track: track });

/** A partition the key does not belong to. */
function otherThan(rows: TableRows, row: object): number {
  return (rows.partitionOf(row) + 3) % rows.schema.partitions;
}

async function expectMisplaced(
  response: Promise<{ kind: string; error?: unknown }>,
  row: string,
  owner: number,
  named: number,
): Promise<void> {
  const error = await expectInvalidRow(response, row);
  expect(error.message).toContain(`has a key of partition ${owner}, not of partition ${named}`);
}

describe('ClusterNode key ownership', () => {
  it('refuses a streamer batch with a row of another partition, storing none of it', async () => {
    const { cluster, rows } = setup();
    const client = await cluster.client('node-1');
    const a = play(1, 'a');
    const partition = rows.partitionOf(a);
    // Two rows of the batch's partition and one that belongs elsewhere.
    const stray = [2, 3, 4, 5, 6, 7, 8, 9]
      .map((id) => play(id, `t${id}`))
      .find((p) => rows.partitionOf(p) !== partition);
    const same = [10, 11, 12].map((id) => play(id, 'a'));
    if (stray === undefined) throw new Error('no key of another partition among the samples');
    const target = {
      partitionId: partition,
      targetNode: 'node-1',
      assignmentVersion: cluster.controlPlane.placement.version,
    };
    const batch = { tableId: rows.tableId, deleted: null, schemaVersion: rows.version, ...target };
    await expectMisplaced(
      client.send('STREAMER_BATCH_SEND', {
        ...batch,
        rows: [rows.put(a), rows.put(stray), rows.put(same[0] ?? a)],
      }),
      'row 1 of the batch',
      rows.partitionOf(stray),
      partition,
    );
    expect(await readRows(client, rows, [key(1, 'a'), stray, same[0] ?? a])).toEqual([null, null, null]);
    // A REMOVE is judged by its key the same way.
    await expectMisplaced(
      client.send('STREAMER_BATCH_SEND', {
        ...batch,
        deleted: TableRows.deleted([0]),
        rows: [rows.remove(key(2, stray.Track))],
      }),
      'row 0 of the batch',
      rows.partitionOf(stray),
      partition,
    );
    // The rows that belong there are stored.
    await client.call('STREAMER_BATCH_SEND', { ...batch, rows: same.map((p) => rows.put(p)) });
    expect((await readRows(client, rows, same)).every((row) => row !== null)).toBe(true);
  });

  it('refuses upserts, deletes and reads that name a partition the key does not belong to', async () => {
    const { cluster, rows } = setup();
    const client = await cluster.client('node-1');
    const row = play(1, 'a');
    const wrong = otherThan(rows, row);
    const owner = rows.partitionOf(row);
    const put = rows.put(row);
    const base = { tableId: rows.tableId, schemaVersion: rows.version };
    await expectMisplaced(
      client.send('TUPLE_UPSERT', { ...base, partition: wrong, noValueSet: put.noValueSet, row: put.tuple }),
      'row 0 of the request',
      owner,
      wrong,
    );
    // A multi-row upsert with one misplaced row writes none of them.
    const good = play(2, 'a');
    const goodPut = rows.put(good);
    await expectMisplaced(
      client.send('TUPLE_UPSERT_ALL', {
        ...base,
        rows: [
          { partition: rows.partitionOf(good), noValueSet: goodPut.noValueSet, row: goodPut.tuple },
          { partition: wrong, noValueSet: put.noValueSet, row: put.tuple },
        ],
      }),
      'row 1 of the request',
      owner,
      wrong,
    );
    expect(await readRows(client, rows, [key(1, 'a'), key(2, 'a')])).toEqual([null, null]);
    await client.call('TUPLE_UPSERT', {
      ...base,
      partition: owner,
      noValueSet: put.noValueSet,
      row: put.tuple,
    });
    const k = rows.key(key(1, 'a'));
    for (const op of ['TUPLE_GET', 'TUPLE_DELETE'] as const) {
      await expectMisplaced(
        client.send(op, { ...base, partition: wrong, key: k }),
        'row 0 of the request',
        owner,
        wrong,
      );
    }
    for (const op of ['TUPLE_GET_ALL', 'TUPLE_DELETE_ALL'] as const) {
      await expectMisplaced(
        client.send(op, {
          ...base,
          keys: [
            { partition: owner, key: k },
            { partition: wrong, key: k },
          ],
        }),
        'row 1 of the request',
        owner,
        wrong,
      );
    }
    // Nothing was deleted by the refused requests.
    expect((await readRows(client, rows, [key(1, 'a')]))[0]).not.toBeNull();
  });

  it("refuses a peer's transaction write of a key of another partition", async () => {
    const { cluster, rows } = setup();
    const peer = await cluster.client('node-1', { name: 'node-9', peerType: 'node' });
    const row = play(1, 'a');
    const wrong = otherThan(rows, row);
    await expectMisplaced(
      peer.send('TX_ROWS_WRITE', {
        txId: '123e4567-e89b-12d3-a456-426614174001',
        coordinator: 'node-9',
        startTimestamp: cluster.node('node-1').clock.now(),
        tableId: rows.tableId,
        partitionId: wrong,
        schemaVersion: rows.version,
        rows: [{ key: rows.key(key(1, 'a')), row: rows.put(row).tuple }],
      }),
      'row 0 of the request',
      rows.partitionOf(row),
      wrong,
    );
  });
});
