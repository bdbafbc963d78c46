/**
 * Opens the sink of a stream (the table's schema and partition assignment, the producer's registration),
 * retrying a retryable failure (a lost connection, a request timeout, a node not available) under the stream's
 * retry policy, as a batch would be: a stream must not fail on the one request a dropped message or a
 * restarting node cost it, when every batch after it would have been retried. Retries here are not batch
 * retries and are not counted in the summary. It does not check what the sink reports (the core does).
 */

import type { BatchSenderContext } from './batch-sender.js';
import { backoffDelay, errorCodeOf, isRetryableError } from './retry-policy.js';
import type { StreamerSink, StreamerTopology } from './streamer-sink.js';

/**
 * `sink.open`, retried as the module header says.
 *
 * @throws the last attempt's error once it is not retryable, the retry limit is reached, or the stream
 *   stopped (cancelled) meanwhile.
 */
export async function openSink<T, Entry, Result>(
  sink: StreamerSink<T, Entry, Result>,
  producer: { readonly producerId: string; readonly runId: string },
  context: BatchSenderContext,
): Promise<StreamerTopology> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await sink.open({ signal: context.sendSignal, ...producer });
    } catch (error) {
      const exhausted = context.retryLimit >= 0 && attempt > context.retryLimit;
      if (exhausted || context.stopSignal.aborted || !isRetryableError(error)) throw error;
      const delayMs = backoffDelay(attempt, context.backoff, context.rng);
      context.logger.debug(
        { attempt, delayMs, code: errorCodeOf(error) },
        'opening the stream failed, retrying',
      );
      try {
        await context.clock.sleep(delayMs, context.stopSignal);
      } catch {
        // The stream stopped during the wait (the sleep rejects with the stop reason).
      }
      if (context.stopSignal.aborted) throw error;
    }
  }
}
