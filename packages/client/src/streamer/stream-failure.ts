/**
 * How a stream's first error is kept until the stream settles, and how it becomes the `DataStreamerError`
 * the caller sees: the code is the error's own when it carries a known one, else a fallback chosen by where
 * it came from (the source, `prepare`, the sink, `onBatch`).
 */
import type { ErrorCode } from '@datastreamer/protocol';
import { DataStreamerError } from '../errors/data-streamer-error.js';
import type { FailedItemsReport } from './failed-items.js';
import { errorCodeOf } from './retry-policy.js';

/** The error that ended a stream, with what was happening. */
export interface StreamFailure {
  readonly cause: unknown;
  readonly code: ErrorCode;
  /** What failed, for the message: "the source failed", "an item was refused", ... */
  readonly context: string;
}

/** A failure for `cause`, with its own code if it has a known one, else `fallback`. */
export function streamFailure(cause: unknown, fallback: ErrorCode, context: string): StreamFailure {
  return { cause, code: errorCodeOf(cause) ?? fallback, context };
}

/** The caller's error for `failure`: its message names what failed and repeats the cause's message. */
export function dataStreamerError<T>(
  failure: StreamFailure,
  report: FailedItemsReport<T>,
  producer: { readonly producerId: string; readonly epoch: number | undefined },
): DataStreamerError<T> {
  const detail = failure.cause instanceof Error ? failure.cause.message : String(failure.cause);
  const doubt = report.inDoubt.length === 0 ? '' : ` (${report.inDoubt.length} of them in doubt)`;
  return new DataStreamerError(
    failure.code,
    `data stream failed: ${failure.context}: ${detail}; ${report.failed.length} item(s) not applied${doubt}`,
    {
      cause: failure.cause,
      failedItems: report.failed,
      inDoubtItems: report.inDoubt,
      producerId: producer.producerId,
      ...(producer.epoch === undefined ? {} : { epoch: producer.epoch }),
    },
  );
}
