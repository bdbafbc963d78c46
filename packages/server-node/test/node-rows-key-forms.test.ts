/**
 * A key is stored and found by its bytes, and the BinaryTuple format writes some values more than one way (an
 * INT64 `1` in 1 or 8 bytes, a TIMESTAMP with its zero nanoseconds written out, a string with a needless
 * leading `80`, ...). A node therefore refuses a key column in any form but the canonical one a builder
 * writes, with `INVALID_ROW` naming the row and the column, on every path that takes keys: streamer batches
 * (PUT and REMOVE), upserts, reads by key and a peer's transaction writes. Without it, a client writing the
 * same key in another form gets a second row of one primary key, which a read of the key never sees.
 */
import { ErrorExtensionKeys } from '@datastreamer/protocol';
import type { StreamerRow } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { TupleLayout } from '../src/rows/tuple-layout.js';
import { TupleWriter } from '../src/rows/tuple-writer.js';
import { readRows } from './support/batches.js';
import { expectInvalidRow } from './support/invalid-row.js';
import { TableRows, TestCluster } from './support/test-cluster.js';

const KEY_COLUMNS = [
  { name: 'Id', type: 'INT64' },
  { name: 'Code', type: 'STRING' },
  { name: 'Small', type: 'INT16' },
  { name: 'Ts', type: 'TIMESTAMP', precision: 9 },
  { name: 'Price', type: 'DECIMAL', precision: 5, scale: 2 },
  { name: 'At', type: 'TIME', precision: 3 },
  { name: 'Seen', type: 'DATETIME', precision: 6 },
  { name: 'Ratio', type: 'DOUBLE' },
  { name: 'Raw', type: 'BYTES' },
] as const;

function setup() {
  const cluster = new TestCluster(['node-1']);
  const rows = cluster.table({
    name: 'Plays',
    columns: [...KEY_COLUMNS, { name: 'V', type: 'INT32' }],
    primaryKey: KEY_COLUMNS.map((c) => c.name),
    partitions: 1,
  });
  const target = {
    partitionId: 0,
    targetNode: 'node-1',
    assignmentVersion: cluster.controlPlane.placement.version,
  };
  return { cluster, rows, target };
}

function key(id: number) {
  return {
    Id: BigInt(id),
    Code: `c${id}`,
    Small: 5,
    Ts: new Date(Date.UTC(2024, 1, 29, 12, 0, 0, 0)),
    Price: '1.5',
    At: '12:30:05.250',
    Seen: '2024-02-29T12:30:05',
    Ratio: 1.5,
    Raw: Uint8Array.of(1, 2),
  };
}

function play(id: number, v = id) {
  return { ...key(id), V: v };
}

/** A TIME of 4 bytes (whole milliseconds) written in the 5-byte layout (microseconds). */
function timeIn5Bytes(element: Uint8Array): number[] {
  const low =
    ((element[0] as number) |
      ((element[1] as number) << 8) |
      ((element[2] as number) << 16) |
      ((element[3] as number) << 24)) >>>
    0;
  const micros = (low & 0x3ff) * 1000;
  const second = (low >>> 10) & 63;
  const minute = (low >>> 16) & 63;
  const hour = (low >>> 22) & 31;
  const out = (micros | (second << 20) | (minute << 26)) >>> 0;
  return [out & 0xff, (out >>> 8) & 0xff, (out >>> 16) & 0xff, out >>> 24, hour];
}

/** Another form of the canonical element of `column` (the same value, written the long way). */
function otherForm(column: string, element: Uint8Array): Uint8Array {
  switch (column) {
    case 'Id':
    case 'Small':
      return Uint8Array.from([
        ...element,
        ...new Array<number>(column === 'Id' ? 8 - element.length : 1).fill(0),
      ]);
    case 'Code':
    case 'Raw':
      return Uint8Array.from([0x80, ...element]);
    case 'Ts':
      return Uint8Array.from([...element, 0, 0, 0, 0]);
    case 'Price': {
      // 1.5 is unscaled 15 at scale 1; 1.50 is unscaled 150 at scale 2 (two bytes: 150 needs a sign byte).
      expect([...element]).toEqual([1, 0, 15]);
      return Uint8Array.of(2, 0, 0, 150);
    }
    case 'At':
      return Uint8Array.from(timeIn5Bytes(element));
    case 'Seen':
      return Uint8Array.from([...element.subarray(0, 3), ...timeIn5Bytes(element.subarray(3))]);
    case 'Ratio': {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, new DataView(element.buffer, element.byteOffset, 4).getFloat32(0, true), true);
      return new Uint8Array(view.buffer);
    }
    default:
      throw new Error(`no other form for ${column}`);
  }
}

/** `tuple` (of `count` elements) with element `index` written in its other form. */
function respell(tuple: Uint8Array, count: number, index: number, column: string): Uint8Array {
  const layout = new TupleLayout();
  expect(layout.reset(tuple, count)).toBeNull();
  const writer = new TupleWriter().reset();
  for (let c = 0; c < count; c++) {
    if (c === index) writer.addBytes(otherForm(column, tuple.slice(layout.start(c), layout.end(c))));
    else writer.add(tuple, layout.start(c), layout.end(c));
  }
  return writer.build(0);
}

/** The row `row` with column `column`'s element in its other form. */
function respelledRow(rows: TableRows, row: object, column: string): StreamerRow {
  const { tuple, noValueSet } = rows.codec.encodeRow(row);
  const index = rows.schema.columns.findIndex((c) => c.name === column);
  return { noValueSet, tuple: respell(tuple, rows.schema.columns.length, index, column) };
}

/** The key tuple of `row` with key column `column` in its other form. */
function respelledKey(rows: TableRows, row: object, column: string): Uint8Array {
  const index = KEY_COLUMNS.findIndex((c) => c.name === column);
  return respell(rows.key(row), KEY_COLUMNS.length, index, column);
}

async function expectRefused(
  response: Promise<{ kind: string; error?: unknown }>,
  column: string,
  row: string,
): Promise<void> {
  const error = await expectInvalidRow(response, row);
  expect(error.message).toContain(`column "${column}"`);
  expect(error.message).toMatch(/is a key column not in its canonical form/);
  expect(error.extensions[ErrorExtensionKeys.column]).toBe(column);
}

const COLUMN_NAMES = KEY_COLUMNS.map((c) => c.name);

describe('ClusterNode key forms', () => {
  it.each(COLUMN_NAMES)(
    'refuses a streamer batch whose key column %s is in a second form, storing nothing of it',
    async (column) => {
      const { cluster, rows, target } = setup();
      const client = await cluster.client('node-1');
      // The other form holds the same value: the reader cannot tell them apart.
      const other = respelledRow(rows, play(2), column);
      expect(rows.decode(other.tuple)).toEqual(rows.decode(rows.put(play(2)).tuple));
      const response = client.send('STREAMER_BATCH_SEND', {
        tableId: rows.tableId,
        deleted: null,
        schemaVersion: rows.version,
        rows: [rows.put(play(1)), other, rows.put(play(3))],
        ...target,
      });
      await expectRefused(response, column, 'row 1 of the batch');
      expect(await readRows(client, rows, [key(1), key(2), key(3)])).toEqual([null, null, null]);
    },
  );

  it('never stores a key twice: every write or read of a stored key in another form is refused', async () => {
    const { cluster, rows, target } = setup();
    const client = await cluster.client('node-1');
    await client.call('STREAMER_BATCH_SEND', {
      tableId: rows.tableId,
      deleted: null,
      schemaVersion: rows.version,
      rows: [rows.put(play(1, 100))],
      ...target,
    });
    const batch = (item: StreamerRow, removes: readonly number[]) =>
      client.send('STREAMER_BATCH_SEND', {
        tableId: rows.tableId,
        deleted: TableRows.deleted(removes),
        schemaVersion: rows.version,
        rows: [item],
        ...target,
      });
    await expectRefused(batch(respelledRow(rows, play(1, 200), 'Id'), []), 'Id', 'row 0 of the batch');
    await expectRefused(
      batch({ noValueSet: new Uint8Array(0), tuple: respelledKey(rows, key(1), 'Ts') }, [0]),
      'Ts',
      'row 0 of the batch',
    );
    const single = respelledRow(rows, play(1, 300), 'Code');
    await expectRefused(
      client.send('TUPLE_UPSERT', {
        tableId: rows.tableId,
        schemaVersion: rows.version,
        partition: 0,
        noValueSet: single.noValueSet,
        row: single.tuple,
      }),
      'Code',
      'row 0 of the request',
    );
    await expectRefused(
      client.send('TUPLE_GET_ALL', {
        tableId: rows.tableId,
        schemaVersion: rows.version,
        keys: [{ partition: 0, key: respelledKey(rows, key(1), 'Price') }],
      }),
      'Price',
      'row 0 of the request',
    );
    const peer = await cluster.client('node-1', { name: 'node-9', peerType: 'node' });
    await expectRefused(
      peer.send('TX_ROWS_WRITE', {
        txId: '123e4567-e89b-12d3-a456-426614174000',
        coordinator: 'node-9',
        startTimestamp: cluster.node('node-1').clock.now(),
        tableId: rows.tableId,
        partitionId: 0,
        schemaVersion: rows.version,
        rows: [
          { key: respelledKey(rows, key(1), 'Raw'), row: respelledRow(rows, play(1, 400), 'Raw').tuple },
        ],
      }),
      'Raw',
      'row 0 of the request',
    );
    // One row of the key, with the value first written.
    const stored = await readRows(client, rows, [key(1)]);
    expect(stored.map((row) => row && TableRows.field(row, 'V'))).toEqual([100]);
    expect(cluster.node('node-1').localPartition(rows.tableId, 0)?.openTransactionCount ?? 0).toBe(0);
  });
});
