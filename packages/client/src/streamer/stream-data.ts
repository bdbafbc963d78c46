/**
 * The two ways to run the streamer core over a sink: `streamData` (a promise of the summary, for plain
 * batches) and `streamResults` (an Observable of receiver results). The table views wrap these with their
 * own sink. Neither adds behaviour of its own beyond adapting the outcome.
 */
import type { Observable } from 'rxjs';
import { ClientError } from '../errors/client-error.js';
import { DataStreamer } from './data-streamer.js';
import { ReceiverResults } from './receiver-results.js';
import type { StreamerSource } from './sources/open-source-reader.js';
import type { DataStreamerOptions } from './streamer-options.js';
import type { StreamerSink } from './streamer-sink.js';
import type { DataStreamerSummary } from './streamer-summary.js';

/**
 * Streams `source` into `sink`. Resolves with the summary once every item is applied.
 *
 * Rejects with an `InvalidOptionError` naming a bad option (or `source`) before anything is pulled or
 * sent, and with a `DataStreamerError` (code, cause, `failedItems` in source order) when the stream fails
 * or is cancelled.
 */
export function streamData<T, Entry, Result = never>(
  sink: StreamerSink<T, Entry, Result>,
  source: StreamerSource<T>,
  options?: DataStreamerOptions,
): Promise<DataStreamerSummary> {
  try {
    return new DataStreamer(sink, source, options).run();
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Receiver mode: an Observable of the results the sink's acknowledgements carry. Subscribing starts the
 * stream; unsubscribing cancels it (as the `signal` option would); completion means every item was
 * processed; an error is the stream's `DataStreamerError` (or an `InvalidOptionError`). Each batch's results
 * arrive together and in order; batches of one partition in the order they were sent, batches of different
 * partitions in the order they were acknowledged. Results are not backpressured: a slow consumer should
 * buffer them itself. A subscriber whose `next` throws fails the stream with `CALLBACK_FAILED`, reported to
 * its `error` (see receiver-results.ts for piped chains).
 *
 * @example
 * ```ts
 * streamResults(sink, events).subscribe({ next: (stat) => print(stat), error: (e) => retry(e.failedItems) });
 * ```
 */
export function streamResults<T, Entry, Result>(
  sink: StreamerSink<T, Entry, Result>,
  source: StreamerSource<T>,
  options?: DataStreamerOptions,
): Observable<Result> {
  return new ReceiverResults<Result>((subscriber, consumer) => {
    const streamer = new DataStreamer(sink, source, options, {
      onResults: (results) => {
        for (const result of results) {
          subscriber.next(result);
          consumer.rethrow();
        }
      },
    });
    void streamer.run().then(
      () => subscriber.complete(),
      (error: unknown) => subscriber.error(error),
    );
    return () => {
      streamer.abort(new ClientError('CANCELLED', 'the result stream was unsubscribed'));
    };
  });
}
