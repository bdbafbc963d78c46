import { describe, expect, it } from 'vitest';
import type { DataStreamerReceiver } from '../src/node/receiver/data-streamer-receiver.js';
import { type TableRows, TestCluster } from './support/test-cluster.js';

/**
 * Two tables with the same key and partition count, on three nodes, with partition p of both on one node
 * (the placement spreads tables apart, so the test moves Stats' partitions next to Plays').
 */
async function setup() {
  const cluster = new TestCluster(['node-1', 'node-2', 'node-3'], {}, 6);
  const plays = cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Track', type: 'STRING' },
    ],
    primaryKey: ['Id'],
    partitions: 6,
  });
  const stats = cluster.table({
    name: 'Stats',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Count', type: 'INT64' },
    ],
    primaryKey: ['Id'],
    partitions: 6,
  });
  const owners = cluster.controlPlane.placement.assignment(plays.tableId)?.owners ?? [];
  const placement = cluster.controlPlane.placement;
  for (let p = 0; p < 6; p++) {
    const from = placement.owner(stats.tableId, p) as string;
    await cluster.node(from).movePartition(stats.tableId, p, owners[p] as string);
  }
  const ownerOf = (id: number): string => owners[plays.partitionOf({ Id: id })] as string;
  /** An id whose partition `node` owns. */
  const idOwnedBy = (node: string, skip = 0): number => {
    let seen = 0;
    for (let id = 0; ; id++) if (ownerOf(id) === node && seen++ === skip) return id;
  };
  const node1 = cluster.node('node-1');
  const send = async (
    receiver: string,
    id: number,
    payloads: unknown[],
    arg: unknown = null,
    receiveResults = true,
  ) => {
    const client = await cluster.client('node-1');
    return client.send('STREAMER_WITH_RECEIVER_BATCH_SEND', {
      tableId: plays.tableId,
      partitionId: plays.partitionOf({ Id: id }),
      targetNode: ownerOf(id),
      assignmentVersion: 0,
      receiver,
      receiveResults,
      arg,
      payloads,
    });
  };
  const read = (rows: TableRows, id: number) => {
    const owner = cluster.node(ownerOf(id));
    const store = owner.localPartition(rows.tableId, rows.partitionOf({ Id: id }));
    const stored = store?.readAt(rows.key({ Id: id }), owner.clock.now()) ?? null;
    return stored === null ? null : rows.decode(stored.subarray(1));
  };
  return { cluster, plays, stats, ownerOf, idOwnedBy, node1, send, read };
}

describe('receiver execution on a node', () => {
  it('runs once on the primary with the payloads in order, the argument, and the table API', async () => {
    const { node1, send, idOwnedBy, read, plays } = await setup();
    const calls: { node: string; page: readonly unknown[]; arg: unknown }[] = [];
    const receiver: DataStreamerReceiver<number, { track: string }, string> = async (page, ctx, arg) => {
      calls.push({ node: ctx.nodeName, page, arg });
      const view = (await ctx.ignite.tables.table('Plays'))?.recordView();
      await view?.upsertAll(page.map((Id) => ({ Id, Track: arg.track })));
      return page.map((id) => `${id}@${ctx.nodeName}`);
    };
    node1.deployReceiver('Record', receiver);
    const id = idOwnedBy('node-2');
    const response = await send('Record', id, [id, id + 6000, id + 12], { track: 't' });
    expect(response).toMatchObject({ kind: 'ok' });
    expect(calls).toEqual([{ node: 'node-2', page: [id, id + 6000, id + 12], arg: { track: 't' } }]);
    if (response.kind === 'ok') {
      expect(response.result).toEqual({
        results: [`${id}@node-2`, `${id + 6000}@node-2`, `${id + 12}@node-2`],
      });
    }
    expect(read(plays, id)).toEqual({ Id: id, Track: 't' });
  });

  it('returns no results when the client did not ask for them', async () => {
    const { node1, send } = await setup();
    node1.deployReceiver('Echo', (page) => page);
    const response = await send('Echo', 1, [1, 2], null, false);
    expect(response).toMatchObject({ kind: 'ok', result: { results: null } });
  });

  it('answers RECEIVER_NOT_FOUND naming an unknown receiver', async () => {
    const { send } = await setup();
    const response = await send('NoSuchReceiver', 1, [1]);
    expect(response.kind).toBe('error');
    if (response.kind !== 'error') return;
    expect(response.error).toMatchObject({ code: 'RECEIVER_NOT_FOUND', retryable: false });
    expect(response.error.message).toContain("Cannot load receiver by name 'NoSuchReceiver'");
  });

  it('answers RECEIVER_FAILED with the receiver message when it throws or returns no array', async () => {
    const { node1, send } = await setup();
    node1.deployReceiver('Boom', async () => {
      throw new Error('track 7 is unknown');
    });
    node1.deployReceiver('Odd', () => 42 as unknown as number[]);
    node1.deployReceiver('BadResult', () => [new Map()]);
    for (const [name, text] of [
      ['Boom', 'Streamer receiver failed: track 7 is unknown'],
      ['Odd', 'Streamer receiver failed:'],
      ['BadResult', 'result[0]: Map is not encodable'],
    ] as const) {
      const response = await send(name, 3, [1]);
      expect(response.kind).toBe('error');
      if (response.kind !== 'error') continue;
      expect(response.error).toMatchObject({ code: 'RECEIVER_FAILED', retryable: false });
      expect(response.error.message).toContain(text);
    }
  });

  it('refuses a null payload', async () => {
    const { node1, send } = await setup();
    node1.deployReceiver('Echo', (page) => page);
    const response = await send('Echo', 1, [1, null]);
    expect(response).toMatchObject({ kind: 'error', error: { code: 'INVALID_ARGUMENT' } });
  });

  it('commits a transaction over two colocated tables, and aborts it whole when the function throws', async () => {
    const { node1, send, idOwnedBy, read, plays, stats } = await setup();
    node1.deployReceiver('Both', async (page, ctx, arg) => {
      const p = (await ctx.ignite.tables.table('Plays'))?.recordView();
      const s = (await ctx.ignite.tables.table('Stats'))?.keyValueView();
      await ctx.ignite.transactions.runInTransaction(async (tx) => {
        for (const Id of page as number[]) {
          await p?.upsert({ Id, Track: 'x' }, tx);
          const before = (await s?.get({ Id }, tx)) as { Count: bigint } | null;
          await s?.upsert({ Id }, { Count: (before?.Count ?? 0n) + 1n }, tx);
          if (arg === 'fail') throw new Error('half way');
        }
      });
    });
    const id = idOwnedBy('node-3');
    expect(await send('Both', id, [id], 'fail')).toMatchObject({
      kind: 'error',
      error: { code: 'RECEIVER_FAILED' },
    });
    expect(read(plays, id)).toBeNull();
    expect(read(stats, id)).toBeNull();
    const first = await send('Both', id, [id]);
    if (first.kind === 'error') throw first.error;
    expect(await send('Both', id, [id])).toMatchObject({ kind: 'ok' });
    expect(read(plays, id)).toEqual({ Id: id, Track: 'x' });
    expect(read(stats, id)).toEqual({ Id: id, Count: 2n });
  });

  it('commits a transactional write to a partition of another node (two-phase commit)', async () => {
    const { node1, send, idOwnedBy, read, plays } = await setup();
    const remote = idOwnedBy('node-1');
    node1.deployReceiver('Far', async (_page, ctx) => {
      const p = (await ctx.ignite.tables.table('Plays'))?.recordView();
      await ctx.ignite.transactions.runInTransaction((tx) => p?.upsert({ Id: remote, Track: 'x' }, tx));
    });
    const response = await send('Far', idOwnedBy('node-2'), [1]);
    expect(response.kind).toBe('ok');
    expect(read(plays, remote)).toEqual({ Id: remote, Track: 'x' });
  });

  it('writes to another node without a transaction', async () => {
    const { node1, send, idOwnedBy, read, plays } = await setup();
    const remote = idOwnedBy('node-1');
    node1.deployReceiver('Far', async (_page, ctx) => {
      const view = (await ctx.ignite.tables.table('Plays'))?.recordView();
      await view?.upsert({ Id: remote, Track: 'far' });
      return [await view?.get({ Id: remote }), await view?.delete({ Id: remote + 100_000 })];
    });
    const response = await send('Far', idOwnedBy('node-2'), [1]);
    expect(response).toMatchObject({
      kind: 'ok',
      result: { results: [{ Id: remote, Track: 'far' }, false] },
    });
    expect(read(plays, remote)).toEqual({ Id: remote, Track: 'far' });
  });

  it('keeps a transaction all or nothing when the node crashes between its writes', async () => {
    const { cluster, node1, send, idOwnedBy, read, plays, stats } = await setup();
    const id = idOwnedBy('node-2');
    let crashAfterFirst = true;
    node1.deployReceiver('Crashy', async (page, ctx) => {
      const p = (await ctx.ignite.tables.table('Plays'))?.recordView();
      const s = (await ctx.ignite.tables.table('Stats'))?.recordView();
      await ctx.ignite.transactions.runInTransaction(async (tx) => {
        const Id = page[0] as number;
        await p?.upsert({ Id, Track: 'x' }, tx);
        if (crashAfterFirst) cluster.node('node-2').crash();
        await s?.upsert({ Id, Count: 1n }, tx);
      });
    });
    const response = await send('Crashy', id, [id]);
    expect(response.kind).not.toBe('ok');
    cluster.node('node-2').restart();
    expect(read(plays, id)).toBeNull();
    expect(read(stats, id)).toBeNull();
    crashAfterFirst = false;
    expect(await send('Crashy', id, [id])).toMatchObject({ kind: 'ok' });
    expect(read(plays, id)).toEqual({ Id: id, Track: 'x' });
    expect(read(stats, id)).toEqual({ Id: id, Count: 1n });
  });
});
