/**
 * The error the history reports: a value it cannot encode into JSON lines, a JSON line that is not a valid
 * event, or a recorded field of the wrong type. It carries `code` (from the shared ErrorCodes table),
 * `retryable` and `cause` like every package error.
 */
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';

export class HistoryError extends Error {
  override readonly name: string = 'HistoryError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
  }
}
