import type { RowResult } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import { TableRows, TestCluster } from './support/test-cluster.js';

function plays(cluster: TestCluster): TableRows {
  return cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Listener', type: 'STRING' },
      { name: 'Count', type: 'INT32', nullable: true, default: 1 },
      { name: 'Track', type: 'INT64' },
      { name: 'Note', type: 'STRING', nullable: true },
    ],
    // A composite key whose columns are not the leading ones, in an order of their own.
    primaryKey: ['Track', 'Listener'],
    partitions: 4,
  });
}

function decoded(rows: TableRows, result: RowResult | null): Record<string, unknown> | null {
  if (result === null) return null;
  expect(result.schemaVersion).toBe(rows.version);
  return rows.decode(result.row);
}

describe('ClusterNode single- and multi-row ops', () => {
  it('round-trips TUPLE_UPSERT and TUPLE_GET, with the default of an unset column applied', async () => {
    const cluster = new TestCluster();
    const rows = plays(cluster);
    const client = await cluster.client('node-1');
    const row = { Listener: 'ada', Track: 7n, Note: null };
    const item = rows.put(row);
    const partition = rows.partitionOf(row);
    const base = { tableId: rows.tableId, schemaVersion: rows.version, partition };
    await expect(
      client.call('TUPLE_UPSERT', { ...base, noValueSet: item.noValueSet, row: item.tuple }),
    ).resolves.toBeNull();
    const got = await client.call('TUPLE_GET', { ...base, key: rows.key(row) });
    expect(decoded(rows, got)).toEqual({ Listener: 'ada', Count: 1, Track: 7n, Note: null });
    const missing = { Listener: 'bob', Track: 7n };
    await expect(
      client.call('TUPLE_GET', { ...base, partition: rows.partitionOf(missing), key: rows.key(missing) }),
    ).resolves.toBeNull();
  });

  it('overwrites on a second upsert and deletes once with TUPLE_DELETE', async () => {
    const cluster = new TestCluster();
    const rows = plays(cluster);
    const client = await cluster.client('node-1');
    const key = { Listener: 'ada', Track: 1n };
    const base = { tableId: rows.tableId, schemaVersion: rows.version, partition: rows.partitionOf(key) };
    for (const count of [5, 6]) {
      const item = rows.put({ ...key, Count: count, Note: `n${count}` });
      await client.call('TUPLE_UPSERT', { ...base, noValueSet: item.noValueSet, row: item.tuple });
    }
    const got = await client.call('TUPLE_GET', { ...base, key: rows.key(key) });
    expect(decoded(rows, got)).toMatchObject({ Count: 6, Note: 'n6' });
    await expect(client.call('TUPLE_DELETE', { ...base, key: rows.key(key) })).resolves.toBe(true);
    await expect(client.call('TUPLE_DELETE', { ...base, key: rows.key(key) })).resolves.toBe(false);
    await expect(client.call('TUPLE_GET', { ...base, key: rows.key(key) })).resolves.toBeNull();
  });

  it('answers TUPLE_GET_ALL and TUPLE_DELETE_ALL in key order across partitions', async () => {
    const cluster = new TestCluster();
    const rows = plays(cluster);
    const client = await cluster.client('node-1');
    const keys = Array.from({ length: 12 }, (_, i) => ({ Listener: `l${i}`, Track: BigInt(i) }));
    const written = keys.filter((_, i) => i % 3 !== 0);
    await client.call('TUPLE_UPSERT_ALL', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      rows: written.map((k, i) => {
        const item = rows.put({ ...k, Count: i, Note: null });
        return { partition: rows.partitionOf(k), noValueSet: item.noValueSet, row: item.tuple };
      }),
    });
    expect(new Set(keys.map((k) => rows.partitionOf(k))).size).toBeGreaterThan(1);
    const request = {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      keys: keys.map((k) => ({ partition: rows.partitionOf(k), key: rows.key(k) })),
    };
    const all = await client.call('TUPLE_GET_ALL', request);
    expect(all.map((r) => (r === null ? null : TableRows.field(rows.decode(r.row), 'Listener')))).toEqual(
      keys.map((k, i) => (i % 3 === 0 ? null : k.Listener)),
    );
    // A key named twice is deleted once.
    const twice = { ...request, keys: [...request.keys, request.keys[1] as (typeof request.keys)[number]] };
    const deleted = await client.call('TUPLE_DELETE_ALL', twice);
    expect(deleted).toEqual([...keys.map((_, i) => i % 3 !== 0), false]);
    expect(await client.call('TUPLE_GET_ALL', request)).toEqual(keys.map(() => null));
  });

  it('applies the last of two upserts of one key in one TUPLE_UPSERT_ALL', async () => {
    const cluster = new TestCluster();
    const rows = plays(cluster);
    const client = await cluster.client('node-1');
    const key = { Listener: 'ada', Track: 3n };
    const items = [1, 2].map((count) => {
      const item = rows.put({ ...key, Count: count, Note: null });
      return { partition: rows.partitionOf(key), noValueSet: item.noValueSet, row: item.tuple };
    });
    await client.call('TUPLE_UPSERT_ALL', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      rows: items,
    });
    const got = await client.call('TUPLE_GET', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      partition: rows.partitionOf(key),
      key: rows.key(key),
    });
    expect(decoded(rows, got)).toMatchObject({ Count: 2 });
  });

  it('refuses a TUPLE_UPSERT_ALL with one bad row and writes none of it', async () => {
    const cluster = new TestCluster();
    const rows = plays(cluster);
    const client = await cluster.client('node-1');
    const good = { Listener: 'ada', Track: 1n, Note: null };
    const item = rows.put(good);
    const bad = { partition: 0, noValueSet: new Uint8Array(0), row: Uint8Array.of(0, 1, 2) };
    const error = await client
      .call('TUPLE_UPSERT_ALL', {
        tableId: rows.tableId,
        schemaVersion: rows.version,
        rows: [{ partition: rows.partitionOf(good), noValueSet: item.noValueSet, row: item.tuple }, bad],
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'INVALID_ROW',
      message: expect.stringContaining('row 1 of the request'),
    });
    const got = await client.call('TUPLE_GET', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      partition: rows.partitionOf(good),
      key: rows.key(good),
    });
    expect(got).toBeNull();
  });

  it('names the column of a NULL key, an unknown table and a partition out of range', async () => {
    const cluster = new TestCluster();
    const rows = plays(cluster);
    const client = await cluster.client('node-1');
    // Listener NULL: the codec would refuse, so the tuple is built by hand (1-byte offsets, Track 1, Listener NULL).
    const nullListener = Uint8Array.of(0x00, 0x01, 0x01, 0x01);
    const base = { tableId: rows.tableId, schemaVersion: rows.version, partition: 0 };
    await expect(client.call('TUPLE_GET', { ...base, key: nullListener })).rejects.toMatchObject({
      code: 'INVALID_ROW',
      extensions: { column: 'Listener' },
    });
    await expect(client.call('TUPLE_GET', { ...base, tableId: 77, key: nullListener })).rejects.toMatchObject(
      {
        code: 'TABLE_NOT_FOUND',
      },
    );
    await expect(
      client.call('TUPLE_GET', { ...base, partition: 4, key: nullListener }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('partitions 0..3, not 4'),
    });
  });
});
