import { ErrorExtensionKeys } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { readRows, sendBatch } from './support/batches.js';
import { TestCluster } from './support/test-cluster.js';

function setup() {
  const cluster = new TestCluster(['node-1']);
  const v1 = cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Id', type: 'INT64' },
      { name: 'Track', type: 'STRING' },
    ],
    primaryKey: ['Id'],
    partitions: 1,
  });
  const target = {
    partition: 0,
    targetNode: 'node-1',
    assignmentVersion: cluster.controlPlane.placement.version,
  };
  return { cluster, v1, target };
}

describe('ClusterNode schema versions', () => {
  it('answers a batch written with an old version with SCHEMA_VERSION_MISMATCH and the expected version', async () => {
    const { cluster, v1, target } = setup();
    const client = await cluster.client('node-1');
    await client.call('COLUMN_ADD', {
      tableName: 'Plays',
      column: { name: 'Secs', type: 'INT32', nullable: true },
    });
    const response = await sendBatch(client, v1, [{ op: 'PUT', row: { Id: 1n, Track: 't' } }], target);
    expect(response.kind).toBe('error');
    if (response.kind !== 'error') return;
    expect(response.error).toMatchObject({ code: 'SCHEMA_VERSION_MISMATCH', retryable: true });
    expect(response.error.extensions[ErrorExtensionKeys.expectedSchemaVersion]).toBe(2);
    expect(response.error.message).toContain('schema version 1 of table "Plays" is stale, expected 2');
    // Nothing of the stale batch was applied.
    const v2 = cluster.rowsOf(v1.tableId);
    expect(await readRows(client, v2, [{ Id: 1n }])).toEqual([null]);
  });

  it('refuses a version the table does not have yet, with the expected one', async () => {
    const { cluster, v1, target } = setup();
    const client = await cluster.client('node-1');
    const response = await sendBatch(client, v1, [{ op: 'PUT', row: { Id: 1n, Track: 't' } }], {
      ...target,
      schemaVersion: 5,
    });
    expect(response.kind === 'error' && response.error.extensions).toEqual({ 'expected-schema-ver': 1 });
  });

  it('fills a column added later with its default (or NULL) for rows written before', async () => {
    const { cluster, v1, target } = setup();
    const client = await cluster.client('node-1');
    await sendBatch(client, v1, [{ op: 'PUT', row: { Id: 1n, Track: 'old' } }], target);
    await client.call('COLUMN_ADD', {
      tableName: 'Plays',
      column: { name: 'Secs', type: 'INT32', nullable: true, default: 180 },
    });
    await client.call('COLUMN_ADD', {
      tableName: 'Plays',
      column: { name: 'Mood', type: 'STRING', nullable: true },
    });
    const v3 = cluster.rowsOf(v1.tableId);
    expect(v3.version).toBe(3);
    await sendBatch(
      client,
      v3,
      [{ op: 'PUT', row: { Id: 2n, Track: 'new', Secs: 99, Mood: 'calm' } }],
      target,
    );
    const result = await client.call('TUPLE_GET', {
      tableId: v1.tableId,
      schemaVersion: 1,
      partition: 0,
      key: v1.key({ Id: 1n }),
    });
    // The row is answered in the latest version, not the one it was written with.
    expect(result?.schemaVersion).toBe(3);
    expect(await readRows(client, v3, [{ Id: 1n }, { Id: 2n }])).toEqual([
      { Id: 1n, Track: 'old', Secs: 180, Mood: null },
      { Id: 2n, Track: 'new', Secs: 99, Mood: 'calm' },
    ]);
  });

  it('applies the default of a column the row did not set, and keeps an explicit NULL', async () => {
    const { cluster, v1, target } = setup();
    const client = await cluster.client('node-1');
    await client.call('COLUMN_ADD', {
      tableName: 'Plays',
      column: { name: 'Secs', type: 'INT32', nullable: true, default: 180 },
    });
    const v2 = cluster.rowsOf(v1.tableId);
    await sendBatch(
      client,
      v2,
      [
        { op: 'PUT', row: { Id: 1n, Track: 'unset' } },
        { op: 'PUT', row: { Id: 2n, Track: 'null', Secs: null } },
      ],
      target,
    );
    expect(await readRows(client, v2, [{ Id: 1n }, { Id: 2n }])).toEqual([
      { Id: 1n, Track: 'unset', Secs: 180 },
      { Id: 2n, Track: 'null', Secs: null },
    ]);
  });

  it('stores rows with the version they were written with, and upgrades them only when read', async () => {
    const { cluster, v1, target } = setup();
    const client = await cluster.client('node-1');
    const node = cluster.node('node-1');
    const seen: number[] = [];
    node.onApply((_t, _p, _k, _row, _ts, version) => seen.push(version));
    await sendBatch(client, v1, [{ op: 'PUT', row: { Id: 1n, Track: 'a' } }], target);
    await client.call('COLUMN_ADD', {
      tableName: 'Plays',
      column: { name: 'Secs', type: 'INT32', nullable: true },
    });
    await sendBatch(client, cluster.rowsOf(v1.tableId), [{ op: 'PUT', row: { Id: 2n, Track: 'b' } }], target);
    expect(seen).toEqual([1, 2]);
    const stored = node.localPartition(v1.tableId, 0)?.readAt(v1.key({ Id: 1n }), node.clock.now());
    expect(stored?.[0]).toBe(1);
  });
});
