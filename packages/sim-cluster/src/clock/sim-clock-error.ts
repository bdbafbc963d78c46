/**
 * The error the simulated clock reports: a livelock (a cap was exceeded), a stopped clock, or a bad argument.
 * A `SimClusterError`: it carries `code`, `retryable` and `cause`.
 */
import type { ErrorCode } from '@datastreamer/protocol';
import { SimClusterError } from '../errors/sim-cluster-error.js';

/** Why the clock failed, and the error code each reason maps to. */
export const SimClockErrorKinds = {
  /** `maxVirtualTimeMs` or `maxEvents` was exceeded: the simulation runs on without converging. */
  livelock: 'INTERNAL',
  /** The clock was stopped: its timers never fire and its sleeps never end. */
  stopped: 'CLOSED',
  /** A bad delay, duration or option. */
  invalidArgument: 'INVALID_ARGUMENT',
} as const satisfies Record<string, ErrorCode>;

export type SimClockErrorKind = keyof typeof SimClockErrorKinds;

export class SimClockError extends SimClusterError {
  override readonly name: string = 'SimClockError';
  readonly kind: SimClockErrorKind;

  constructor(kind: SimClockErrorKind, message: string, options: { readonly cause?: unknown } = {}) {
    super(SimClockErrorKinds[kind], message, options);
    this.kind = kind;
  }
}
