import { ProtocolError } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { TestCluster } from './support/test-cluster.js';

const tracks = {
  name: 'Tracks',
  columns: [
    { name: 'Id', type: 'INT64' },
    { name: 'Title', type: 'STRING' },
    { name: 'Plays', type: 'INT32', nullable: true, default: 0 },
  ],
  primaryKey: ['Id'],
  partitions: 3,
} as const;

describe('ClusterNode catalog ops', () => {
  it('answers HEARTBEAT with no payload', async () => {
    const cluster = new TestCluster();
    const client = await cluster.client('node-1');
    const response = await client.send('HEARTBEAT', {});
    expect(response).toMatchObject({ kind: 'ok', op: 'HEARTBEAT', result: null });
    expect(response.observableTimestamp).toBeGreaterThan(0n);
  });

  it('creates a table and lists it by TABLES_GET and TABLE_GET', async () => {
    const cluster = new TestCluster(['node-1', 'node-2']);
    const client = await cluster.client('node-2');
    const schema = await client.call('TABLE_CREATE', { definition: tracks });
    expect(schema).toMatchObject({ tableName: 'Tracks', version: 1, partitions: 3, keyColumns: [0] });
    expect(schema.columns.map((c) => c.name)).toEqual(['Id', 'Title', 'Plays']);
    const info = { tableId: schema.tableId, name: 'Tracks', latestSchemaVersion: 1 };
    await expect(client.call('TABLES_GET', {})).resolves.toEqual([info]);
    // The catalog is the control plane's: another node knows the table at once.
    const other = await cluster.client('node-1');
    await expect(other.call('TABLE_GET', { name: 'Tracks' })).resolves.toEqual(info);
    await expect(other.call('TABLE_GET', { name: 'Albums' })).resolves.toBeNull();
  });

  it('refuses a bad definition with the catalog error naming the problem', async () => {
    const cluster = new TestCluster();
    const client = await cluster.client('node-1');
    const bad = { ...tracks, primaryKey: ['Nope'] };
    const error = await client.call('TABLE_CREATE', { definition: bad }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'INVALID_SCHEMA', retryable: false });
    expect((error as Error).message).toContain('"Nope"');
    await client.call('TABLE_CREATE', { definition: tracks });
    await expect(client.call('TABLE_CREATE', { definition: tracks })).rejects.toMatchObject({
      code: 'TABLE_ALREADY_EXISTS',
    });
  });

  it('adds a column as a new schema version and serves every version by SCHEMAS_GET', async () => {
    const cluster = new TestCluster();
    const client = await cluster.client('node-1');
    const v1 = await client.call('TABLE_CREATE', { definition: tracks });
    const v2 = await client.call('COLUMN_ADD', {
      tableName: 'Tracks',
      column: { name: 'Genre', type: 'STRING', nullable: true, default: 'pop' },
    });
    expect(v2.version).toBe(2);
    expect(v2.columns.map((c) => c.name)).toEqual(['Id', 'Title', 'Plays', 'Genre']);
    await expect(client.call('SCHEMAS_GET', { tableId: v1.tableId, versions: null })).resolves.toEqual([v2]);
    await expect(client.call('SCHEMAS_GET', { tableId: v1.tableId, versions: [2, 1] })).resolves.toEqual([
      v2,
      v1,
    ]);
    await expect(client.call('SCHEMAS_GET', { tableId: v1.tableId, versions: [3] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('1..2, not 3'),
    });
    await expect(client.call('SCHEMAS_GET', { tableId: 99, versions: null })).rejects.toMatchObject({
      code: 'TABLE_NOT_FOUND',
    });
    await expect(
      client.call('COLUMN_ADD', {
        tableName: 'Tracks',
        column: { name: 'Title', type: 'STRING', nullable: true },
      }),
    ).rejects.toMatchObject({ code: 'COLUMN_ALREADY_EXISTS' });
    await expect(
      client.call('COLUMN_ADD', { tableName: 'Tracks', column: { name: 'Rank', type: 'INT32' } }),
    ).rejects.toMatchObject({ code: 'INVALID_SCHEMA' });
  });

  it('reports the partition owners with the assignment version', async () => {
    const cluster = new TestCluster(['node-1', 'node-2']);
    const client = await cluster.client('node-1');
    const schema = await client.call('TABLE_CREATE', { definition: tracks });
    const assignment = await client.call('PARTITION_ASSIGNMENT_GET', { tableId: schema.tableId });
    const placed = cluster.controlPlane.placement.assignment(schema.tableId);
    expect(assignment).toMatchObject({ assignmentVersion: placed?.version, owners: placed?.owners });
    expect(new Set(assignment.owners)).toEqual(new Set(['node-1', 'node-2']));
    await expect(client.call('PARTITION_ASSIGNMENT_GET', { tableId: 42 })).rejects.toMatchObject({
      code: 'TABLE_NOT_FOUND',
    });
  });

  it('lists the running members with the assignment for a client with TOPOLOGY_DISCOVERY', async () => {
    const cluster = new TestCluster(['node-1', 'node-2', 'node-3']);
    const client = await cluster.client('node-1');
    const schema = await client.call('TABLE_CREATE', { definition: tracks });
    const before = await client.call('PARTITION_ASSIGNMENT_GET', { tableId: schema.tableId });
    expect(before.nodes).toEqual([
      { name: 'node-1', endpoint: 'node-1' },
      { name: 'node-2', endpoint: 'node-2' },
      { name: 'node-3', endpoint: 'node-3' },
    ]);
    // A crashed member is not listed until it runs again; a new member is, in join order.
    cluster.node('node-2').crash();
    cluster.addNode('node-4');
    const after = await client.call('PARTITION_ASSIGNMENT_GET', { tableId: schema.tableId });
    expect(after.nodes?.map((n) => n.name)).toEqual(['node-1', 'node-3', 'node-4']);
  });

  it('answers a client without TOPOLOGY_DISCOVERY in the old shape, without members', async () => {
    const cluster = new TestCluster(['node-1', 'node-2']);
    const client = await cluster.client('node-1', { features: Uint8Array.of(0b111) });
    const schema = await client.call('TABLE_CREATE', { definition: tracks });
    const assignment = await client.call('PARTITION_ASSIGNMENT_GET', { tableId: schema.tableId });
    expect('nodes' in assignment).toBe(false);
  });
});
