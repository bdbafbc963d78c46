/**
 * Resuming items a failed run left in doubt is exact: the resume first seals the partitions the failed run
 * could not seal, for the failed run's epoch, and drops the resent items of the batches that turned out
 * applied (they applied once; writing them again would take their keys back behind what applied after
 * them). Items are matched by identity through the client's ledger; without a ledger, or for a partition a
 * later run already wrote to, they are resent as before.
 */
import { ProtocolError } from '@datastreamer/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { ClientError } from '../src/errors/client-error.js';
import { DataStreamerError } from '../src/errors/data-streamer-error.js';
import { InDoubtLedger, type InDoubtScope } from '../src/streamer/in-doubt-ledger.js';
import { streamData } from '../src/streamer/stream-data.js';
import { FakeSink, items, simClock, stopClocks, type TestItem } from './streamer-fake-sink.js';

afterEach(stopClocks);

const timeout = () => new ClientError('REQUEST_TIMEOUT', 'no answer within the request timeout');
const unreachable = () => new ClientError('NODE_UNAVAILABLE', 'no connection is open');

function ids(list: readonly TestItem[]): number[] {
  return list.map((item) => item.id);
}

/**
 * A failed first run: 12 items in partition 0 (batches of 3); batch 1 acknowledged, batches 2-4 sent and
 * never answered, and the partition cannot be sealed, so items 3-11 are in doubt.
 */
async function failedRun(clock: ReturnType<typeof simClock>, inDoubt: InDoubtScope | undefined) {
  const source = items(12);
  const sink = new FakeSink<TestItem>({
    clock,
    partitions: 1,
    ...(inDoubt === undefined ? {} : { inDoubt }),
    respond: async (call) => {
      if (call.batchSeq >= 2) throw timeout();
      return undefined;
    },
    seal: () => {
      throw unreachable();
    },
  });
  const options = { clock, pageSize: 3, perPartitionParallelOperations: 4, retryLimit: 0, producerId: 'p' };
  const error = await streamData(sink, source, options).then(
    () => expect.fail('the first run should fail'),
    (e: unknown) => e as DataStreamerError<TestItem>,
  );
  expect(error).toBeInstanceOf(DataStreamerError);
  expect(ids(error.inDoubtItems)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
  return { error, source };
}

describe('DataStreamer resuming items in doubt', () => {
  it('seals the failed run on the partition and drops the resent items of batches that applied late', async () => {
    const clock = simClock();
    const inDoubt: InDoubtScope = { ledger: new InDoubtLedger(), scope: 'table:1' };
    const { error } = await failedRun(clock, inDoubt);
    // Meanwhile the node applied batches 2 and 3 of the failed run (epoch 1), late; batch 4 never.
    const resume = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      epoch: 2,
      inDoubt,
      seal: (_partition, applied, epoch) => (epoch === 1 ? 3 : applied),
    });
    const more = items(15).slice(12);
    const summary = await streamData(resume, [...error.failedItems, ...more], {
      clock,
      pageSize: 3,
      producerId: 'p',
    });
    expect(resume.sealed).toEqual([0]);
    expect(resume.sealedEpochs).toEqual([1]);
    // Items 3-8 (batches 2-3) applied once and are not written again; 9-11 (batch 4) and the rest are.
    expect(ids(resume.applied)).toEqual([9, 10, 11, 12, 13, 14]);
    expect(summary.items).toBe(12);
    // Resolved: a later resume of the same producer has nothing to seal.
    expect(inDoubt.ledger.pending('table:1', 'p', 3)).toEqual([]);
  });

  it('resends every item in doubt when the seal says none of the failed run applied', async () => {
    const clock = simClock();
    const inDoubt: InDoubtScope = { ledger: new InDoubtLedger(), scope: 'table:1' };
    const { error } = await failedRun(clock, inDoubt);
    const resume = new FakeSink<TestItem>({ clock, partitions: 1, epoch: 2, inDoubt, seal: () => 1 });
    const summary = await streamData(resume, error.failedItems, { clock, pageSize: 3, producerId: 'p' });
    expect(ids(resume.applied)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(summary.items).toBe(9);
  });

  it('resolves nothing for another producer, another table, or a sink without a ledger', async () => {
    const clock = simClock();
    const inDoubt: InDoubtScope = { ledger: new InDoubtLedger(), scope: 'table:1' };
    const { error } = await failedRun(clock, inDoubt);
    const cases: { producerId: string; inDoubt?: InDoubtScope }[] = [
      { producerId: 'q', inDoubt },
      { producerId: 'p', inDoubt: { ledger: inDoubt.ledger, scope: 'table:2' } },
      { producerId: 'p' },
    ];
    for (const { producerId, inDoubt: scope } of cases) {
      const resume = new FakeSink<TestItem>({
        clock,
        partitions: 1,
        epoch: 2,
        ...(scope === undefined ? {} : { inDoubt: scope }),
      });
      await streamData(resume, error.failedItems, { clock, pageSize: 3, producerId });
      expect(resume.sealed).toEqual([]);
      expect(ids(resume.applied)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    }
    // Still pending for the right producer and table.
    expect(inDoubt.ledger.pending('table:1', 'p', 2)).toEqual([{ epoch: 1, partition: 0 }]);
  });

  it('fails to open, taking nothing, while the partition in doubt cannot be sealed; a later resume succeeds', async () => {
    const clock = simClock();
    const inDoubt: InDoubtScope = { ledger: new InDoubtLedger(), scope: 'table:1' };
    const { error } = await failedRun(clock, inDoubt);
    const blocked = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      epoch: 2,
      inDoubt,
      seal: () => {
        throw unreachable();
      },
    });
    const refused = await streamData(blocked, error.failedItems, {
      clock,
      pageSize: 3,
      producerId: 'p',
      retryLimit: 2,
    }).then(
      () => expect.fail('the resume should fail while the partition cannot be sealed'),
      (e: unknown) => e as DataStreamerError<TestItem>,
    );
    expect(refused.code).toBe('NODE_UNAVAILABLE');
    expect(refused.message).toContain('resolving the items an earlier run left in doubt failed');
    expect(blocked.sealed).toEqual([0, 0, 0]);
    expect(blocked.calls).toEqual([]);
    const resume = new FakeSink<TestItem>({ clock, partitions: 1, epoch: 3, inDoubt, seal: () => 2 });
    await streamData(resume, error.failedItems, { clock, pageSize: 3, producerId: 'p' });
    expect(resume.sealedEpochs).toEqual([1]);
    expect(ids(resume.applied)).toEqual([6, 7, 8, 9, 10, 11]);
  });

  it('resends the items as they are when a later run already wrote to the partition', async () => {
    const clock = simClock();
    const inDoubt: InDoubtScope = { ledger: new InDoubtLedger(), scope: 'table:1' };
    const { error } = await failedRun(clock, inDoubt);
    const resume = new FakeSink<TestItem>({
      clock,
      partitions: 1,
      epoch: 3,
      inDoubt,
      seal: () => {
        throw new ProtocolError('PRODUCER_FENCED', 'epoch 1 is older than epoch 2, which wrote here');
      },
    });
    await streamData(resume, error.failedItems, { clock, pageSize: 3, producerId: 'p' });
    expect(ids(resume.applied)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(inDoubt.ledger.pending('table:1', 'p', 4)).toEqual([]);
  });
});
