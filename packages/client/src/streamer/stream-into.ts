/**
 * `streamInto`: the data streamer as an RxJS operator. `events$.pipe(streamInto(view, options))` streams
 * every item of `events$` into the view and emits one value, the summary, when every item is applied (or
 * errors with the `DataStreamerError`). Unsubscribing cancels the stream.
 *
 * An Observable cannot be paused, so the streamer buffers what it emits up to `maxBufferedItems` and fails
 * with `BUFFER_OVERFLOW` past that (see `streamer-options.ts`). Piped straight from `fromPull(source)`, it
 * pulls `source` instead, only while it has room (from-pull.ts).
 *
 * @example
 * ```ts
 * plays$.pipe(streamInto(view, { pageSize: 500 })).subscribe((summary) => console.log(summary.items));
 * fromPull(readPlays()).pipe(streamInto(view)).subscribe((summary) => console.log(summary.items));
 * ```
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { DataStreamerOptions } from './streamer-options.js';
import type { DataStreamerSummary } from './streamer-summary.js';

/** Anything with the plain `streamData` of a record or key-value view. */
export interface StreamIntoTarget<T> {
  streamData(source: Observable<T>, options?: DataStreamerOptions): Promise<DataStreamerSummary>;
}

export function streamInto<T>(
  view: StreamIntoTarget<T>,
  options: DataStreamerOptions = {},
): OperatorFunction<T, DataStreamerSummary> {
  return (source) =>
    new Observable<DataStreamerSummary>((subscriber) => {
      const cancel = new AbortController();
      const outer = options.signal;
      const onOuterAbort = () => cancel.abort(outer?.reason);
      if (outer !== undefined) {
        if (outer.aborted) cancel.abort(outer.reason);
        else outer.addEventListener('abort', onOuterAbort, { once: true });
      }
      let settled = false;
      view.streamData(source, { ...options, signal: cancel.signal }).then(
        (summary) => {
          settled = true;
          subscriber.next(summary);
          subscriber.complete();
        },
        (error: unknown) => {
          settled = true;
          subscriber.error(error);
        },
      );
      return () => {
        outer?.removeEventListener('abort', onOuterAbort);
        // Unsubscribed before the stream settled: cancel it (unsent items are reported to nobody).
        if (!settled) cancel.abort(new Error('streamInto: unsubscribed'));
      };
    });
}
