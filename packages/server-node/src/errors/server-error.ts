/**
 * The base error of the server-node package: everything the node throws on purpose is a `ServerError`.
 * `code` comes from the protocol's shared `ErrorCodes` table and `retryable` follows from it, so the request
 * handler can put the error on the wire without guessing. It does not map errors to frames (the handler does).
 */
import { ErrorCodes } from '@datastreamer/protocol';

/** The name of an entry of the protocol's `ErrorCodes` table, e.g. `'TX_CONFLICT'`. */
export type ServerErrorCode = keyof typeof ErrorCodes;

/** Extra facts an error carries by name; they become the wire error's `extensions`. */
export type ServerErrorExtensions = Readonly<Record<string, string | number | bigint | boolean | null>>;

export interface ServerErrorOptions {
  /** The error that led to this one. Default: none. */
  readonly cause?: unknown;
  /** Extra facts for the wire error. Default: none. */
  readonly extensions?: ServerErrorExtensions;
}

/**
 * An error raised by a cluster node. `retryable` says whether the same request may succeed when sent again
 * (a write-write conflict may, an illegal transaction transition may not).
 */
export class ServerError extends Error {
  override readonly name: string = 'ServerError';
  readonly code: ServerErrorCode;
  readonly retryable: boolean;
  readonly extensions: ServerErrorExtensions;

  constructor(code: ServerErrorCode, message: string, options: ServerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
    this.extensions = options.extensions ?? {};
  }
}
