/**
 * The batch pipeline (`sendBatches`) and the retry loop (`retryWithBackoff`) on RxJS virtual time: marble
 * diagrams of attempts, backoff waits, per-attempt timeouts, bounded concurrency and stopping. One frame is one
 * virtual millisecond; backoff jitter is 0 so every wait is exact.
 */
import { createRng, ProtocolError } from '@datastreamer/protocol';
import { NEVER, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { type BatchPipelineOptions, type BatchResult, sendBatches } from '../src/streamer/batch-pipeline.js';

const moved = new ProtocolError('PARTITION_MOVED', 'moved');
const refused = new ProtocolError('INVALID_ROW', 'no such column');
const early = new ProtocolError('OUT_OF_ORDER_BATCH', 'not its turn');
const timedOut = new ProtocolError('REQUEST_TIMEOUT', 'no answer');

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

/** Pipeline options on `testScheduler`: backoff 10, 20, 40, ... frames (no jitter), no attempt timeout. */
function options(
  testScheduler: TestScheduler,
  attempt: (batch: string, attempt: number) => Observable<string>,
  overrides: Partial<BatchPipelineOptions<string, string>> = {},
): BatchPipelineOptions<string, string> {
  return {
    attempt,
    concurrency: 1,
    attemptTimeoutMs: 0,
    timeoutError: () => timedOut,
    stopped: () => false,
    retryLimit: 5,
    backoff: { initialMs: 10, multiplier: 2, maxMs: 1000, jitter: 0 },
    rng: createRng(1),
    scheduler: testScheduler,
    stop$: NEVER,
    ...overrides,
  };
}

const acked = (batch: string, ack: string, attempts: number): BatchResult<string, string> => ({
  kind: 'acked',
  batch,
  ack,
  attempts,
});

describe('sendBatches (marbles)', () => {
  it('retries a retryable failure after an exponential backoff, resending the same batch', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const attempts: [number, number][] = [];
      const send = (_batch: string, n: number) => {
        attempts.push([n, testScheduler.now()]);
        return n < 3 ? cold('--#', undefined, moved) : cold('--a|', { a: 'ack' });
      };
      const result = cold('A|', { A: 'A' }).pipe(sendBatches(options(testScheduler, send)));
      // Attempt 1 fails at 2, waits 10; attempt 2 (12) fails at 14, waits 20; attempt 3 (34) acks at 36 and
      // completes at 37.
      expectObservable(result).toBe('36ms r|', { r: acked('A', 'ack', 3) });
      testScheduler.flush();
      expect(attempts).toEqual([
        [1, 0],
        [2, 12],
        [3, 34],
      ]);
    });
  });

  it('fails a batch at once on an error that is not retryable', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('A|', { A: 'A' }).pipe(
        sendBatches(options(testScheduler, () => cold('---#', undefined, refused))),
      );
      expectObservable(result).toBe('3ms (r|)', {
        r: { kind: 'failed', batch: 'A', error: refused, attempts: 1 },
      });
    });
  });

  it('fails a batch with the last error once the retry limit is reached', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('A|', { A: 'A' }).pipe(
        sendBatches(options(testScheduler, () => cold('-#', undefined, moved), { retryLimit: 2 })),
      );
      // Fails at 1, waits 10; fails at 12, waits 20; fails at 33: the limit (2 retries) is reached.
      expectObservable(result).toBe('33ms (r|)', {
        r: { kind: 'failed', batch: 'A', error: moved, attempts: 3 },
      });
    });
  });

  it('times out an attempt that does not answer, abandons it, and retries', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const silent = cold<string>('-');
      const send = (_batch: string, n: number): Observable<string> =>
        n === 1 ? silent : cold('-a|', { a: 'ack' });
      const result = cold('A|', { A: 'A' }).pipe(
        sendBatches(options(testScheduler, send, { attemptTimeoutMs: 5 })),
      );
      // Attempt 1 never answers: at 5 it times out (unsubscribed: its request is aborted); after a backoff of 10,
      // attempt 2 acks at 16.
      expectObservable(result).toBe('16ms r|', { r: acked('A', 'ack', 2) });
      expectSubscriptions(silent.subscriptions).toBe('^----!');
    });
  });

  it('keeps at most `concurrency` batches under way, starting them in order', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const started: [string, number][] = [];
      const send = (batch: string) => {
        started.push([batch, testScheduler.now()]);
        return cold('----a|', { a: `ack ${batch}` });
      };
      const result = cold('(ABC)|', { A: 'A', B: 'B', C: 'C' }).pipe(
        sendBatches(options(testScheduler, send, { concurrency: 2 })),
      );
      // A and B ack at 4 and complete at 5, when C starts: it acks at 9.
      expectObservable(result).toBe('4ms (ab) 1ms c|', {
        a: acked('A', 'ack A', 1),
        b: acked('B', 'ack B', 1),
        c: acked('C', 'ack C', 1),
      });
      testScheduler.flush();
      expect(started).toEqual([
        ['A', 0],
        ['B', 0],
        ['C', 5],
      ]);
    });
  });

  it('keeps a batch slot taken until `hold` completes', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('(AB)|', { A: 'A', B: 'B' }).pipe(
        sendBatches(options(testScheduler, () => cold('-a|', { a: 'ack' }), { hold: () => cold('---|') })),
      );
      // A acks at 1 and holds its slot until 4; B starts then, acks at 5 and is held until 8.
      expectObservable(result).toBe('4ms a 3ms (b|)', { a: acked('A', 'ack', 1), b: acked('B', 'ack', 1) });
    });
  });

  it('retries a batch refused as out of turn when the earlier one is acknowledged, without counting it', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, hot, expectObservable }) => {
      // The earlier batch is acknowledged at 30; B was refused at 2 and waits for that, not for a backoff.
      const earlierAcked = hot('30ms x');
      const send = (_batch: string, n: number) =>
        n === 1 ? cold('--#', undefined, early) : cold('--a|', { a: 'ack' });
      const result = cold('B|', { B: 'B' }).pipe(
        sendBatches(
          options(testScheduler, send, {
            retryLimit: 0,
            outOfTurn: (error) => error === early,
            turn: () => earlierAcked,
          }),
        ),
      );
      expectObservable(result).toBe('32ms r|', { r: acked('B', 'ack', 2) });
    });
  });

  it('fails a batch refused out of turn again and again with nothing under way before it', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const result = cold('B|', { B: 'B' }).pipe(
        sendBatches(
          options(testScheduler, () => cold('-#', undefined, early), {
            retryLimit: -1,
            outOfTurn: (error) => error === early,
            turn: () => undefined,
          }),
        ),
      );
      // Refused at 1, 12, 33 and 74 (backoffs 10, 20, 40): the fourth refusal in a row fails it, retries unlimited
      // or not (the node lost track of the earlier batches; waiting would never end).
      expectObservable(result).toBe('74ms (r|)', {
        r: { kind: 'failed', batch: 'B', error: early, attempts: 4 },
      });
    });
  });

  it('retries an out-of-turn refusal as any other error once nothing is under way before it', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable }) => {
      const send = (_batch: string, n: number) =>
        n === 1 ? cold('--#', undefined, early) : cold('--a|', { a: 'ack' });
      const result = cold('B|', { B: 'B' }).pipe(
        sendBatches(
          options(testScheduler, send, { outOfTurn: (error) => error === early, turn: () => undefined }),
        ),
      );
      // Refused at 2, backoff 10, acknowledged at 14.
      expectObservable(result).toBe('14ms r|', { r: acked('B', 'ack', 2) });
    });
  });

  it('skips the batches whose turn comes after the stream stopped, and ends a backoff wait at the stop', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, hot, expectObservable }) => {
      let stopped = false;
      const stop$ = hot('25ms s');
      testScheduler.schedule(() => {
        stopped = true;
      }, 25);
      const result = cold('(AB)|', { A: 'A', B: 'B' }).pipe(
        sendBatches(
          options(testScheduler, () => cold('--#', undefined, moved), {
            stop$,
            stopped: () => stopped,
          }),
        ),
      );
      // A fails at 2 and 14 (waits 10, then 20); the stop at 25 ends its wait with the last error; B's turn comes
      // after the stop: skipped, never sent.
      expectObservable(result).toBe('25ms (ab|)', {
        a: { kind: 'failed', batch: 'A', error: moved, attempts: 2 },
        b: { kind: 'skipped', batch: 'B' },
      });
    });
  });

  it('cancels the attempts under way when unsubscribed', () => {
    const testScheduler = scheduler();
    testScheduler.run(({ cold, expectObservable, expectSubscriptions }) => {
      const attempt = cold<string>('-----a|', { a: 'ack' });
      const result = cold('A|', { A: 'A' }).pipe(
        sendBatches(options(testScheduler, () => attempt, { concurrency: 1 })),
      );
      expectObservable(result, '---!').toBe('');
      expectSubscriptions(attempt.subscriptions).toBe('^--!');
    });
  });
});
