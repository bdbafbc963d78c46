/**
 * A node validates every value it stores, on the bytes: a streamer batch, an upsert or a peer's transaction
 * write whose tuple was changed so that it still parses but holds a value its column forbids is refused
 * whole with `INVALID_ROW` naming the row and the column, and nothing of it is stored. Regression for
 * issue 19: rows like these used to be acknowledged, and then every reader of the key failed for good.
 */
import { ErrorExtensionKeys } from '@datastreamer/protocol';
import type { StreamerRow } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { TupleLayout } from '../src/rows/tuple-layout.js';
import { TupleWriter } from '../src/rows/tuple-writer.js';
import { readRows } from './support/batches.js';
import { expectInvalidRow } from './support/invalid-row.js';
import type { RawClient } from './support/raw-client.js';
import { TableRows, TestCluster } from './support/test-cluster.js';

const COLUMNS = [
  { name: 'Id', type: 'INT64' },
  { name: 'Code', type: 'STRING' },
  { name: 'Flag', type: 'BOOLEAN' },
  { name: 'Day', type: 'DATE' },
  { name: 'At', type: 'TIME', precision: 3 },
  { name: 'Ts', type: 'TIMESTAMP', precision: 9 },
  { name: 'Price', type: 'DECIMAL', precision: 5, scale: 2 },
  { name: 'Ref', type: 'UUID' },
  { name: 'Seen', type: 'DATETIME' },
  { name: 'Small', type: 'INT16' },
] as const;

function setup() {
  const cluster = new TestCluster(['node-1']);
  const rows = cluster.table({
    name: 'Plays',
    columns: [...COLUMNS],
    primaryKey: ['Id', 'Code'],
    partitions: 1,
  });
  const target = {
    partitionId: 0,
    targetNode: 'node-1',
    assignmentVersion: cluster.controlPlane.placement.version,
  };
  return { cluster, rows, target };
}

function play(id: number) {
  return {
    Id: BigInt(id),
    Code: `c${id}`,
    Flag: true,
    Day: '2024-02-29',
    At: '12:30:05.250',
    Ts: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 7)),
    Price: '123.45',
    Ref: '6f1c2f4e-0a5b-4c1e-9a6e-3b2d1c0f9e8d',
    Seen: '2024-02-29T12:30:05.123456',
    Small: 300,
  };
}

/** The tuple of `row` with the element of column `column` replaced by `element`. */
function corrupt(rows: TableRows, row: object, column: string, element: readonly number[]): StreamerRow {
  const { tuple, noValueSet } = rows.codec.encodeRow(row);
  const index = rows.schema.columns.findIndex((c) => c.name === column);
  const layout = new TupleLayout();
  expect(layout.reset(tuple, rows.schema.columns.length)).toBeNull();
  const writer = new TupleWriter().reset();
  for (let c = 0; c < rows.schema.columns.length; c++) {
    if (c === index) writer.addBytes(Uint8Array.from(element));
    else writer.add(tuple, layout.start(c), layout.end(c));
  }
  return { noValueSet, tuple: writer.build(0) };
}

/** The corruptions of issue 19 and a few more, each a tuple that parses but holds a forbidden value. */
const CASES: readonly (readonly [string, string, readonly number[], RegExp])[] = [
  ['BOOLEAN 2', 'Flag', [2], /BOOLEAN holds 2/],
  ['invalid UTF-8 in a key column', 'Code', [0x63, 0xff, 0x31], /not valid UTF-8/],
  ['a DATE in month 13', 'Day', [0xbd, 0xd1, 0x0f], /month 13 is outside 1\.\.12/],
  ['a TIME at hour 31', 'At', [0, 0, 0xc0, 0x07], /hour 31 is outside 0\.\.23/],
  [
    'a TIMESTAMP with 2^31-1 nanoseconds',
    'Ts',
    [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x7f],
    /2147483647 nanoseconds/,
  ],
  ['a DECIMAL(5,2) with 7 digits', 'Price', [2, 0, 0x12, 0xd6, 0x87], /precision of 5 digits/],
  ['a UUID of 15 bytes', 'Ref', new Array(15).fill(1), /UUID cannot be 15 bytes long/],
  ['a DATETIME on February 30', 'Seen', [0x5e, 0xd0, 0x0f, 0, 0, 0, 0], /day 30 is outside 1\.\.29/],
  ['a TIME finer than its precision', 'At', [1, 0, 0, 0, 0, 0x30], /finer than/],
  ['an INT16 of 3 bytes', 'Small', [1, 2, 3], /INT16 cannot be 3 bytes long/],
];

async function expectRefused(
  response: Promise<{ kind: string; error?: unknown }>,
  column: string,
  row: string,
  message: RegExp,
): Promise<void> {
  const error = await expectInvalidRow(response, row);
  expect(error.message).toContain(`column "${column}"`);
  expect(error.message).toMatch(message);
  expect(error.extensions[ErrorExtensionKeys.column]).toBe(column);
}

async function storedIds(client: RawClient, rows: TableRows, ids: readonly number[]): Promise<unknown[]> {
  const found = await readRows(
    client,
    rows,
    ids.map((id) => ({ Id: BigInt(id), Code: `c${id}` })),
  );
  return found.map((row) => (row === null ? null : TableRows.field(row, 'Id')));
}

describe('ClusterNode value validation on write', () => {
  it.each(CASES)(
    'refuses a streamer batch holding %s, naming row and column, storing nothing',
    async (_name, column, element, message) => {
      const { cluster, rows, target } = setup();
      const client = await cluster.client('node-1');
      const batch = [rows.put(play(1)), corrupt(rows, play(2), column, element), rows.put(play(3))];
      const response = client.send('STREAMER_BATCH_SEND', {
        tableId: rows.tableId,
        deleted: null,
        schemaVersion: rows.version,
        rows: batch,
        ...target,
      });
      await expectRefused(response, column, 'row 1 of the batch', message);
      expect(await storedIds(client, rows, [1, 2, 3])).toEqual([null, null, null]);
      // The connection and the table still serve: the same batch without the bad row is stored.
      await client.call('STREAMER_BATCH_SEND', {
        tableId: rows.tableId,
        deleted: null,
        schemaVersion: rows.version,
        rows: [rows.put(play(1)), rows.put(play(3))],
        ...target,
      });
      expect(await storedIds(client, rows, [1, 2, 3])).toEqual([1n, null, 3n]);
    },
  );

  it.each(CASES)('refuses an upsert of many rows holding %s', async (_name, column, element, message) => {
    const { cluster, rows } = setup();
    const client = await cluster.client('node-1');
    const bad = corrupt(rows, play(2), column, element);
    const response = client.send('TUPLE_UPSERT_ALL', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      rows: [play(1), play(2)].map((p, i) => {
        const item = i === 1 ? bad : rows.put(p);
        return { partition: 0, noValueSet: item.noValueSet, row: item.tuple };
      }),
    });
    await expectRefused(response, column, 'row 1 of the request', message);
    expect(await storedIds(client, rows, [1, 2])).toEqual([null, null]);
  });

  it('refuses a single upsert and a REMOVE whose key holds invalid UTF-8', async () => {
    const { cluster, rows, target } = setup();
    const client = await cluster.client('node-1');
    const bad = corrupt(rows, play(5), 'Code', [0xc0, 0x80]);
    await expectRefused(
      client.send('TUPLE_UPSERT', {
        tableId: rows.tableId,
        schemaVersion: rows.version,
        partition: 0,
        noValueSet: bad.noValueSet,
        row: bad.tuple,
      }),
      'Code',
      'row 0 of the request',
      /not valid UTF-8/,
    );
    const writer = new TupleWriter().reset();
    writer.addBytes(Uint8Array.of(5));
    writer.addBytes(Uint8Array.of(0xed, 0xa0, 0x80));
    await expectRefused(
      client.send('STREAMER_BATCH_SEND', {
        tableId: rows.tableId,
        deleted: TableRows.deleted([0]),
        schemaVersion: rows.version,
        rows: [{ noValueSet: new Uint8Array(0), tuple: writer.build(0) }],
        ...target,
      }),
      'Code',
      'row 0 of the batch',
      /not valid UTF-8/,
    );
  });

  it("refuses a peer's transaction write holding a bad value, or a row under another key, writing nothing", async () => {
    const { cluster, rows } = setup();
    const peer = await cluster.client('node-1', { name: 'node-9', peerType: 'node' });
    const write = (key: object, tuple: Uint8Array) =>
      peer.send('TX_ROWS_WRITE', {
        txId: '123e4567-e89b-12d3-a456-426614174000',
        coordinator: 'node-9',
        startTimestamp: cluster.node('node-1').clock.now(),
        tableId: rows.tableId,
        partitionId: 0,
        schemaVersion: rows.version,
        rows: [
          { key: rows.key({ Id: 1n, Code: 'c1' }), row: rows.put(play(1)).tuple },
          { key: rows.key(key), row: tuple },
        ],
      });
    const bad = corrupt(rows, play(2), 'Flag', [7]).tuple;
    await expectRefused(
      write({ Id: 2n, Code: 'c2' }, bad),
      'Flag',
      'row 1 of the request',
      /BOOLEAN holds 7/,
    );
    const elsewhere = await write({ Id: 3n, Code: 'c3' }, rows.put(play(2)).tuple);
    expect(elsewhere.kind === 'error' && elsewhere.error.message).toMatch(
      /row 1 of the request .* is written under a key that is not its own/,
    );
    expect(cluster.node('node-1').localPartition(rows.tableId, 0)?.openTransactionCount ?? 0).toBe(0);
  });
});
