/**
 * The streamer's batch path holds a whole batch in one `IngestBatch` (keys in one buffer, rows side by side in
 * another) and hands it to the store as byte ranges. Risks covered: the batch form must produce exactly the
 * bytes and the errors of the per-row array form; defaults, last-operation-wins and REMOVE of an absent key
 * must hold through it; a bad row anywhere applies nothing; and the node's reused batch buffers must never
 * leak into what was committed before.
 */
import { type Clock, RowCodec, type TableSchema } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HybridClock } from '../src/clock/hlc.js';
import { IngestBatch } from '../src/rows/ingest-batch.js';
import { RowIngest } from '../src/rows/row-ingest.js';
import { RowShape } from '../src/rows/row-shape.js';
import { storedRowTuple, storedRowVersion } from '../src/rows/stored-row.js';
import { TupleLayout } from '../src/rows/tuple-layout.js';
import { TupleWriter } from '../src/rows/tuple-writer.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import { applyKeyedBatch } from '../src/tx/apply-batch.js';
import { TransactionManager } from '../src/tx/transaction-manager.js';
import { sendBatch } from './support/batches.js';
import { caughtOrNone } from './support/caught.js';
import { TableRows, TestCluster } from './support/test-cluster.js';

/** Key columns in the middle and at the end, in a key order of their own; a defaulted and a nullable column. */
const listens: TableSchema = {
  tableId: 3,
  tableName: 'Listens',
  version: 1,
  columns: [
    { name: 'Note', type: 'STRING', nullable: true },
    { name: 'User', type: 'STRING' },
    { name: 'Secs', type: 'INT32', nullable: true, default: 30 },
    { name: 'Day', type: 'DATE' },
    { name: 'Track', type: 'INT64' },
  ],
  keyColumns: [4, 1, 3],
  colocationColumns: [4],
  partitions: 1,
};
const shape = new RowShape(listens);
const codec = new RowCodec(listens);

const listen = fc.record({
  Note: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  User: fc.constantFrom('ann', 'bob', 'cy'),
  Secs: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: undefined }),
  Day: fc.constantFrom('2024-02-29', '1999-12-31'),
  Track: fc.bigInt({ min: 0n, max: 3n }),
});
type Listen = typeof listen extends fc.Arbitrary<infer T> ? T : never;

/** `value` without its undefined properties, as a client would send it (unset columns left out). */
function present(value: Listen): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined));
}

const slice = (bytes: Uint8Array, start: number, length: number) => [
  ...bytes.subarray(start, start + length),
];

function store() {
  const clock: Clock = {
    now: () => 5,
    setTimer: () => {
      throw new Error('timers are not used here');
    },
    sleep: () => Promise.reject(new Error('timers are not used here')),
  };
  const hlc = new HybridClock(clock);
  const tm = new TransactionManager({ clock: hlc });
  const partition = new MvccPartitionStore({ name: 'Listens/0', lowWatermark: tm });
  const applied: string[] = [];
  partition.addApplyListener((key, row) => {
    const track = codec.decodeKey(key)['Track'];
    applied.push(
      `${track}=${row === null ? 'deleted' : String(codec.decodeRow(storedRowTuple(row))['Note'])}`,
    );
  });
  return { hlc, tm, partition, applied };
}

/** The row as the store holds it for `key`, decoded, or `null`. */
function readBack(s: ReturnType<typeof store>, key: object): Record<string, unknown> | null {
  const row = s.partition.readAt(codec.encodeKey(key), s.hlc.current());
  return row === null ? null : codec.decodeRow(storedRowTuple(row));
}

describe('RowIngest (batch form)', () => {
  it('writes the same key and stored row bytes as the array form, item by item, into a reused batch', () => {
    const ingest = new RowIngest();
    const reference = new RowIngest();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), listen), { maxLength: 40 }), (items) => {
        const batch = ingest.batch(items.length);
        items.forEach(([remove, value], i) => {
          const encoded = codec.encodeRow(present(value));
          const keys: Uint8Array[] = [];
          const rows: (Uint8Array | null)[] = [];
          if (remove) {
            // A REMOVE item may carry the key alone or the whole row.
            const tuple = i % 2 === 0 ? codec.encodeKey(present(value)) : encoded.tuple;
            ingest.removeInto(batch, shape, tuple, i, 'batch');
            reference.key(shape, tuple, i, 'batch', true, keys);
            rows[i] = null;
          } else {
            ingest.putInto(batch, shape, encoded.noValueSet, encoded.tuple, i, 'batch');
            reference.put(shape, encoded.noValueSet, encoded.tuple, i, 'batch', keys, rows);
          }
          expect(slice(batch.keyBytes, batch.keyStarts[i] ?? -1, batch.keyLengths[i] ?? -1)).toEqual([
            ...(keys[i] as Uint8Array),
          ]);
          const row = rows[i] ?? null;
          if (row === null) expect(batch.rowLengths[i]).toBe(-1);
          else
            expect(slice(batch.rowBytes, batch.rowStarts[i] ?? -1, batch.rowLengths[i] ?? -1)).toEqual([
              ...row,
            ]);
        });
        expect(batch.count).toBe(items.length);
        batch.release();
      }),
      { numRuns: 150 },
    );
  });

  it('refuses bad bytes with the same INVALID_ROW error as the array form, naming the row and column', () => {
    const ingest = new RowIngest();
    const reference = new RowIngest();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 40 }),
        fc.uint8Array({ maxLength: 2 }),
        fc.boolean(),
        fc.nat(999),
        (bytes, mask, remove, index) => {
          const batch = ingest.batch(index + 1);
          const got = caughtOrNone(() =>
            remove
              ? ingest.removeInto(batch, shape, bytes, index, 'batch')
              : ingest.putInto(batch, shape, mask, bytes, index, 'batch'),
          );
          const expected = caughtOrNone(() =>
            remove
              ? reference.key(shape, bytes, index, 'batch', true, [])
              : reference.put(shape, mask, bytes, index, 'batch', [], []),
          );
          batch.release();
          expect(got?.code).toBe(expected?.code);
          expect(got?.message).toBe(expected?.message);
          expect(got?.extensions).toEqual(expected?.extensions);
          if (got !== undefined) expect(got.message).toContain(`row ${index} of the batch`);
        },
      ),
      { numRuns: 500 },
    );
    // One error spelled out: Secs (an INT32) holding 3 bytes.
    const good = codec.encodeRow({ User: 'ann', Day: '2024-02-29', Track: 1n, Note: null, Secs: 1 }).tuple;
    const layout = new TupleLayout();
    expect(layout.reset(good, 5)).toBeNull();
    const writer = new TupleWriter();
    for (let c = 0; c < 5; c++) {
      if (c === 2) writer.add(Uint8Array.of(1, 2, 3), 0, 3);
      else writer.add(good, layout.start(c), layout.end(c));
    }
    const error = caughtOrNone(() =>
      ingest.putInto(ingest.batch(8), shape, new Uint8Array(0), writer.build(), 7, 'batch'),
    );
    expect(error).toMatchObject({
      code: 'INVALID_ROW',
      extensions: { column: 'Secs' },
      message: expect.stringContaining(
        'row 7 of the batch for table "Listens" (schema version 1): column "Secs" holds a malformed value',
      ),
    });
  });

  it('hands out a fresh batch while its reusable one is in use, and the reusable one after release', () => {
    const ingest = new RowIngest();
    const first = ingest.batch(3);
    const nested = ingest.batch(2);
    expect(nested).not.toBe(first);
    expect(nested.inUse && first.inUse).toBe(true);
    nested.release();
    first.release();
    expect(ingest.batch(1)).toBe(first);
  });

  it('grows a batch past its first buffers and keeps every earlier item intact, keys and rows', () => {
    // 1000 keys of 12+ bytes outgrow the first key buffer (4 KiB) mid-batch, as a streamer page does: a key
    // written into the buffer that growth just replaced would be lost (seen once as a corrupt key per node).
    const items = 1000;
    const batch = new IngestBatch().reset(items);
    const ingest = new RowIngest();
    const note = (i: number) => `${i}:${'x'.repeat(200)}`;
    const track = (i: number) => BigInt(i) * 1_000_003n;
    for (let i = 0; i < items; i++) {
      const encoded = codec.encodeRow({ Note: note(i), User: 'ann', Day: '2024-02-29', Track: track(i) });
      ingest.putInto(batch, shape, encoded.noValueSet, encoded.tuple, i, 'batch');
    }
    expect(batch.keyBytes.length).toBeGreaterThan(4096);
    for (let i = 0; i < items; i++) {
      const row = batch.rowBytes.subarray(
        batch.rowStarts[i],
        (batch.rowStarts[i] ?? 0) + (batch.rowLengths[i] ?? 0),
      );
      expect(storedRowVersion(row)).toBe(1);
      expect(codec.decodeRow(storedRowTuple(row))['Note']).toBe(note(i));
      const key = batch.keyBytes.subarray(
        batch.keyStarts[i],
        (batch.keyStarts[i] ?? 0) + (batch.keyLengths[i] ?? 0),
      );
      expect(codec.decodeKey(key)).toEqual({ Track: track(i), User: 'ann', Day: '2024-02-29' });
    }
  });
});

describe('applyKeyedBatch', () => {
  it('stores rows with their unset columns defaulted', () => {
    const s = store();
    const ingest = new RowIngest();
    const rows = [
      { User: 'ann', Day: '2024-02-29', Track: 1n, Note: 'no secs' },
      { User: 'bob', Day: '2024-02-29', Track: 2n, Note: 'secs', Secs: 7 },
    ];
    const batch = ingest.batch(rows.length);
    rows.forEach((row, i) => {
      const encoded = codec.encodeRow(row);
      ingest.putInto(batch, shape, encoded.noValueSet, encoded.tuple, i, 'batch');
    });
    applyKeyedBatch(s.tm, s.partition, batch);
    batch.release();
    expect(readBack(s, rows[0] as object)).toEqual({ ...rows[0], Secs: 30 });
    expect(readBack(s, rows[1] as object)).toEqual(rows[1]);
  });

  it('keeps the last PUT of PUT, REMOVE, PUT of one key, and leaves PUT, REMOVE absent', () => {
    const s = store();
    const ingest = new RowIngest();
    const row = (track: bigint, note: string) => ({
      User: 'ann',
      Day: '2024-02-29',
      Track: track,
      Note: note,
    });
    const items: [boolean, ReturnType<typeof row>][] = [
      [false, row(1n, 'first')],
      [true, row(1n, 'ignored')],
      [false, row(1n, 'last')],
      [false, row(2n, 'gone')],
      [true, row(2n, 'ignored')],
      [true, row(3n, 'never there')],
    ];
    const batch = ingest.batch(items.length);
    items.forEach(([remove, value], i) => {
      const encoded = codec.encodeRow(value);
      if (remove) ingest.removeInto(batch, shape, codec.encodeKey(value), i, 'batch');
      else ingest.putInto(batch, shape, encoded.noValueSet, encoded.tuple, i, 'batch');
    });
    applyKeyedBatch(s.tm, s.partition, batch);
    batch.release();
    expect(readBack(s, row(1n, ''))?.['Note']).toBe('last');
    expect(readBack(s, row(2n, ''))).toBeNull();
    // One event per key a PUT touched; the REMOVE of a key that never existed applies nothing.
    expect(s.applied.sort()).toEqual(['1=last', '2=deleted']);
    expect(s.partition.keyCount).toBe(1);
  });

  it('applies nothing when a write conflicts, and leaves no intent behind', () => {
    const s = store();
    const ingest = new RowIngest();
    const blocker = s.tm.begin();
    const blocked = { User: 'cy', Day: '1999-12-31', Track: 3n, Note: null };
    s.tm.write(blocker, s.partition, codec.encodeKey(blocked), Uint8Array.of(1, 0));
    const rows = [{ ...blocked, Track: 1n }, { ...blocked, Track: 2n }, blocked];
    const batch = ingest.batch(rows.length);
    rows.forEach((value, i) => {
      const encoded = codec.encodeRow(value);
      ingest.putInto(batch, shape, encoded.noValueSet, encoded.tuple, i, 'batch');
    });
    expect(caughtOrNone(() => applyKeyedBatch(s.tm, s.partition, batch))?.code).toBe('TX_CONFLICT');
    batch.release();
    expect(s.applied).toEqual([]);
    expect(s.partition.keyCount).toBe(1);
    expect(s.partition.openTransactionCount).toBe(1);
  });
});

describe('ClusterNode batch ingest', () => {
  function setup() {
    const cluster = new TestCluster(['node-1']);
    const rows = cluster.table({
      name: 'Plays',
      columns: [
        { name: 'Id', type: 'INT32' },
        { name: 'Track', type: 'STRING' },
        { name: 'Secs', type: 'INT32', default: 30 },
      ],
      primaryKey: ['Id'],
      partitions: 1,
    });
    const node = cluster.node('node-1');
    const applied: number[] = [];
    node.onApply((_table, _partition, key) => applied.push(Number(rows.codec.decodeKey(key)['Id'])));
    const target = {
      partition: 0,
      targetNode: 'node-1',
      assignmentVersion: cluster.controlPlane.placement.version,
    };
    return { cluster, rows, node, applied, target };
  }

  async function read(client: Awaited<ReturnType<TestCluster['client']>>, rows: TableRows, ids: number[]) {
    const results = await client.call('TUPLE_GET_ALL', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      keys: ids.map((Id) => ({ partition: 0, key: rows.key({ Id }) })),
    });
    return results.map((result) => (result === null ? null : rows.decode(result.row)));
  }

  it('applies nothing of a batch whose middle row is bad, then applies the next batch in full', async () => {
    const { cluster, rows, node, applied, target } = setup();
    const client = await cluster.client('node-1');
    const bad = { noValueSet: new Uint8Array(0), tuple: rows.codec.encodeRowValues([2, null, 5]) };
    const response = await client.send('STREAMER_BATCH_SEND', {
      tableId: rows.tableId,
      partitionId: 0,
      deleted: null,
      schemaVersion: rows.version,
      rows: [rows.put({ Id: 1, Track: 'a' }), bad, rows.put({ Id: 3, Track: 'c' })],
      targetNode: 'node-1',
      assignmentVersion: target.assignmentVersion,
    });
    expect(response.kind === 'error' && response.error).toMatchObject({
      code: 'INVALID_ROW',
      extensions: { column: 'Track' },
      message: expect.stringContaining('row 1 of the batch'),
    });
    expect(applied).toEqual([]);
    expect(node.localPartition(rows.tableId, 0)?.keyCount).toBe(0);
    const items = [1, 2, 3].map((Id) => ({ op: 'PUT' as const, row: { Id, Track: `t${Id}` } }));
    expect((await sendBatch(client, rows, items, target)).kind).toBe('ok');
    expect(await read(client, rows, [1, 2, 3])).toEqual(
      [1, 2, 3].map((Id) => ({ Id, Track: `t${Id}`, Secs: 30 })),
    );
  });

  it('keeps what earlier batches committed while later batches reuse and outgrow the node’s batch buffers', async () => {
    const { cluster, rows, target } = setup();
    const client = await cluster.client('node-1');
    // Small rows; rows whose batch takes a chunk of its own in the store; rows whose batch is larger than a
    // block (copied row by row); small ones again.
    const sizes = [4, 100, 400, 4];
    for (const [round, size] of sizes.entries()) {
      const items = Array.from({ length: 200 }, (_, i) => ({
        op: 'PUT' as const,
        row: { Id: round * 1000 + i, Track: `${round}:${i}:`.padEnd(size, '.') },
      }));
      expect((await sendBatch(client, rows, items, target)).kind).toBe('ok');
    }
    for (const [round, size] of sizes.entries()) {
      const ids = Array.from({ length: 200 }, (_, i) => round * 1000 + i);
      const found = await read(client, rows, ids);
      expect(found.map((row) => (row === null ? null : TableRows.field(row, 'Track')))).toEqual(
        ids.map((_, i) => `${round}:${i}:`.padEnd(size, '.')),
      );
    }
  });
});
