/**
 * The error the simulated network throws when it is used wrongly: a bad endpoint name, a fault option out of
 * range, a second `listen` on one name. It carries `code` (from the shared ErrorCodes table), `retryable`
 * and `cause` like every package error.
 *
 * It is not what a connection reports: transport failures (an unreachable endpoint, a reset connection) are
 * `ProtocolError`s, because that is what the `Transport` contract promises to the client and the nodes.
 */
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';

export class SimNetworkError extends Error {
  override readonly name: string = 'SimNetworkError';
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = ErrorCodes[code].retryable;
  }
}
