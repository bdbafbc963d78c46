/**
 * Which failures are retried, how long to wait before the next attempt, and the retry loop itself as an RxJS
 * operator (`retryWithBackoff`), which batches and the opening of a stream share. It does not decide what a
 * failure means for the stream (the streamer does).
 */
import { type ErrorCode, ErrorCodes, isRetryableCode, type Rng } from '@datastreamer/protocol';
import {
  defer,
  type MonoTypeOperatorFunction,
  mergeMap,
  type Observable,
  race,
  retry,
  type SchedulerLike,
  take,
  throwError,
  timer,
} from 'rxjs';
import { backoffDelay } from '../runtime/backoff.js';
import type { RetryBackoffOptions } from './streamer-options.js';

/** The `ErrorCodes` name an error carries in its `code` property, if it carries a known one. */
export function errorCodeOf(error: unknown): ErrorCode | undefined {
  if (typeof error !== 'object' || error === null) {
    return undefined;
  }
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(ErrorCodes, code) ? (code as ErrorCode) : undefined;
}

/**
 * Whether a failed attempt may succeed when sent again: the error's own boolean `retryable` when it has one
 * (`ProtocolError`, `ClientError`), else what its code says (lost connections, timeouts, not primary,
 * partition moved, node unavailable, overloaded, schema mismatch, ...). An error with neither (a plain
 * `Error` from a buggy sink) is not retried.
 */
export function isRetryableError(error: unknown): boolean {
  if (typeof error === 'object' && error !== null) {
    const retryable: unknown = (error as { retryable?: unknown }).retryable;
    if (typeof retryable === 'boolean') {
      return retryable;
    }
  }
  const code = errorCodeOf(error);
  return code !== undefined && isRetryableCode(code);
}

/** What {@link retryWithBackoff} needs: the policy, the time and randomness, and when to give up early. */
export interface RetryPolicy {
  /** Retries after the first attempt: 0 none, < 0 unlimited. */
  readonly retryLimit: number;
  readonly backoff: Required<RetryBackoffOptions>;
  readonly rng: Rng;
  /** Backoff waits run on it (the injected clock's scheduler, or a test's virtual time). */
  readonly scheduler: SchedulerLike;
  /** Emits when the stream stops: no further retry starts, and a wait in progress ends with the last error. */
  readonly stop$: Observable<unknown>;
  /**
   * Told each retry before its wait (the attempt number that failed, the error, the backoff in ms; 0 for a
   * wait for the attempt's turn).
   */
  readonly onRetry?: (failedAttempt: number, error: unknown, delayMs: number) => void;
}

/** Out-of-turn refusals in a row, with nothing under way before the batch, that a batch is retried after. */
export const MAX_IN_TURN_REFUSALS = 3;

/**
 * A refusal that only means "not yet": the node applies a partition's batches in their order, and this one
 * overtook an earlier one still under way. `wait` emits once the earlier ones are acknowledged; undefined
 * when nothing is under way before it. Then the refusal is retried as any other error (its answer may simply
 * have crossed the earlier batch's acknowledgement), but only {@link MAX_IN_TURN_REFUSALS} times in a row:
 * after that the partition has lost track of the earlier batches and waiting would never end.
 */
export interface TurnWait {
  readonly outOfTurn: (error: unknown) => boolean;
  readonly wait: () => Observable<unknown> | undefined;
}

/**
 * The one retry loop of the streamer: resubscribes to the source (an attempt, from `defer`) after a retryable
 * error, once an exponential backoff with jitter has passed (`backoffDelay`), up to `retryLimit` retries. It
 * errors with the last error when that error is not retryable, the limit is reached, or `stop$` emits (then
 * at once, even in the middle of a wait).
 *
 * With `turn`, a refusal for being out of turn while an earlier batch is under way waits for that batch instead
 * of a backoff, and does not count against `retryLimit`: the batch did not fail, it came early (see
 * {@link TurnWait} for one with nothing before it).
 */
export function retryWithBackoff<T>(policy: RetryPolicy, turn?: TurnWait): MonoTypeOperatorFunction<T> {
  const limit = policy.retryLimit < 0 ? Number.POSITIVE_INFINITY : policy.retryLimit;
  return (source) =>
    defer(() => {
      let attempts = 0;
      let counted = 0;
      let inTurnRefusals = 0;
      return source.pipe(
        retry({
          delay: (error: unknown) => {
            attempts++;
            if (!isRetryableError(error)) return throwError(() => error);
            const stopped = policy.stop$.pipe(
              take(1),
              mergeMap(() => throwError(() => error)),
            );
            if (turn?.outOfTurn(error) === true) {
              const earlier = turn.wait();
              if (earlier !== undefined) {
                policy.onRetry?.(attempts, error, 0);
                return race(earlier.pipe(take(1)), stopped);
              }
              if (++inTurnRefusals > MAX_IN_TURN_REFUSALS) return throwError(() => error);
            } else {
              inTurnRefusals = 0;
            }
            if (++counted > limit) return throwError(() => error);
            const delayMs = backoffDelay(counted, policy.backoff, policy.rng);
            policy.onRetry?.(attempts, error, delayMs);
            return race(timer(delayMs, policy.scheduler), stopped);
          },
        }),
      );
    });
}
