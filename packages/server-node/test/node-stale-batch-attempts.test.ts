import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchFence } from '../src/node/batch-fence.js';
import { readRows } from './support/batches.js';
import type { RawClient } from './support/raw-client.js';
import { type TableRows, TestCluster } from './support/test-cluster.js';

const STREAM = '6f1c2e3a-9b8d-4c7e-a5f4-0123456789ab';
const OTHER_STREAM = '0a1b2c3d-4e5f-4a6b-8c7d-8e9fa0b1c2d3';

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

/** Sends one fenced PUT batch of partition 0 and resolves with the raw response's kind. */
async function sendFenced(
  client: RawClient,
  rows: TableRows,
  targetNode: string,
  assignmentVersion: number,
  fence: { readonly streamId: string; readonly batchSeq: number },
  track: string,
): Promise<string> {
  const response = await client.send('STREAMER_BATCH_SEND', {
    tableId: rows.tableId,
    partitionId: 0,
    deleted: null,
    schemaVersion: rows.version,
    rows: [rows.put({ Id: 1, Track: track })],
    targetNode,
    assignmentVersion,
    streamId: fence.streamId,
    batchSeq: fence.batchSeq,
  });
  return response.kind;
}

describe('Streamer batch fence', () => {
  it('acknowledges a stale attempt without applying it, and applies a duplicate of the latest once', async () => {
    const { cluster, rows, placement } = setup();
    const node = cluster.node('node-1');
    const client = await cluster.client('node-1');
    const send = (batchSeq: number, track: string) =>
      sendFenced(client, rows, 'node-1', placement.version, { streamId: STREAM, batchSeq }, track);

    expect(await send(1, 'retry of seq 1')).toBe('ok');
    expect(await send(2, 'seq 2')).toBe('ok');
    // The first attempt of seq 1 arrives late: acknowledged, but the newer value stays.
    expect(await send(1, 'late first attempt of seq 1')).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 2' }]);
    // A second attempt of seq 2 is not applied again.
    expect(await send(2, 'seq 2 again')).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 2' }]);
    expect(node.metrics()).toMatchObject({ batches: 2, rowsApplied: 2 });
    // Another stream is fenced on its own, and an unfenced batch is always applied.
    expect(
      await sendFenced(
        client,
        rows,
        'node-1',
        placement.version,
        { streamId: OTHER_STREAM, batchSeq: 1 },
        'other',
      ),
    ).toBe('ok');
    expect(await readRows(client, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'other' }]);
    expect(node.metrics()).toMatchObject({ batches: 3, rowsApplied: 3 });
  });

  it('keeps the fence across a crash and restart', async () => {
    const { cluster, rows, placement } = setup();
    const node = cluster.node('node-1');
    const client = await cluster.client('node-1');
    const fence = { streamId: STREAM, batchSeq: 5 };
    expect(await sendFenced(client, rows, 'node-1', placement.version, fence, 'seq 5')).toBe('ok');
    node.crash();
    await client.closed;
    node.restart();
    const again = await cluster.client('node-1');
    const stale = { streamId: STREAM, batchSeq: 4 };
    expect(await sendFenced(again, rows, 'node-1', placement.version, stale, 'seq 4')).toBe('ok');
    expect(await readRows(again, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 5' }]);
    const next = { streamId: STREAM, batchSeq: 6 };
    expect(await sendFenced(again, rows, 'node-1', placement.version, next, 'seq 6')).toBe('ok');
    expect(await readRows(again, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 6' }]);
  });

  it('moves the fence with the partition to its new owner', async () => {
    const { cluster, rows, placement } = setup(['node-1', 'node-2']);
    const from = placement.owner(rows.tableId, 0) as string;
    const to = from === 'node-1' ? 'node-2' : 'node-1';
    const client = await cluster.client(from);
    const fence = { streamId: STREAM, batchSeq: 3 };
    expect(await sendFenced(client, rows, from, placement.version, fence, 'seq 3')).toBe('ok');
    await cluster.node(from).movePartition(rows.tableId, 0, to);

    const owner = await cluster.client(to);
    const stale = { streamId: STREAM, batchSeq: 2 };
    expect(await sendFenced(owner, rows, to, placement.version, stale, 'seq 2')).toBe('ok');
    expect(await readRows(owner, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 3' }]);
    expect(cluster.node(to).metrics()).toMatchObject({ batches: 0, rowsApplied: 0 });
    // A stale attempt that reaches the old owner is forwarded and fenced there too.
    expect(await sendFenced(client, rows, from, placement.version, stale, 'seq 2 via old')).toBe('ok');
    expect(await readRows(owner, rows, [{ Id: 1 }])).toEqual([{ Id: 1, Track: 'seq 3' }]);
  });
});

describe('BatchFence', () => {
  it('admits exactly the seqs above the highest raised, per stream', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat(20)), { maxLength: 40 }),
        (ops) => {
          const fence = new BatchFence();
          const highest = new Map<string, number>();
          for (const [stream, seq] of ops) {
            const expected = seq > (highest.get(stream) ?? -1);
            expect(fence.admits(stream, seq)).toBe(expected);
            if (expected) {
              fence.raise(stream, seq);
              highest.set(stream, seq);
            }
          }
          expect(new BatchFence(fence.entries()).entries()).toEqual(fence.entries());
        },
      ),
    );
  });

  it('evicts the least recently used stream past its capacity', () => {
    const fence = new BatchFence([], 2);
    fence.raise('a', 1);
    fence.raise('b', 1);
    fence.raise('a', 2);
    fence.raise('c', 1);
    expect(fence.size).toBe(2);
    expect(fence.entries()).toEqual([
      ['a', 2],
      ['c', 1],
    ]);
    expect(fence.admits('b', 1)).toBe(true);
  });

  it('never lowers the fence', () => {
    const fence = new BatchFence();
    fence.raise('a', 5);
    fence.raise('a', 3);
    expect(fence.admits('a', 4)).toBe(false);
    expect(fence.entries()).toEqual([['a', 5]]);
  });
});
