/**
 * One partition's lane on RxJS virtual time: auto-flush by the oldest item's age (a `timer` on the
 * scheduler), numbering, several batches under way kept in order by the node's turn rule, and cancelling.
 * One frame is one virtual millisecond; backoff jitter is 0.
 */
import { type Buggify, createRng, neverBuggify, ProtocolError } from '@datastreamer/protocol';
import { map, NEVER, type Observable, timer } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { AutoFlushQueue } from '../src/streamer/auto-flush-queue.js';
import type { BatchResult } from '../src/streamer/batch-pipeline.js';
import { type LaneHost, PartitionLane } from '../src/streamer/partition-lane.js';
import { errorCodeOf } from '../src/streamer/retry-policy.js';
import type { StreamBatch } from '../src/streamer/stream-batch.js';
import type { BatchAck } from '../src/streamer/streamer-sink.js';

type Batch = StreamBatch<string, string>;
type Lane = PartitionLane<string, string, never>;

interface Recorded {
  readonly overdue: number[];
  readonly settled: [number, BatchResult<Batch, BatchAck<never>>['kind'], number][];
}

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** A lane host on `testScheduler` whose attempts are `attempt`; records overdue calls and settled batches. */
function host(
  testScheduler: TestScheduler,
  attempt: (batch: Batch, n: number) => Observable<BatchAck<never>>,
  {
    autoFlushInterval = 0,
    concurrency = 1,
    buggify = neverBuggify,
  }: { autoFlushInterval?: number; concurrency?: number; buggify?: Buggify } = {},
): { readonly host: LaneHost<string, string, never>; readonly recorded: Recorded } {
  const recorded: Recorded = { overdue: [], settled: [] };
  return {
    recorded,
    host: {
      pipeline: {
        concurrency,
        attemptTimeoutMs: 0,
        timeoutError: () => new ProtocolError('REQUEST_TIMEOUT', 'no answer'),
        stopped: () => false,
        retryLimit: 5,
        backoff: { initialMs: 10, multiplier: 2, maxMs: 1000, jitter: 0 },
        rng: createRng(1),
        scheduler: testScheduler,
        stop$: NEVER,
        outOfTurn: (error) => errorCodeOf(error) === 'OUT_OF_ORDER_BATCH',
      },
      attempt: (_partition, batch, n) => attempt(batch, n),
      settled: (_lane, result) => {
        recorded.settled.push([result.batch.batchSeq, result.kind, testScheduler.now()]);
      },
      overdue: () => {
        recorded.overdue.push(testScheduler.now());
      },
      autoFlushInterval,
      clockNow: () => testScheduler.now(),
      buggify,
      autoFlush: new AutoFlushQueue(testScheduler, () => testScheduler.now()),
    },
  };
}

const ack: BatchAck<never> = { node: 'node-1', bytes: 0 };

describe('PartitionLane (virtual time)', () => {
  it('is overdue once its oldest item is autoFlushInterval old, and says so then', () => {
    const testScheduler = scheduler();
    testScheduler.run(() => {
      const { host: laneHost, recorded } = host(testScheduler, () => NEVER, { autoFlushInterval: 100 });
      const lane: Lane = new PartitionLane(3, laneHost);
      testScheduler.schedule(() => lane.append('a', 'A', 0, 1), 10);
      testScheduler.schedule(() => lane.append('b', 'B', 1, 1), 60);
      testScheduler.schedule(() => expect(lane.overdue).toBe(false), 109);
      testScheduler.flush();
      expect(recorded.overdue).toEqual([110]);
      expect(lane.overdue).toBe(true);
    });
  });

  it('says it is overdue at once when the auto-flush-now fault point fires', () => {
    const testScheduler = scheduler();
    testScheduler.run(() => {
      const asked: string[] = [];
      const buggify: Buggify = (point) => {
        asked.push(point);
        return point === 'streamer.auto-flush-now';
      };
      const { host: laneHost, recorded } = host(testScheduler, () => NEVER, {
        autoFlushInterval: 100,
        buggify,
      });
      const lane: Lane = new PartitionLane(3, laneHost);
      testScheduler.schedule(() => lane.append('a', 'A', 0, 1), 10);
      testScheduler.flush();
      expect(asked).toEqual(['streamer.auto-flush-now']);
      expect(recorded.overdue).toEqual([10]);
    });
  });

  it('never is overdue, and arms no timer, with auto-flush off', () => {
    const testScheduler = scheduler();
    testScheduler.run(() => {
      const { host: laneHost, recorded } = host(testScheduler, () => NEVER, { autoFlushInterval: 0 });
      const lane: Lane = new PartitionLane(0, laneHost);
      lane.append('a', 'A', 0, 1);
      testScheduler.schedule(() => expect(lane.overdue).toBe(false), 1_000_000);
      testScheduler.flush();
      expect(recorded.overdue).toEqual([]);
    });
  });

  it('disarms the timer when sealed and restarts the age with the next open batch', () => {
    const testScheduler = scheduler();
    testScheduler.run(() => {
      const { host: laneHost, recorded } = host(testScheduler, () => NEVER, { autoFlushInterval: 100 });
      const lane: Lane = new PartitionLane(1, laneHost);
      lane.append('a', 'A', 0, 1);
      testScheduler.schedule(() => {
        lane.seal();
        lane.append('b', 'B', 1, 1);
      }, 60);
      testScheduler.flush();
      expect(recorded.overdue).toEqual([160]);
    });
  });

  it('numbers its batches as it seals them and reuses an acknowledged one as the next open batch', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold }) => {
      const sent: [number, string[]][] = [];
      const { host: laneHost, recorded } = host(testScheduler, (batch) => {
        sent.push([batch.batchSeq, [...batch.items]]);
        return cold('--a|', { a: ack });
      });
      const lane: Lane = new PartitionLane(0, laneHost);
      lane.append('a', 'A', 0, 1);
      lane.seal();
      lane.append('b', 'B', 1, 1);
      lane.append('c', 'C', 2, 1);
      lane.seal();
      const first = lane.unsettled[0];
      expect(lane.unsettled.map((batch) => [batch.batchSeq, batch.state])).toEqual([
        [1, 'sending'],
        [2, 'sealed'],
      ]);
      testScheduler.flush();
      expect(sent).toEqual([
        [1, ['a']],
        [2, ['b', 'c']],
      ]);
      // Batch 1 acks at 2 (its slot frees at 3, when its attempt completes); batch 2 then acks at 5.
      expect(recorded.settled).toEqual([
        [1, 'acked', 2],
        [2, 'acked', 5],
      ]);
      expect(lane.busy).toBe(false);
      lane.append('d', 'D', 3, 1);
      lane.seal();
      // The batch acknowledged first was cleared (its number too) and is the open batch after the next seal.
      expect(lane.open).toBe(first);
      expect([lane.open.size, lane.open.batchSeq, lane.open.state]).toEqual([0, 0, 'open']);
      expect(lane.unsettled.map((batch) => batch.batchSeq)).toEqual([3]);
    });
  });

  it('keeps several batches under way in order: one that came early waits for its turn', () => {
    const testScheduler = scheduler();
    testScheduler.run(() => {
      // A node that applies batches strictly in turn; the first attempt of batch 1 is lost (partition moved).
      let applied = 0;
      const order: number[] = [];
      const node = (batch: Batch, n: number) =>
        timer(2).pipe(
          map(() => {
            if (batch.batchSeq === 1 && n === 1) throw new ProtocolError('PARTITION_MOVED', 'moved');
            if (batch.batchSeq !== applied + 1) throw new ProtocolError('OUT_OF_ORDER_BATCH', 'not its turn');
            applied = batch.batchSeq;
            order.push(batch.batchSeq);
            return ack;
          }),
        );
      const { host: laneHost, recorded } = host(testScheduler, node, { concurrency: 3 });
      const lane: Lane = new PartitionLane(0, laneHost);
      for (let i = 0; i < 3; i++) {
        lane.append(`item ${i}`, `entry ${i}`, i, 1);
        lane.seal();
      }
      testScheduler.flush();
      // Batch 1 fails at 2, waits 10, applies at 14. Batches 2 and 3 were refused at 2 and wait for their turn
      // (not a backoff): batch 2 is sent again when batch 1 is acknowledged (14) and applies at 16; batch 3 waits
      // for batch 2 too, is sent again at 16 and applies at 18.
      expect(order).toEqual([1, 2, 3]);
      expect(recorded.settled.map(([, kind, at]) => [kind, at])).toEqual([
        ['acked', 14],
        ['acked', 16],
        ['acked', 18],
      ]);
    });
  });

  it('abandons the batches under way when closed with cancel', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectSubscriptions }) => {
      const attempt = cold<BatchAck<never>>('-----a|', { a: ack });
      const { host: laneHost, recorded } = host(testScheduler, () => attempt);
      const lane: Lane = new PartitionLane(0, laneHost);
      lane.append('a', 'A', 0, 1);
      lane.seal();
      testScheduler.schedule(() => lane.close(true), 3);
      expectSubscriptions(attempt.subscriptions).toBe('^--!');
      testScheduler.flush();
      expect(recorded.settled).toEqual([]);
      // Still counted as unsettled: the streamer accounts for it (applied or not, by what is known of it).
      expect(lane.unsettled.map((batch) => batch.state)).toEqual(['sending']);
    });
  });

  it('lets the batches under way finish when closed without cancel, and sends none sealed later', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold }) => {
      const { host: laneHost, recorded } = host(testScheduler, () => cold('-----a|', { a: ack }));
      const lane: Lane = new PartitionLane(0, laneHost);
      lane.append('a', 'A', 0, 1);
      lane.seal();
      testScheduler.schedule(() => lane.close(false), 3);
      testScheduler.flush();
      expect(recorded.settled).toEqual([[1, 'acked', 5]]);
    });
  });
});
