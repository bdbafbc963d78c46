/**
 * The base error of the sim-cluster package's cluster API: a bad option, an unknown node or table, a cluster
 * used after `stop()`. It carries `code` (from the shared ErrorCodes table), `retryable` and `cause`.
 */
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';

export class SimClusterError extends Error {
  override readonly name: string = 'SimClusterError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
  }
}
