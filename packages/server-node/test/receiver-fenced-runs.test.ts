import type { Response } from '@datastreamer/protocol';
import type { BatchProducer } from '@datastreamer/protocol/internal';
import { describe, expect, it } from 'vitest';
import type { DataStreamerReceiver } from '../src/node/receiver/data-streamer-receiver.js';
import { TestCluster } from './support/test-cluster.js';

/**
 * Plays (the streamed table) and Counts (one counter row per id), one partition each on `node-1`, and a
 * counting receiver that adds each batch's payload count to the counter of id 0 by reading it and writing it
 * back (so running a batch twice counts it twice). `gate`, when set, holds every run until it resolves.
 */
function setup(names = ['node-1']) {
  const cluster = new TestCluster(names);
  const plays = cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Track', type: 'STRING' },
    ],
    primaryKey: ['Id'],
    partitions: 1,
  });
  const counts = cluster.table({
    name: 'Counts',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Total', type: 'INT64' },
    ],
    primaryKey: ['Id'],
    partitions: 1,
  });
  const placement = cluster.controlPlane.placement;
  const owner = placement.owner(plays.tableId, 0) as string;
  let runs = 0;
  let gate: Promise<void> | undefined;
  let failAfterWrite = false;
  const counting: DataStreamerReceiver<number, null, number> = async (page, ctx) => {
    runs++;
    const view = (await ctx.ignite.tables.table('Counts'))?.recordView<{ Id: number; Total: bigint }>();
    if (view === undefined) throw new Error('no Counts table');
    const current = (await view.get({ Id: 0 }))?.Total ?? 0n;
    await gate;
    await view.upsert({ Id: 0, Total: current + BigInt(page.length) });
    if (failAfterWrite) throw new Error('failed after writing');
    return [Number(current) + page.length];
  };
  for (const name of names) cluster.node(name).deployReceiver('Count', counting);
  const send = async (
    producer: BatchProducer | null,
    payloads: unknown[],
    options: { readonly transactional?: boolean; readonly via?: string } = {},
  ): Promise<Response> => {
    const client = await cluster.client(options.via ?? owner);
    return client.send('STREAMER_WITH_RECEIVER_BATCH_SEND', {
      tableId: plays.tableId,
      partitionId: 0,
      targetNode: owner,
      assignmentVersion: placement.version,
      receiver: 'Count',
      receiveResults: true,
      arg: null,
      payloads,
      producer,
      transactional: options.transactional ?? false,
    });
  };
  const total = async (): Promise<bigint | null> => {
    const client = await cluster.client(placement.owner(counts.tableId, 0) as string);
    const [row] = await client.call('TUPLE_GET_ALL', {
      tableId: counts.tableId,
      schemaVersion: counts.version,
      keys: [{ partition: 0, key: counts.key({ Id: 0 }) }],
    });
    return row === null || row === undefined ? null : (counts.decode(row.row)['Total'] as bigint);
  };
  const seal = async (producerId: string, epoch: number): Promise<Response> => {
    const client = await cluster.client(owner);
    return client.send('STREAMER_SEAL', {
      tableId: plays.tableId,
      partitionId: 0,
      targetNode: owner,
      assignmentVersion: placement.version,
      producerId,
      epoch,
    });
  };
  return {
    cluster,
    owner,
    send,
    total,
    seal,
    runs: () => runs,
    hold: (until: Promise<void>) => {
      gate = until;
    },
    failAfterWrite: (fail: boolean) => {
      failAfterWrite = fail;
    },
  };
}

const at = (epoch: number, batchSeq: number): BatchProducer => ({ producerId: 'p', epoch, batchSeq });

function results(response: Response): unknown {
  if (response.kind === 'error') return `error ${response.error.code}: ${response.error.message}`;
  return response.op === 'STREAMER_WITH_RECEIVER_BATCH_SEND' ? response.result.results : response.result;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe('Receiver batches fenced by producer', () => {
  it('answers a repeated attempt with the first run results and does not run it again', async () => {
    const { send, total, runs } = setup();
    expect(results(await send(at(1, 1), [1, 2, 3]))).toEqual([3]);
    expect(results(await send(at(1, 1), [1, 2, 3]))).toEqual([3]);
    expect(results(await send(at(1, 2), [4]))).toEqual([4]);
    expect(results(await send(at(1, 1), [1, 2, 3]))).toEqual([3]);
    expect(runs()).toBe(2);
    expect(await total()).toBe(4n);
  });

  it('runs a batch once when an attempt arrives while the first one is still running', async () => {
    const { send, total, runs, hold } = setup();
    const gate = deferred();
    hold(gate.promise);
    const first = send(at(1, 1), [1, 2]);
    const second = send(at(1, 1), [1, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    gate.resolve();
    expect(results(await first)).toEqual([2]);
    expect(results(await second)).toEqual([2]);
    expect(runs()).toBe(1);
    expect(await total()).toBe(2n);
  });

  it('answers PARTITION_MOVED for a run whose partition moved while it ran, and runs it again on the new owner', async () => {
    const { cluster, owner, send, total, runs, hold } = setup(['node-1', 'node-2']);
    const playsId = cluster.controlPlane.catalog.latest('Plays')?.tableId ?? -1;
    const elsewhere = owner === 'node-1' ? 'node-2' : 'node-1';
    const gate = deferred();
    hold(gate.promise);
    const running = send(at(1, 1), [1, 2]);
    await new Promise((resolve) => setImmediate(resolve));
    await cluster.node(owner).movePartition(playsId, 0, elsewhere);
    gate.resolve();
    // Its effects happened, but the fence it was handed to never saw it: it must run again there.
    expect(results(await running)).toMatch(/^error PARTITION_MOVED: .*runs again on the new owner/);
    hold(Promise.resolve());
    expect(results(await send(at(1, 1), [1, 2]))).toEqual([4]);
    // The new owner's fence counts it: the next batch is in its turn.
    expect(results(await send(at(1, 2), [3]))).toEqual([5]);
    expect(runs()).toBe(3);
    expect(await total()).toBe(5n);
  });

  it('refuses an attempt of an older epoch once a newer one ran', async () => {
    const { send, total } = setup();
    await send(at(2, 1), [1]);
    expect(results(await send(at(1, 5), [1, 2]))).toMatch(/^error PRODUCER_FENCED/);
    expect(await total()).toBe(1n);
  });

  it('refuses a batch whose payloads are of different kinds, naming the payload', async () => {
    const { send, runs } = setup();
    const answer = results(await send(at(1, 1), [1, 'two', 3]));
    expect(answer).toMatch(/^error INVALID_ARGUMENT/);
    expect(answer).toContain('payload 1 of the batch is a string but payload 0 is a number');
    // Refused, it did not take its turn: the batch sent in its place is still number 1.
    expect(results(await send(at(1, 1), [1, 2n ** 60n]))).toEqual([2]);
    expect(runs()).toBe(1);
  });

  it('keeps the writes of a failed run without a transaction, and runs it again on retry', async () => {
    const { send, total, failAfterWrite } = setup();
    failAfterWrite(true);
    expect(results(await send(at(1, 1), [1, 2]))).toMatch(/^error RECEIVER_FAILED: Streamer receiver failed/);
    failAfterWrite(false);
    expect(results(await send(at(1, 1), [1, 2]))).toEqual([4]);
    expect(await total()).toBe(4n);
  });

  it('waits for a running non-transactional batch before answering a seal, and counts it', async () => {
    const { send, seal, hold } = setup();
    const gate = deferred();
    hold(gate.promise);
    const running = send(at(1, 1), [1]);
    await new Promise((resolve) => setImmediate(resolve));
    const sealed = seal('p', 1);
    await new Promise((resolve) => setImmediate(resolve));
    gate.resolve();
    expect(results(await running)).toEqual([1]);
    expect(await sealed).toMatchObject({ kind: 'ok', result: { appliedSeq: 1 } });
    expect(results(await send(at(1, 2), [2]))).toMatch(/^error PRODUCER_FENCED/);
  });
});

describe('Transactional receiver batches', () => {
  it('commit the receiver writes with the batch, once, whatever the number of attempts', async () => {
    const { send, total, runs } = setup();
    for (let attempt = 0; attempt < 3; attempt++) {
      expect(results(await send(at(1, 1), [1, 2, 3], { transactional: true }))).toEqual([3]);
    }
    expect(results(await send(at(1, 2), [4, 5], { transactional: true }))).toEqual([5]);
    expect(runs()).toBe(2);
    expect(await total()).toBe(5n);
  });

  it('commit nothing when the receiver fails after writing, so a retry counts the batch once', async () => {
    const { send, total, failAfterWrite } = setup();
    failAfterWrite(true);
    expect(results(await send(at(1, 1), [1, 2], { transactional: true }))).toMatch(/^error RECEIVER_FAILED/);
    expect(await total()).toBe(null);
    failAfterWrite(false);
    expect(results(await send(at(1, 1), [1, 2], { transactional: true }))).toEqual([2]);
    expect(await total()).toBe(2n);
  });

  it('refuse to commit a run whose epoch was sealed while it ran, and the seal says it did not apply', async () => {
    const { send, seal, total, hold } = setup();
    expect(results(await send(at(1, 1), [1], { transactional: true }))).toEqual([1]);
    const gate = deferred();
    hold(gate.promise);
    const running = send(at(1, 2), [1, 2], { transactional: true });
    await new Promise((resolve) => setImmediate(resolve));
    expect(await seal('p', 1)).toMatchObject({ kind: 'ok', result: { appliedSeq: 1 } });
    gate.resolve();
    expect(results(await running)).toMatch(/^error PRODUCER_FENCED/);
    expect(await total()).toBe(1n);
  });

  it('commit once through two-phase commit when the receiver writes to another node', async () => {
    const { cluster, owner, send, total, runs } = setup(['node-1', 'node-2']);
    const countsId = cluster.controlPlane.catalog.latest('Counts')?.tableId ?? -1;
    const elsewhere = owner === 'node-1' ? 'node-2' : 'node-1';
    const countsOwner = cluster.controlPlane.placement.owner(countsId, 0) as string;
    if (countsOwner !== elsewhere) await cluster.node(countsOwner).movePartition(countsId, 0, elsewhere);
    for (let attempt = 0; attempt < 2; attempt++) {
      expect(results(await send(at(1, 1), [1, 2], { transactional: true }))).toEqual([2]);
    }
    expect(runs()).toBe(1);
    expect(await total()).toBe(2n);
    expect(results(await send(at(1, 2), [3], { transactional: true }))).toEqual([3]);
    expect(await total()).toBe(3n);
  });

  it('join runInTransaction to the batch transaction', async () => {
    const { cluster, owner, send, total } = setup();
    const inner: DataStreamerReceiver<number, null, null> = async (page, ctx) => {
      await ctx.ignite.transactions.runInTransaction(async (tx) => {
        const view = (await ctx.ignite.tables.table('Counts'))?.recordView();
        await view?.upsert({ Id: 0, Total: BigInt(page.length) }, tx);
      });
      throw new Error('after the inner transaction');
    };
    cluster.node(owner).deployReceiver('Inner', inner);
    const client = await cluster.client(owner);
    const response = await client.send('STREAMER_WITH_RECEIVER_BATCH_SEND', {
      tableId: cluster.controlPlane.catalog.latest('Plays')?.tableId ?? -1,
      partitionId: 0,
      targetNode: owner,
      assignmentVersion: 0,
      receiver: 'Inner',
      receiveResults: false,
      arg: null,
      payloads: [1, 2],
      producer: at(1, 1),
      transactional: true,
    });
    expect(results(response)).toMatch(/^error RECEIVER_FAILED/);
    expect(await total()).toBe(null);
    await send(at(1, 1), [1], { transactional: true });
    expect(await total()).toBe(1n);
  });
});
