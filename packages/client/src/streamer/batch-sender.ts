/**
 * Sends one batch until it is acknowledged, fails for good, or the stream stops: each attempt calls the
 * sink's `send` afresh (so it re-resolves the target node) with the batch's number, a retryable error waits an
 * exponential backoff on the injected clock and tries again, up to the retry limit. It records whether any
 * attempt left (then the batch may have applied without an answer, and only a seal can tell). It does not
 * decide what a failure means for the stream (the core does), and it never retries once the stream stopped.
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

/** One batch to send: its partition, items and number. */
export interface OutgoingBatch<Entry> {
  readonly partition: number;
  readonly entries: readonly Entry[];
  readonly batchSeq: number;
}

/** How a batch ended: acknowledged on some attempt, or failed with the last attempt's error. */
export type BatchOutcome<Result> =
  | { readonly ok: true; readonly ack: BatchAck<Result>; readonly attempt: number }
  | {
      readonly ok: false;
      readonly error: unknown;
      readonly attempts: number;
      /** Whether an attempt left: the batch may have applied (a seal tells). */
      readonly sent: boolean;
    };

/** Sends `batch` through `sink`, retrying as the module header says. Never rejects. */
export async function sendBatch<T, Entry, Result>(
  sink: StreamerSink<T, Entry, Result>,
  batch: OutgoingBatch<Entry>,
  context: BatchSenderContext,
): Promise<BatchOutcome<Result>> {
  let sent = false;
  const markSent = (): void => {
    sent = true;
  };
  for (let attempt = 1; ; attempt++) {
    try {
      const ack = await sink.send({
        partition: batch.partition,
        entries: batch.entries,
        attempt,
        batchSeq: batch.batchSeq,
        signal: context.sendSignal,
        sent: markSent,
      });
      return { ok: true, ack, attempt };
    } catch (error) {
      const exhausted = context.retryLimit >= 0 && attempt > context.retryLimit;
      if (exhausted || context.stopSignal.aborted || !isRetryableError(error)) {
        return { ok: false, error, attempts: attempt, sent };
      }
      const delayMs = backoffDelay(attempt, context.backoff, context.rng);
      context.logger.debug(
        { partition: batch.partition, attempt, delayMs, code: errorCodeOf(error) },
        'batch attempt failed, retrying',
      );
      try {
        await context.clock.sleep(delayMs, context.stopSignal);
      } catch {
        // The stream stopped during the wait (the sleep rejects with the stop reason).
      }
      if (context.stopSignal.aborted) return { ok: false, error, attempts: attempt, sent };
      context.onRetry();
    }
  }
}
