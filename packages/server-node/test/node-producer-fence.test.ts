import type { Response } from '@datastreamer/protocol';
import type { BatchProducer } from '@datastreamer/protocol/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProducerFence } from '../src/fence/producer-fence.js';
import { readRows } from './support/batches.js';
import type { RawClient } from './support/raw-client.js';
import { type TableRows, TestCluster } from './support/test-cluster.js';

function setup(names = ['node-1']) {
  const cluster = new TestCluster(names);
  const rows = cluster.table({
    name: 'Plays',
    columns: [
      { name: 'Id', type: 'INT32' },
      { name: 'Track', type: 'STRING' },
    ],
    primaryKey: ['Id'],
    partitions: 1,
  });
  return { cluster, rows, placement: cluster.controlPlane.placement };
}

/** Sends one PUT batch of partition 0 (fenced by `producer` unless it is null) and resolves with the response. */
function sendPut(
  client: RawClient,
  rows: TableRows,
  target: { readonly node: string; readonly version: number },
  producer: BatchProducer | null,
  track: string,
): Promise<Response> {
  return client.send('STREAMER_BATCH_SEND', {
    tableId: rows.tableId,
    partitionId: 0,
    deleted: null,
    schemaVersion: rows.version,
    rows: [rows.put({ Id: 1, Track: track })],
    targetNode: target.node,
    assignmentVersion: target.version,
    producer,
  });
}

function seal(client: RawClient, rows: TableRows, target: string, producerId: string, epoch: number) {
  return client.send('STREAMER_SEAL', {
    tableId: rows.tableId,
    partitionId: 0,
    targetNode: target,
    assignmentVersion: 0,
    producerId,
    epoch,
  });
}

function errorCode(response: Response): string {
  return response.kind === 'error' ? response.error.code : 'ok';
}

/** A run id (a UUID) numbered `n`. */
const run = (n: number): string => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const at = (producerId: string, epoch: number, batchSeq: number): BatchProducer => ({
  producerId,
  epoch,
  batchSeq,
});

describe('Producer fence on a node', () => {
  it('acknowledges a duplicate attempt without applying it, and applies each new batch once', async () => {
    const { cluster, rows, placement } = setup();
    const node = cluster.node('node-1');
    const client = await cluster.client('node-1');
    const target = { node: 'node-1', version: placement.version };
    const send = (seq: number, track: string) => sendPut(client, rows, target, at('p', 1, seq), track);

    expect(errorCode(await send(1, 'retry of seq 1'))).toBe('ok');
    expect(errorCode(await send(2, 'seq 2'))).toBe('ok');
    // The first attempt of seq 1 arrives late: acknowledged, but the newer value stays.
    expect(errorCode(await send(1, 'late first attempt of seq 1'))).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 2' }]);
    expect(errorCode(await send(2, 'seq 2 again'))).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 2' }]);
    expect(node.metrics()).toMatchObject({ batches: 2, rowsApplied: 2, staleBatches: 2 });
    // Another producer is fenced on its own, and an unfenced batch is always applied.
    expect(errorCode(await sendPut(client, rows, target, at('q', 1, 1), 'other'))).toBe('ok');
    expect(errorCode(await sendPut(client, rows, target, null, 'unfenced'))).toBe('ok');
    expect(errorCode(await sendPut(client, rows, target, null, 'unfenced again'))).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'unfenced again' }]);
  });

  it('refuses every attempt of an older epoch once a newer one wrote to the partition', async () => {
    const { cluster, rows, placement } = setup();
    const client = await cluster.client('node-1');
    const target = { node: 'node-1', version: placement.version };
    expect(errorCode(await sendPut(client, rows, target, at('p', 1, 1), 'epoch 1'))).toBe('ok');
    expect(errorCode(await sendPut(client, rows, target, at('p', 2, 1), 'epoch 2'))).toBe('ok');
    const late = await sendPut(client, rows, target, at('p', 1, 2), 'late epoch 1');
    expect(errorCode(late)).toBe('PRODUCER_FENCED');
    expect(late.kind === 'error' && late.error.message).toContain('epoch 1 of producer "p" is fenced');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'epoch 2' }]);
    expect(cluster.node('node-1').metrics()).toMatchObject({ fencedBatches: 1 });
  });

  it('applies batches strictly in turn: one that came early is refused retryably, and applies in its turn', async () => {
    const { cluster, rows, placement } = setup();
    const client = await cluster.client('node-1');
    const target = { node: 'node-1', version: placement.version };
    const send = (epoch: number, seq: number, track: string) =>
      sendPut(client, rows, target, at('p', epoch, seq), track);
    // A new epoch starts at batch 1: batch 2 overtook it.
    const early = await send(1, 2, 'seq 2');
    expect(errorCode(early)).toBe('OUT_OF_ORDER_BATCH');
    expect(early.kind === 'error' && early.error.retryable).toBe(true);
    expect(early.kind === 'error' && early.error.message).toContain('applied up to batch 0');
    expect(errorCode(await send(1, 1, 'seq 1'))).toBe('ok');
    expect(errorCode(await send(1, 3, 'seq 3 before 2'))).toBe('OUT_OF_ORDER_BATCH');
    expect(errorCode(await send(1, 2, 'seq 2'))).toBe('ok');
    expect(errorCode(await send(1, 3, 'seq 3'))).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 3' }]);
    // A newer epoch starts at 1 again, whatever the older one reached.
    expect(errorCode(await send(2, 4, 'epoch 2 seq 4'))).toBe('OUT_OF_ORDER_BATCH');
    expect(errorCode(await send(2, 1, 'epoch 2 seq 1'))).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'epoch 2 seq 1' }]);
    expect(cluster.node('node-1').metrics()).toMatchObject({ batches: 4, fencedBatches: 3 });
  });

  it('lets a late registration of an older run fence nobody', async () => {
    const { cluster, rows, placement } = setup();
    const client = await cluster.client('node-1');
    const target = { node: 'node-1', version: placement.version };
    // Run 2 registers and writes; run 1's registration, held in the network, arrives only now.
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'p', runId: run(2) })).toEqual({ epoch: 1 });
    expect(errorCode(await sendPut(client, rows, target, at('p', 1, 1), 'run 2'))).toBe('ok');
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'p', runId: run(1) })).toEqual({ epoch: 2 });
    expect(errorCode(await sendPut(client, rows, target, at('p', 1, 2), 'run 2 goes on'))).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'run 2 goes on' }]);
  });

  it('seals an epoch: answers what applied, then refuses anything newer of that epoch', async () => {
    const { cluster, rows, placement } = setup();
    const client = await cluster.client('node-1');
    const target = { node: 'node-1', version: placement.version };
    expect(errorCode(await sendPut(client, rows, target, at('p', 1, 1), 'seq 1'))).toBe('ok');
    expect(errorCode(await sendPut(client, rows, target, at('p', 1, 2), 'seq 2'))).toBe('ok');
    expect(await seal(client, rows, 'node-1', 'p', 1)).toMatchObject({
      kind: 'ok',
      result: { appliedSeq: 2 },
    });
    expect(errorCode(await sendPut(client, rows, target, at('p', 1, 3), 'seq 3 held'))).toBe(
      'PRODUCER_FENCED',
    );
    // A duplicate of what applied is still answered as applied, and sealing again answers the same.
    expect(errorCode(await sendPut(client, rows, target, at('p', 1, 2), 'seq 2 again'))).toBe('ok');
    expect(await seal(client, rows, 'node-1', 'p', 1)).toMatchObject({
      kind: 'ok',
      result: { appliedSeq: 2 },
    });
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 2' }]);
    // A new epoch writes again.
    expect(errorCode(await sendPut(client, rows, target, at('p', 2, 1), 'epoch 2'))).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'epoch 2' }]);
  });

  it('seals a producer the partition never saw, so its held attempts never apply', async () => {
    const { cluster, rows, placement } = setup();
    const client = await cluster.client('node-1');
    expect(await seal(client, rows, 'node-1', 'fresh', 3)).toMatchObject({
      kind: 'ok',
      result: { appliedSeq: 0 },
    });
    const held = await sendPut(
      client,
      rows,
      { node: 'node-1', version: placement.version },
      at('fresh', 3, 1),
      'x',
    );
    expect(errorCode(held)).toBe('PRODUCER_FENCED');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([null]);
  });

  it('refuses to seal an epoch older than one that wrote since', async () => {
    const { cluster, rows, placement } = setup();
    const client = await cluster.client('node-1');
    await sendPut(client, rows, { node: 'node-1', version: placement.version }, at('p', 4, 1), 'epoch 4');
    expect(errorCode(await seal(client, rows, 'node-1', 'p', 3))).toBe('PRODUCER_FENCED');
  });

  it('forwards a seal from a node that does not own the partition', async () => {
    const { cluster, rows, placement } = setup(['node-1', 'node-2']);
    const owner = placement.owner(rows.tableId, 0) as string;
    const other = owner === 'node-1' ? 'node-2' : 'node-1';
    const client = await cluster.client(owner);
    await sendPut(client, rows, { node: owner, version: placement.version }, at('p', 1, 1), 'seq 1');
    const via = await cluster.client(other);
    expect(await seal(via, rows, owner, 'p', 1)).toMatchObject({ kind: 'ok', result: { appliedSeq: 1 } });
    expect(cluster.node(other).metrics()).toMatchObject({ forwards: 1, seals: 0 });
    expect(cluster.node(owner).metrics()).toMatchObject({ seals: 1 });
    const held = await sendPut(
      client,
      rows,
      { node: owner, version: placement.version },
      at('p', 1, 2),
      'late',
    );
    expect(errorCode(held)).toBe('PRODUCER_FENCED');
  });

  it('keeps the fence, seals included, across a crash and restart', async () => {
    const { cluster, rows, placement } = setup();
    const node = cluster.node('node-1');
    const client = await cluster.client('node-1');
    const target = { node: 'node-1', version: placement.version };
    for (let seq = 1; seq <= 5; seq++) {
      expect(errorCode(await sendPut(client, rows, target, at('p', 1, seq), `seq ${seq}`))).toBe('ok');
    }
    await seal(client, rows, 'node-1', 'q', 1);
    node.crash();
    await client.closed;
    node.restart();
    const again = await cluster.client('node-1');
    expect(errorCode(await sendPut(again, rows, target, at('p', 1, 4), 'seq 4'))).toBe('ok');
    expect(await readRows(again, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 5' }]);
    expect(errorCode(await sendPut(again, rows, target, at('q', 1, 1), 'sealed'))).toBe('PRODUCER_FENCED');
    expect(errorCode(await sendPut(again, rows, target, at('p', 1, 6), 'seq 6'))).toBe('ok');
    expect(await readRows(again, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 6' }]);
  });

  it('moves the fence with the partition to its new owner', async () => {
    const { cluster, rows, placement } = setup(['node-1', 'node-2']);
    const from = placement.owner(rows.tableId, 0) as string;
    const to = from === 'node-1' ? 'node-2' : 'node-1';
    const client = await cluster.client(from);
    const oldOwner = { node: from, version: placement.version };
    for (let seq = 1; seq <= 3; seq++) {
      expect(errorCode(await sendPut(client, rows, oldOwner, at('p', 1, seq), `seq ${seq}`))).toBe('ok');
    }
    await seal(client, rows, from, 'q', 2);
    await cluster.node(from).movePartition(rows.tableId, 0, to);

    const owner = await cluster.client(to);
    const newOwner = { node: to, version: placement.version };
    expect(errorCode(await sendPut(owner, rows, newOwner, at('p', 1, 2), 'seq 2'))).toBe('ok');
    expect(await readRows(owner, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 3' }]);
    expect(cluster.node(to).metrics()).toMatchObject({ batches: 0, rowsApplied: 0 });
    expect(errorCode(await sendPut(owner, rows, newOwner, at('q', 2, 1), 'sealed'))).toBe('PRODUCER_FENCED');
    // A stale attempt that reaches the old owner is forwarded and fenced there too.
    expect(errorCode(await sendPut(client, rows, oldOwner, at('p', 1, 2), 'seq 2 via old'))).toBe('ok');
    expect(await readRows(owner, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 3' }]);
  });

  it('answers a run registering again with its epoch, not a new one', async () => {
    const { cluster } = setup();
    const client = await cluster.client('node-1');
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'a', runId: run(1) })).toEqual({ epoch: 1 });
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'a', runId: run(1) })).toEqual({ epoch: 1 });
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'a', runId: run(2) })).toEqual({ epoch: 2 });
    // A late duplicate of the first run's registration fences nobody.
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'a', runId: run(1) })).toEqual({ epoch: 1 });
    expect(cluster.controlPlane.producers.epochOf('a')).toBe(2);
  });

  it('registers epochs that only grow, and refuses a bad producer id', async () => {
    const { cluster } = setup();
    const client = await cluster.client('node-1');
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'a', runId: run(3) })).toEqual({ epoch: 1 });
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'b', runId: run(4) })).toEqual({ epoch: 1 });
    expect(await client.call('PRODUCER_REGISTER', { producerId: 'a', runId: run(5) })).toEqual({ epoch: 2 });
    cluster.node('node-1').crash();
    cluster.node('node-1').restart();
    const again = await cluster.client('node-1');
    expect(await again.call('PRODUCER_REGISTER', { producerId: 'a', runId: run(6) })).toEqual({ epoch: 3 });
    expect(() => cluster.controlPlane.producers.register('', run(99))).toThrow(
      /producerId: expected a string of 1..256/,
    );
  });
});

/** What the fence should answer, from a model: per producer, the newest epoch, its highest seq, sealed. */
interface ModelEntry {
  epoch: number;
  seq: number;
  sealed: boolean;
}

describe('ProducerFence', () => {
  it('admits exactly what the model admits, under any mix of attempts and seals', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('attempt' as const),
        producer: fc.constantFrom('a', 'b'),
        epoch: fc.integer({ min: 1, max: 3 }),
        seq: fc.integer({ min: 1, max: 6 }),
      }),
      fc.record({
        kind: fc.constant('seal' as const),
        producer: fc.constantFrom('a', 'b'),
        epoch: fc.integer({ min: 1, max: 3 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
        const fence = new ProducerFence();
        const model = new Map<string, ModelEntry>();
        for (const step of ops) {
          const entry = model.get(step.producer);
          if (step.kind === 'seal') {
            if (entry !== undefined && entry.epoch > step.epoch) {
              expect(() => fence.seal(step.producer, step.epoch)).toThrow(/is fenced/);
              continue;
            }
            const applied = entry !== undefined && entry.epoch === step.epoch ? entry.seq : 0;
            expect(fence.seal(step.producer, step.epoch)).toBe(applied);
            model.set(step.producer, { epoch: step.epoch, seq: applied, sealed: true });
            continue;
          }
          let expected: 'apply' | 'duplicate' | 'PRODUCER_FENCED' | 'OUT_OF_ORDER_BATCH';
          if (entry === undefined || step.epoch > entry.epoch) {
            expected = step.seq === 1 ? 'apply' : 'OUT_OF_ORDER_BATCH';
          } else if (step.epoch < entry.epoch) expected = 'PRODUCER_FENCED';
          else if (step.seq <= entry.seq) expected = 'duplicate';
          else if (entry.sealed) expected = 'PRODUCER_FENCED';
          else expected = step.seq === entry.seq + 1 ? 'apply' : 'OUT_OF_ORDER_BATCH';
          const admission = fence.admit(at(step.producer, step.epoch, step.seq));
          expect(admission.kind === 'refused' ? admission.error.code : admission.kind).toBe(expected);
          if (expected === 'apply') {
            fence.record(at(step.producer, step.epoch, step.seq));
            const same = entry !== undefined && entry.epoch === step.epoch;
            model.set(step.producer, {
              epoch: step.epoch,
              seq: step.seq,
              sealed: same ? entry.sealed : false,
            });
          }
        }
        expect(new ProducerFence(fence.entries()).entries()).toEqual(fence.entries());
      }),
    );
  });

  it('keeps the results of the newest receiver batches and answers duplicates with them', () => {
    const fence = new ProducerFence();
    for (let seq = 1; seq <= 6; seq++) fence.record(at('p', 1, seq), [`r${seq}`]);
    expect(fence.admit(at('p', 1, 6))).toEqual({ kind: 'duplicate', results: ['r6'] });
    expect(fence.admit(at('p', 1, 3))).toEqual({ kind: 'duplicate', results: ['r3'] });
    // Only the newest four are kept.
    expect(fence.admit(at('p', 1, 2))).toEqual({ kind: 'duplicate', results: undefined });
  });

  it('lets a run of an older epoch that ends late change nothing of the newer epoch', () => {
    const fence = new ProducerFence();
    fence.record(at('p', 2, 1));
    fence.record(at('p', 1, 9));
    expect(fence.entries()).toEqual([
      { producerId: 'p', epoch: 2, appliedSeq: 1, sealed: false, results: [] },
    ]);
  });

  it('evicts the least recently used producer past its capacity', () => {
    const fence = new ProducerFence([], 2);
    fence.record(at('a', 1, 1));
    fence.record(at('b', 1, 1));
    fence.record(at('a', 1, 2));
    fence.record(at('c', 1, 1));
    expect(fence.size).toBe(2);
    expect(fence.entries().map((entry) => [entry.producerId, entry.appliedSeq])).toEqual([
      ['a', 2],
      ['c', 1],
    ]);
    // Evicted: its fence is gone.
    expect(fence.admit(at('b', 1, 1)).kind).toBe('apply');
  });
});
