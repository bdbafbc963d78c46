/**
 * The error the simulated clock reports: a livelock (a cap was exceeded), a stopped clock, or a bad argument.
 * It carries `code` (from the shared ErrorCodes table), `retryable` and `cause` like every package error.
 */
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';

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

export class SimClockError extends Error {
  override readonly name: string = 'SimClockError';
  readonly kind: SimClockErrorKind;
  readonly code: ErrorCode;
  readonly retryable: boolean;

  constructor(kind: SimClockErrorKind, message: string, options: { readonly cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = SimClockErrorKinds[kind];
    this.retryable = ErrorCodes[this.code].retryable;
  }
}
