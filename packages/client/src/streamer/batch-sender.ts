/**
 * Sends one batch until it is acknowledged, fails for good, or the stream stops: each attempt calls the
 * sink's `send` afresh (so it re-resolves the target node), a retryable error waits an exponential backoff
 * on the injected clock and tries again, up to the retry limit. It does not decide what a failure means for
 * the stream (the core does), and it never retries once the stream stopped.
 */
import type { Clock, Logger, Rng } from '@datastreamer/protocol';
import { backoffDelay, errorCodeOf, isRetryableError } from './retry-policy.js';
import type { RetryBackoffOptions } from './streamer-options.js';
import type { BatchAck, StreamerSink } from './streamer-sink.js';

/** What the sender needs besides the batch; one per stream, shared by its batches. */
export interface BatchSenderContext {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  /** Retries per batch: 0 none, < 0 unlimited. */
  readonly retryLimit: number;
  readonly backoff: Required<RetryBackoffOptions>;
  /** Given to `send`: aborts when the caller cancels the stream. */
  readonly sendSignal: AbortSignal;
  /** Aborts when the stream stops for any reason: no further attempt starts and a backoff wait ends. */
  readonly stopSignal: AbortSignal;
  /** Called just before each resend, to count it. */
  readonly onRetry: () => void;
}

/** How a batch ended: acknowledged on some attempt, or failed with the last attempt's error. */
export type BatchOutcome<Result> =
  | { readonly ok: true; readonly ack: BatchAck<Result>; readonly attempt: number }
  | { readonly ok: false; readonly error: unknown; readonly attempts: number };

/** Sends `entries` of `partition` through `sink`, retrying as the module header says. Never rejects. */
export async function sendBatch<T, Entry, Result>(
  sink: StreamerSink<T, Entry, Result>,
  partition: number,
  entries: readonly Entry[],
  context: BatchSenderContext,
): Promise<BatchOutcome<Result>> {
  for (let attempt = 1; ; attempt++) {
    try {
      const ack = await sink.send(partition, entries, attempt, context.sendSignal);
      return { ok: true, ack, attempt };
    } catch (error) {
      const exhausted = context.retryLimit >= 0 && attempt > context.retryLimit;
      if (exhausted || context.stopSignal.aborted || !isRetryableError(error)) {
        return { ok: false, error, attempts: attempt };
      }
      const delayMs = backoffDelay(attempt, context.backoff, context.rng);
      context.logger.debug(
        { partition, attempt, delayMs, code: errorCodeOf(error) },
        'batch attempt failed, retrying',
      );
      try {
        await context.clock.sleep(delayMs, context.stopSignal);
      } catch {
        // The stream stopped during the wait (the sleep rejects with the stop reason).
      }
      if (context.stopSignal.aborted) {
        return { ok: false, error, attempts: attempt };
      }
      context.onRetry();
    }
  }
}
