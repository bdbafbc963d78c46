import { describe, expect, it } from 'vitest';
import type { Item } from './support/batches.js';
import { readRows, sendBatch } from './support/batches.js';
import { settle } from './support/settle.js';
import { TableRows, TestCluster } from './support/test-cluster.js';

interface Applied {
  readonly node: string;
  readonly partition: number;
  readonly id: unknown;
  readonly ts: bigint;
}

function setup(names = ['node-1', 'node-2', 'node-3']) {
  const cluster = new TestCluster(names);
  const rows = cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Track', type: 'STRING' },
    ],
    primaryKey: ['Id'],
    partitions: 6,
  });
  const applied: Applied[] = [];
  for (const [name, node] of cluster.nodes) {
    node.onApply((_table, partition, key, _row, ts) => {
      applied.push({ node: name, partition, id: TableRows.field(rows.codec.decodeKey(key), 'Id'), ts });
    });
  }
  const placement = cluster.controlPlane.placement;
  /** Ids 0..n whose partition `p` is: items of one batch must share a partition. */
  const idsOf = (partition: number, count: number): number[] => {
    const ids: number[] = [];
    for (let id = 0; ids.length < count; id++) if (rows.partitionOf({ Id: id }) === partition) ids.push(id);
    return ids;
  };
  /** A partition `owner` owns. */
  const partitionOwnedBy = (owner: string): number => {
    const owners = placement.assignment(rows.tableId)?.owners ?? [];
    const p = owners.indexOf(owner);
    if (p < 0) throw new Error(`${owner} owns no partition`);
    return p;
  };
  return { cluster, rows, applied, placement, idsOf, partitionOwnedBy };
}

const puts = (ids: readonly number[], track: string): Item[] =>
  ids.map((Id) => ({ op: 'PUT', row: { Id, Track: track } }));

describe('ClusterNode ownership', () => {
  it('forwards a batch sent to a non-owner, and the owner applies it once', async () => {
    const { cluster, rows, applied, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-2');
    const ids = idsOf(p, 3);
    const client = await cluster.client('node-1');
    const response = await sendBatch(client, rows, puts(ids, 'a'), {
      partition: p,
      targetNode: 'node-2',
      assignmentVersion: placement.version,
    });
    expect(response).toMatchObject({ kind: 'ok', result: { schemaVersion: 1 } });
    expect(applied.map((a) => [a.node, a.id])).toEqual(ids.map((id) => ['node-2', id]));
    expect(cluster.node('node-1').metrics()).toMatchObject({ forwards: 1, batches: 0, rowsApplied: 0 });
    expect(cluster.node('node-2').metrics()).toMatchObject({ batches: 1, rowsApplied: 3 });
    expect(cluster.node('node-1').localPartition(rows.tableId, p)).toBeUndefined();
    expect(
      await readRows(
        client,
        rows,
        ids.map((Id) => ({ Id })),
      ),
    ).toEqual(ids.map((Id) => ({ Id, Track: 'a' })));
  });

  it('never applies a batch for a partition that moved away; it forwards it to the new owner', async () => {
    const { cluster, rows, applied, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-1');
    const [first, second] = idsOf(p, 2) as [number, number];
    const client = await cluster.client('node-1');
    const before = placement.version;
    await sendBatch(client, rows, puts([first], 'before'), {
      partition: p,
      targetNode: 'node-1',
      assignmentVersion: before,
    });
    const report = await cluster.node('node-1').movePartition(rows.tableId, p, 'node-3');
    expect(report).toMatchObject({ from: 'node-1', to: 'node-3', keys: 1 });
    expect(placement.owner(rows.tableId, p)).toBe('node-3');
    expect(cluster.node('node-1').localPartition(rows.tableId, p)).toBeUndefined();
    // A client that has not heard of the move still names node-1 and the old assignment version.
    const response = await sendBatch(client, rows, puts([first, second], 'after'), {
      partition: p,
      targetNode: 'node-1',
      assignmentVersion: before,
    });
    expect(response.kind).toBe('ok');
    expect(response.assignmentVersion).toBe(placement.version);
    const afterMove = applied.filter((a) => a.partition === p).slice(1);
    expect(afterMove.map((a) => [a.node, a.id])).toEqual([
      ['node-3', first],
      ['node-3', second],
    ]);
    // The new owner's commits order after the old owner's, even within one millisecond.
    expect((afterMove[0] as Applied).ts).toBeGreaterThan((applied[0] as Applied).ts);
    expect(await readRows(client, rows, [{ Id: first }, { Id: second }])).toEqual([
      { Id: first, Track: 'after' },
      { Id: second, Track: 'after' },
    ]);
  });

  it('never applies a batch that was in flight when its partition moved', async () => {
    const { cluster, rows, applied, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-1');
    const ids = idsOf(p, 4);
    const client = await cluster.client('node-1');
    const target = { partition: p, targetNode: 'node-1', assignmentVersion: placement.version };
    // The frame is on its way (delivered on a later microtask) when the move runs.
    const inFlight = sendBatch(client, rows, puts(ids, 'late'), target);
    const moved = cluster.node('node-1').movePartition(rows.tableId, p, 'node-2');
    await moved;
    const response = await inFlight;
    expect(response.kind).toBe('ok');
    expect(applied.map((a) => a.node)).toEqual(['node-2', 'node-2', 'node-2', 'node-2']);
  });

  it('answers NOT_PRIMARY to a forwarded batch it does not own instead of forwarding it again', async () => {
    const { cluster, rows, applied, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-2');
    const peer = await cluster.client('node-1', { name: 'node-3', peerType: 'node' });
    const batch = {
      op: 'STREAMER_BATCH_SEND' as const,
      tableId: rows.tableId,
      partitionId: p,
      deleted: null,
      schemaVersion: rows.version,
      rows: idsOf(p, 1).map((Id) => rows.put({ Id, Track: 'x' })),
      targetNode: 'node-1',
      assignmentVersion: placement.version,
    };
    const response = await peer.send('BATCH_FORWARD', { hops: 0, origin: 'node-3', batch });
    expect(response.kind === 'error' && response.error).toMatchObject({
      code: 'NOT_PRIMARY',
      retryable: true,
    });
    expect(applied).toEqual([]);
    expect(cluster.node('node-1').metrics().forwards).toBe(0);
    // A client may not send node-to-node ops.
    const client = await cluster.client('node-1');
    const refused = await client.send('BATCH_FORWARD', { hops: 0, origin: 'node-3', batch });
    expect(refused.kind === 'error' && refused.error.code).toBe('PROTOCOL_ERROR');
  });

  it('forwards a forwarded batch once more when maxForwardHops is 2, and never a third time', async () => {
    const cluster = new TestCluster(['node-1', 'node-2', 'node-3'], { maxForwardHops: 2 });
    const rows = cluster.table({
      name: 'Plays',
      columns: [
        { name: 'Id', type: 'INT32' },
        { name: 'Track', type: 'STRING' },
      ],
      primaryKey: ['Id'],
      partitions: 3,
    });
    const placement = cluster.controlPlane.placement;
    const p = placement.assignment(rows.tableId)?.owners.indexOf('node-2') ?? -1;
    const owners: string[] = [];
    for (const [name, node] of cluster.nodes) node.onApply(() => owners.push(name));
    const ids = Array.from({ length: 40 }, (_, i) => i).filter((Id) => rows.partitionOf({ Id }) === p);
    const batch = (hops: number) => ({
      hops,
      origin: 'node-1',
      batch: {
        op: 'STREAMER_BATCH_SEND' as const,
        tableId: rows.tableId,
        partitionId: p,
        deleted: null,
        schemaVersion: rows.version,
        rows: ids.slice(0, 1).map((Id) => rows.put({ Id, Track: `h${hops}` })),
        targetNode: 'node-2',
        assignmentVersion: placement.version,
      },
    });
    const peer = await cluster.client('node-2', { name: 'node-1', peerType: 'node' });
    // Forwarded once already (hops 0) and in flight when the partition moves on to node-3.
    const once = peer.send('BATCH_FORWARD', batch(0));
    await cluster.node('node-2').movePartition(rows.tableId, p, 'node-3');
    expect((await once).kind).toBe('ok');
    expect(owners).toEqual(['node-3']);
    const twice = await peer.send('BATCH_FORWARD', batch(1));
    expect(twice.kind === 'error' && twice.error.code).toBe('NOT_PRIMARY');
    expect(owners).toEqual(['node-3']);
  });

  it('passes the refusal of a forwarded batch by its owner back to the client as it was', async () => {
    const { cluster, rows, applied, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-2');
    const client = await cluster.client('node-1');
    const [id] = idsOf(p, 1);
    const response = await client.send('STREAMER_BATCH_SEND', {
      tableId: rows.tableId,
      partitionId: p,
      deleted: null,
      schemaVersion: rows.version,
      // Track is not nullable.
      rows: [{ noValueSet: new Uint8Array(0), tuple: rows.codec.encodeRowValues([id ?? 0, null]) }],
      targetNode: 'node-2',
      assignmentVersion: placement.version,
    });
    expect(response.kind === 'error' && response.error).toMatchObject({
      code: 'INVALID_ROW',
      extensions: { column: 'Track' },
    });
    expect(applied).toEqual([]);
    expect(cluster.node('node-1').metrics().forwards).toBe(1);
  });

  it('answers NODE_UNAVAILABLE, retryable, when the owner cannot be reached, and applies nothing', async () => {
    const { cluster, rows, applied, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-2');
    cluster.network.setReachable('node-2', false);
    const client = await cluster.client('node-1');
    const target = { partition: p, targetNode: 'node-2', assignmentVersion: placement.version };
    const response = await sendBatch(client, rows, puts(idsOf(p, 2), 'x'), target);
    expect(response.kind === 'error' && response.error).toMatchObject({
      code: 'NODE_UNAVAILABLE',
      retryable: true,
    });
    expect(applied).toEqual([]);
    // Once it is reachable again, the next batch gets through on a new link.
    cluster.network.setReachable('node-2', true);
    const retried = await sendBatch(client, rows, puts(idsOf(p, 2), 'x'), target);
    expect(retried.kind).toBe('ok');
    expect(applied.map((a) => a.node)).toEqual(['node-2', 'node-2']);
  });

  it('answers REQUEST_TIMEOUT, retryable, when the owner never answers', async () => {
    const { cluster, rows, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-2');
    // node-2 accepts connections but never says a word.
    cluster.network.listen('node-2', () => {});
    const client = await cluster.client('node-1');
    const pending = sendBatch(client, rows, puts(idsOf(p, 1), 'x'), {
      partition: p,
      targetNode: 'node-2',
      assignmentVersion: placement.version,
    });
    await settle();
    cluster.clock.advance(10_000);
    const response = await pending;
    expect(response.kind === 'error' && response.error).toMatchObject({
      code: 'REQUEST_TIMEOUT',
      retryable: true,
    });
    expect(cluster.clock.pendingTimers).toBe(0);
  });

  it('flags responses while the client knows an older assignment version', async () => {
    const { cluster, rows, placement, idsOf, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-1');
    const client = await cluster.client('node-1');
    const current = placement.version;
    const target = { partition: p, targetNode: 'node-1', assignmentVersion: current };
    expect((await sendBatch(client, rows, puts(idsOf(p, 1), 'x'), target)).assignmentVersion).toBeUndefined();
    expect((await client.send('HEARTBEAT', {})).assignmentVersion).toBeUndefined();
    await cluster.node('node-2').movePartition(rows.tableId, partitionOwnedBy('node-2'), 'node-3');
    const moved = placement.version;
    expect(moved).toBeGreaterThan(current);
    // A batch routed with the old version is flagged every time; other responses once, as Ignite does.
    expect((await sendBatch(client, rows, puts(idsOf(p, 1), 'y'), target)).assignmentVersion).toBe(moved);
    expect((await sendBatch(client, rows, puts(idsOf(p, 1), 'y'), target)).assignmentVersion).toBe(moved);
    const fresh = await cluster.client('node-1', { name: 'client-2' });
    expect((await fresh.send('HEARTBEAT', {})).assignmentVersion).toBeUndefined();
    await cluster.node('node-3').movePartition(rows.tableId, partitionOwnedBy('node-3'), 'node-1');
    const heartbeat = await fresh.send('HEARTBEAT', {});
    expect(heartbeat.assignmentVersion).toBe(placement.version);
    expect((await fresh.send('HEARTBEAT', {})).assignmentVersion).toBeUndefined();
    const next = { ...target, assignmentVersion: placement.version };
    expect((await sendBatch(client, rows, puts(idsOf(p, 1), 'z'), next)).assignmentVersion).toBeUndefined();
  });

  it('sends tuple operations on to the owners and merges their answers in key order', async () => {
    const { cluster, rows, applied } = setup();
    const client = await cluster.client('node-1');
    const ids = Array.from({ length: 12 }, (_, i) => i);
    const owners = new Set(
      ids.map((Id) => cluster.controlPlane.placement.owner(rows.tableId, rows.partitionOf({ Id }))),
    );
    expect(owners.size).toBe(3);
    await client.call('TUPLE_UPSERT_ALL', {
      tableId: rows.tableId,
      schemaVersion: rows.version,
      rows: ids.map((Id) => {
        const item = rows.put({ Id, Track: `t${Id}` });
        return { partition: rows.partitionOf({ Id }), noValueSet: item.noValueSet, row: item.tuple };
      }),
    });
    for (const a of applied) {
      expect(a.node).toBe(cluster.controlPlane.placement.owner(rows.tableId, a.partition));
    }
    expect(applied).toHaveLength(12);
    expect(
      await readRows(
        client,
        rows,
        ids.map((Id) => ({ Id })),
      ),
    ).toEqual(ids.map((Id) => ({ Id, Track: `t${Id}` })));
    const remote = ids.find(
      (Id) => cluster.controlPlane.placement.owner(rows.tableId, rows.partitionOf({ Id })) !== 'node-1',
    );
    const key = { partition: rows.partitionOf({ Id: remote }), key: rows.key({ Id: remote }) };
    const base = { tableId: rows.tableId, schemaVersion: rows.version };
    await expect(client.call('TUPLE_DELETE', { ...base, ...key })).resolves.toBe(true);
    await expect(client.call('TUPLE_GET', { ...base, ...key })).resolves.toBeNull();
    expect(cluster.node('node-1').metrics().forwards).toBeGreaterThanOrEqual(4);
  });

  it('refuses to move a partition the node does not own, or to a node that is down', async () => {
    const { cluster, rows, placement, partitionOwnedBy } = setup();
    const p = partitionOwnedBy('node-2');
    await expect(cluster.node('node-1').movePartition(rows.tableId, p, 'node-3')).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    cluster.node('node-3').crash();
    const version = placement.version;
    await expect(cluster.node('node-2').movePartition(rows.tableId, p, 'node-3')).rejects.toMatchObject({
      code: 'NODE_UNAVAILABLE',
    });
    expect(placement.version).toBe(version);
    // The fence is lifted: node-2 still serves the partition.
    const client = await cluster.client('node-2');
    const ids = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9].filter((Id) => rows.partitionOf({ Id }) === p);
    const response = await sendBatch(client, rows, puts(ids.slice(0, 1), 'still'), {
      partition: p,
      targetNode: 'node-2',
      assignmentVersion: version,
    });
    expect(response.kind).toBe('ok');
  });
});
