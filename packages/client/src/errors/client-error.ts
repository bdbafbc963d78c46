/**
 * The base error of the client package: everything the client throws on purpose is a `ClientError`. `code`
 * comes from the protocol's shared `ErrorCodes` table and `retryable` follows from it, so callers decide on
 * retries from the code, never from the message. It does not decode wire errors (those arrive as the
 * protocol's `ProtocolError` and may be a `ClientError`'s `cause`).
 */
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';

export interface ClientErrorOptions {
  /** The error that led to this one. Default: none. */
  readonly cause?: unknown;
}

/**
 * An error raised by the client. `retryable` says whether the same operation may succeed when tried again
 * (a lost connection may, a bad option may not).
 */
export class ClientError extends Error {
  override readonly name: string = 'ClientError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ClientErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
  }
}
