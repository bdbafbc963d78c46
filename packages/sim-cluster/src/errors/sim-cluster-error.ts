/**
 * The one base error of the sim-cluster package: `catch (e) { if (e instanceof SimClusterError) ... }` catches
 * everything the package throws on purpose. Thrown as it is by the cluster API (a bad option, an unknown node
 * or table, a cluster used after `stop()`); its subclasses name the part that failed: `SimClockError`,
 * `SimNetworkError`, `HistoryError`, `CheckerError`, `FaultPlanError`, `ScenarioError`. It carries `code`
 * (from the shared ErrorCodes table), `retryable` (that code's flag) and the standard `cause`.
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
