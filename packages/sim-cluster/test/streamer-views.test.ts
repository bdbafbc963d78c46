// The streamer's basic contract through both table views, against a simulated cluster: what was streamed
// is exactly what is stored when the promise resolves, whatever the page size and wherever the key columns
// sit in the schema; PUT overwrites, REMOVE deletes (a missing key is a no-op); a long mixed stream over
// existing rows ends in the table a sequential model predicts.

import { DataStreamerItem, type KeyValueStreamItem, type RecordStreamItem } from '@datastreamer/client';
import type { TableDefinition } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { byId, createTable, type ItemRow, itemRow, itemsTable } from './streamer-fixtures.js';

/** Four INT32 columns, so a key value landing in a value column (or the reverse) still type-checks. */
interface PairRow {
  readonly KeyA: number;
  readonly KeyB: number;
  readonly ValA: number;
  readonly ValB: string;
}

function pairRow(i: number, version = 0): PairRow {
  return { KeyA: i, KeyB: 100_000 + i, ValA: 200_000 + i * 10 + version, ValB: `v${i}.${version}` };
}

/** Column layouts: the two key columns first, last, interleaved, and in the opposite order to the key. */
const layouts: readonly { readonly label: string; readonly order: readonly (keyof PairRow)[] }[] = [
  { label: 'keys first', order: ['KeyA', 'KeyB', 'ValA', 'ValB'] },
  { label: 'keys last', order: ['ValA', 'ValB', 'KeyA', 'KeyB'] },
  { label: 'keys interleaved', order: ['ValB', 'KeyA', 'ValA', 'KeyB'] },
  { label: 'keys reversed', order: ['KeyB', 'ValA', 'KeyA', 'ValB'] },
];

function pairTable(name: string, order: readonly (keyof PairRow)[]): TableDefinition {
  return {
    name,
    columns: order.map((column) => ({ name: column, type: column === 'ValB' ? 'STRING' : 'INT32' })),
    primaryKey: ['KeyA', 'KeyB'],
    partitions: 6,
  };
}

describe('DataStreamer views', () => {
  it.each([1, 2, 3, 1000])('stores every row of a record view stream with page size %i', async (pageSize) => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 5, seed: 11 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    const rows = Array.from({ length: 60 }, (_, i) => itemRow(i));

    const summary = await view.streamData(rows, { pageSize });

    expect(summary.items).toBe(60);
    expect(summary.batches).toBeGreaterThanOrEqual(Math.ceil(60 / pageSize));
    const stored = byId(await cluster.readTable('Items'));
    expect(stored.size).toBe(60);
    for (const row of rows) expect(stored.get(row.Id)).toEqual(row);
    expect(await view.get({ Id: 42n })).toEqual(itemRow(42));
  });

  it('streams [key, value] entries through the key-value view', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 12 });
    const client = await cluster.connect();
    const kv = (await createTable(client, itemsTable())).keyValueView<
      { Id: bigint },
      { Name: string; Score: number }
    >();
    const entries = Array.from(
      { length: 40 },
      (_, i) => [{ Id: BigInt(i) }, { Name: `kv-${i}`, Score: i }] as const,
    );

    const summary = await kv.streamData(entries, { pageSize: 7 });

    expect(summary.items).toBe(40);
    expect(await kv.get({ Id: 13n })).toEqual({ Name: 'kv-13', Score: 13 });
    const stored = byId(await cluster.readTable('Items'));
    expect(stored.size).toBe(40);
    for (const [key, value] of entries) expect(stored.get(key.Id)).toEqual({ ...key, ...value });
  });

  it.each(layouts)('keeps composite-key rows intact in both views with $label', async ({ label, order }) => {
    await using cluster = await SimCluster.start({ nodes: 3, partitions: 6, seed: 13 });
    const client = await cluster.connect();
    const name = `Pairs_${label.replace(' ', '_')}`;
    const table = await createTable(client, pairTable(name, order));
    const records = Array.from({ length: 30 }, (_, i) => pairRow(i));
    const entries = Array.from({ length: 30 }, (_, i) => {
      const { KeyA, KeyB, ValA, ValB } = pairRow(30 + i);
      return [
        { KeyB, KeyA },
        { ValB, ValA },
      ] as const;
    });

    await table.recordView<PairRow>().streamData(records, { pageSize: 4 });
    await table
      .keyValueView<{ KeyA: number; KeyB: number }, { ValA: number; ValB: string }>()
      .streamData(entries, {
        pageSize: 5,
      });

    const stored = await cluster.readTable(name);
    expect(stored).toHaveLength(60);
    const byKeyA = new Map(stored.map((row) => [(row as Partial<PairRow>).KeyA, row]));
    for (let i = 0; i < 60; i++) expect(byKeyA.get(i)).toEqual(pairRow(i));
    // Read back through the views too: the key finds the row only if its columns were not swapped.
    const kv = table.keyValueView<{ KeyA: number; KeyB: number }, { ValA: number; ValB: string }>();
    expect(await kv.get({ KeyA: 45, KeyB: 100_045 })).toEqual({
      ValA: pairRow(45).ValA,
      ValB: pairRow(45).ValB,
    });
    expect(await table.recordView<PairRow>().get({ KeyB: 100_007, KeyA: 7 })).toEqual(pairRow(7));
  });

  it('overwrites an existing row with a PUT', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 14 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    await view.upsertAll([itemRow(1), itemRow(2)]);

    await view.streamData([DataStreamerItem.of(itemRow(1, 5))]);

    expect(byId(await cluster.readTable('Items'))).toEqual(
      new Map([
        [1n, itemRow(1, 5)],
        [2n, itemRow(2)],
      ]),
    );
  });

  it('deletes a row with a REMOVE that carries only the key', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 15 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    await view.upsertAll([itemRow(1), itemRow(2), itemRow(3)]);

    await view.streamData([DataStreamerItem.removed({ Id: 2n })]);

    expect([...byId(await cluster.readTable('Items')).keys()].sort()).toEqual([1n, 3n]);
  });

  it('deletes through the key-value view with a [key] REMOVE', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 16 });
    const client = await cluster.connect();
    const table = await createTable(client, itemsTable());
    await table.recordView<ItemRow>().upsertAll([itemRow(1), itemRow(2)]);

    await table
      .keyValueView<{ Id: bigint }, { Name: string }>()
      .streamData([DataStreamerItem.removed([{ Id: 1n }] as const)]);

    expect([...byId(await cluster.readTable('Items')).keys()]).toEqual([2n]);
  });

  it('treats a REMOVE of a missing key as a no-op', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 17 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    await view.upsert(itemRow(1));

    const summary = await view.streamData([
      DataStreamerItem.removed({ Id: 99n }),
      DataStreamerItem.removed({ Id: 98n }),
    ]);

    expect(summary.items).toBe(2);
    expect(await cluster.readTable('Items')).toEqual([itemRow(1)]);
  });

  it('resolves an empty source at once with zero items and no batch sent', async () => {
    await using cluster = await SimCluster.start({ nodes: 2, partitions: 4, seed: 18 });
    const client = await cluster.connect();
    const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
    const before = cluster.clock.now();

    const summary = await view.streamData([], { autoFlushInterval: 60_000 });

    expect(summary).toMatchObject({ items: 0, batches: 0, retries: 0 });
    // Only the open (schema and assignment loads) costs time: no flush timer is waited for.
    expect(cluster.clock.now() - before).toBeLessThan(100);
    expect(await cluster.readTable('Items')).toEqual([]);
  });

  it('ends a long mixed PUT/REMOVE stream over existing rows in the table a sequential model predicts', async () => {
    const keys = 400;
    const item = fc.record({
      id: fc.nat({ max: keys - 1 }),
      remove: fc.boolean(),
      version: fc.nat({ max: 1000 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(item, { minLength: 2000, maxLength: 4000 }),
        fc.integer({ min: 1, max: 120 }).map((n) => n * 2 + 1),
        fc.noShrink(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n })),
        async (ops, pageSize, seed) => {
          await using cluster = await SimCluster.start({ nodes: 3, partitions: 7, seed });
          const client = await cluster.connect();
          const view = (await createTable(client, itemsTable())).recordView<ItemRow>();
          const model = new Map<bigint, ItemRow>();
          const existing = Array.from({ length: keys / 2 }, (_, i) => itemRow(i * 2, -1));
          await view.upsertAll(existing);
          for (const row of existing) model.set(row.Id, row);

          const items: RecordStreamItem<ItemRow>[] = [];
          for (const { id, remove, version } of ops) {
            if (remove) {
              items.push(DataStreamerItem.removed({ Id: BigInt(id) }));
              model.delete(BigInt(id));
            } else {
              const row = itemRow(id, version);
              // Bare rows and explicit PUTs mean the same.
              items.push(version % 2 === 0 ? row : DataStreamerItem.of(row));
              model.set(row.Id, row);
            }
          }
          const summary = await view.streamData(items, { pageSize });

          expect(summary.items).toBe(items.length);
          expect(byId(await cluster.readTable('Items'))).toEqual(model);
        },
      ),
      { numRuns: 4 },
    );
  });

  it('accepts KeyValueStreamItem PUTs mixed with bare entries', async () => {
    await using cluster = await SimCluster.start({ nodes: 1, partitions: 3, seed: 19 });
    const client = await cluster.connect();
    const kv = (await createTable(client, itemsTable())).keyValueView<
      { Id: bigint },
      { Name: string; Score: number }
    >();
    const items: KeyValueStreamItem<{ Id: bigint }, { Name: string; Score: number }>[] = [
      [{ Id: 1n }, { Name: 'a', Score: 1 }],
      DataStreamerItem.of([{ Id: 2n }, { Name: 'b', Score: 2 }] as const),
      DataStreamerItem.of([{ Id: 1n }, { Name: 'c', Score: 3 }] as const),
    ];

    await kv.streamData(items);

    expect(byId(await cluster.readTable('Items'))).toEqual(
      new Map([
        [1n, { Id: 1n, Name: 'c', Score: 3 }],
        [2n, { Id: 2n, Name: 'b', Score: 2 }],
      ]),
    );
  });
});
