/**
 * The error the checkers throw when they cannot judge: a bad option (not a function, a negative bound), a
 * user function that throws or returns something unusable (`seq(row)` not a number), or a history that
 * contradicts itself (an ack of an item never submitted). A history that merely shows a bug is not an error:
 * it gives a failing verdict. It carries `code` (from the shared ErrorCodes table), `retryable` and `cause`.
 */
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';

export class CheckerError extends Error {
  override readonly name: string = 'CheckerError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
  }
}
