/**
 * What both views' `streamData` do once they know their sink mode: a receiver descriptor runs the receiver
 * form (an Observable of results), anything else the plain streamer into the table (a Promise of the
 * summary). Either way the stream runs on the client's clock, random stream and logger unless the options
 * say otherwise. `receiverTransaction: 'batch'` is for receiver streams only: a plain stream given it is
 * refused (its batches are one transaction each already).
 */
import { type Observable, throwError } from 'rxjs';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { StreamerSource } from '../streamer/sources/open-source-reader.js';
import { streamData, streamResults } from '../streamer/stream-data.js';
import type { DataStreamerOptions } from '../streamer/streamer-options.js';
import type { DataStreamerSummary } from '../streamer/streamer-summary.js';
import {
  isReceiverDescriptor,
  type ReceiverDescriptor,
  ReceiverStreamerSink,
} from './receiver-streamer-sink.js';
import { withClientDefaults } from './stream-defaults.js';
import type { TableContext } from './table-context.js';
import type { TableRows } from './table-rows.js';
import { type TableSinkMode, TableStreamerSink } from './table-streamer-sink.js';

/** Dispatches a view's `streamData(source, options)` or `streamData(source, receiver, options)`. */
export function viewStreamData<T, Result>(
  context: TableContext,
  rows: TableRows,
  mode: TableSinkMode,
  source: StreamerSource<T>,
  second: DataStreamerOptions | ReceiverDescriptor<T, unknown, unknown> | undefined,
  third: DataStreamerOptions | undefined,
): Promise<DataStreamerSummary> | Observable<Result> {
  if (isReceiverDescriptor(second)) {
    let sink: ReceiverStreamerSink<T, Result>;
    try {
      sink = new ReceiverStreamerSink<T, Result>(
        context,
        rows.tableId,
        second as ReceiverDescriptor<T, unknown, unknown>,
        receiverTransaction(third) === 'batch',
      );
    } catch (error) {
      return throwError(() => error);
    }
    return streamResults(sink, source, withClientDefaults(context, third));
  }
  const options = second as DataStreamerOptions | undefined;
  if (receiverTransaction(options) === 'batch') {
    return Promise.reject(
      new InvalidOptionError(
        'receiverTransaction',
        "invalid data streamer option 'receiverTransaction': 'batch' applies to receiver streams only " +
          '(a plain batch is one transaction already)',
      ),
    );
  }
  const sink = new TableStreamerSink<T>(context, rows.tableId, rows.tableName, mode);
  return streamData(sink, source, withClientDefaults(context, options));
}

/** The `receiverTransaction` option as given (validated later, with the others), if readable. */
function receiverTransaction(options: unknown): unknown {
  return typeof options === 'object' && options !== null
    ? (options as DataStreamerOptions).receiverTransaction
    : undefined;
}
