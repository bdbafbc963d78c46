/**
 * The batch level of the streamer as an RxJS pipeline: the sealed batches of one partition flow through
 * `sendBatches`, which sends each (a deferred attempt per try, a `timeout` per attempt, `retryWithBackoff`
 * between attempts) with at most `concurrency` batches under way at once (`mergeMap`), and emits one result per
 * batch. A batch's slot stays taken until `hold` (the streamer's reporting of an applied batch: `onBatch`,
 * receiver results) completes, so a slow `onBatch` slows the partition. Order: batches start in the order they
 * were sealed; with several under way, a node applies a partition's batches in their number's order (its
 * fence refuses one that overtook an earlier one, retryably), so per-key order holds. Such a refusal
 * (`outOfTurn`) is retried once the earlier batches are acknowledged (`turn`), not after a backoff, and does
 * not count against the retry limit.
 *
 * Stopping: once `stop$` emits, a batch that has not started yet ends as `skipped` (never sent), and no retry
 * starts (a wait in progress ends with its last error). Cancelling is unsubscribing: the attempts in progress
 * are abandoned (the streamer aborts their requests through the stream's cancel signal).
 *
 * It knows nothing of items, partitions or the wire: `attempt` does one try of one batch.
 */
import {
  catchError,
  concat,
  defer,
  from,
  ignoreElements,
  map,
  mergeMap,
  type Observable,
  type ObservableInput,
  type OperatorFunction,
  of,
  type SchedulerLike,
  throwError,
  timeout,
} from 'rxjs';
import { type RetryPolicy, retryWithBackoff, type TurnWait } from './retry-policy.js';

/** How one batch ended. */
export type BatchResult<B, A> =
  /** Acknowledged on attempt `attempts`. */
  | { readonly kind: 'acked'; readonly batch: B; readonly ack: A; readonly attempts: number }
  /** Failed for good with the last attempt's error (its outcome may still be unknown: see `sent`). */
  | { readonly kind: 'failed'; readonly batch: B; readonly error: unknown; readonly attempts: number }
  /** Never started: the stream had stopped. */
  | { readonly kind: 'skipped'; readonly batch: B };

/** What {@link sendBatches} needs besides the batches. */
export interface BatchPipelineOptions<B, A> extends RetryPolicy {
  /**
   * One attempt of one batch (`attempt` 1, 2, ...), called when the attempt starts: an Observable that emits
   * the acknowledgement and completes, or errors. Unsubscribing it abandons the attempt: whatever it still
   * delivers is ignored (the streamer cancels requests under way through the stream's signal).
   */
  readonly attempt: (batch: B, attempt: number) => Observable<A>;
  /** Most batches under way at once (`perPartitionParallelOperations`). */
  readonly concurrency: number;
  /** An attempt that takes longer fails with `timeoutError(limitMs)` (retryable); <= 0: no limit of its own. */
  readonly attemptTimeoutMs: number;
  readonly timeoutError: (limitMs: number) => unknown;
  /** Fault point: true makes this attempt time out after 1 ms. Default: never. */
  readonly timeoutEarly?: () => boolean;
  /** Asked when a batch's turn comes: true once the stream stopped (the batch is then skipped). */
  readonly stopped: () => boolean;
  /** Called when a batch's first attempt starts. */
  readonly onStart?: (batch: B) => void;
  /**
   * Whether an error is a refusal for being out of turn (the node applies a partition's batches in order, and
   * this one overtook an earlier one). Such a retry waits for `turn(batch)` rather than a backoff.
   */
  readonly outOfTurn?: (error: unknown) => boolean;
  /** Emits once every batch before `batch` is acknowledged; undefined when that is already so. */
  readonly turn?: (batch: B) => Observable<unknown> | undefined;
  /**
   * Runs after an acknowledgement, inside the batch's slot: the next batch waits for what it returns
   * (undefined: nothing to wait for, the slot frees at once).
   */
  readonly hold?: (
    result: BatchResult<B, A> & { readonly kind: 'acked' },
  ) => ObservableInput<unknown> | undefined;
  /**
   * False when `hold` never returns anything to wait for (the streamer has no `onBatch`): it then runs as the
   * acknowledgement is mapped, and the batch needs no operator to wait in. Default true.
   */
  readonly holdWaits?: boolean;
}

/** Sends every batch of the source (see the module header); emits one result per batch, as each settles. */
export function sendBatches<B, A>(
  options: BatchPipelineOptions<B, A>,
): OperatorFunction<B, BatchResult<B, A>> {
  return mergeMap((batch: B) => sendOne(batch, options), options.concurrency);
}

/**
 * One batch, from the moment its slot is free (`mergeMap` calls this then, not when the batch arrives, so
 * `stopped` is asked at the batch's turn).
 */
function sendOne<B, A>(batch: B, options: BatchPipelineOptions<B, A>): Observable<BatchResult<B, A>> {
  if (options.stopped()) return of<BatchResult<B, A>>({ kind: 'skipped', batch });
  options.onStart?.(batch);
  let attempts = 0;
  const tries = defer(() => {
    attempts++;
    const attempt = options.attempt(batch, attempts);
    const limit = options.timeoutEarly?.() === true ? 1 : options.attemptTimeoutMs;
    return limit > 0
      ? attempt.pipe(
          timeout({
            first: limit,
            scheduler: options.scheduler as SchedulerLike,
            with: () => throwError(() => options.timeoutError(limit)),
          }),
        )
      : attempt;
  }).pipe(retryWithBackoff<A>(options, turnWait(batch, options)));
  const hold = options.hold;
  const waits = hold !== undefined && options.holdWaits !== false;
  const settled = tries.pipe(
    map((ack): BatchResult<B, A> => {
      const result = { kind: 'acked', batch, ack, attempts } as const;
      // `hold` never throws (the streamer reports a throwing callback as the stream's failure).
      if (hold !== undefined && !waits) hold(result);
      return result;
    }),
    catchError((error: unknown) => of<BatchResult<B, A>>({ kind: 'failed', batch, error, attempts })),
  );
  if (!waits) return settled;
  return settled.pipe(
    mergeMap((result) => {
      if (result.kind !== 'acked') return [result];
      const held = hold?.(result);
      return held === undefined ? [result] : concat(from(held).pipe(ignoreElements()), [result]);
    }),
  );
}

function turnWait<B, A>(batch: B, options: BatchPipelineOptions<B, A>): TurnWait | undefined {
  const { outOfTurn, turn } = options;
  if (outOfTurn === undefined || turn === undefined) return undefined;
  return { outOfTurn, wait: () => turn(batch) };
}
