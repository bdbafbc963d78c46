/**
 * Which batch failures are retried and how long to wait before the next attempt. Pure functions: the
 * sender applies them. It does not sleep or count (batch-sender.ts does).
 */
import { type ErrorCode, ErrorCodes, isRetryableCode, type Rng } from '@datastreamer/protocol';
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

/**
 * The wait before retry number `retry` (1 for the first retry):
 * `min(maxMs, initialMs * multiplier^(retry - 1))`, of which the `jitter` share is random: the result is
 * uniform in `[base * (1 - jitter), base]`. With the defaults (50 ms, x2, 2000 ms, 0.5) the waits are about
 * 25-50, 50-100, 100-200, ... ms up to 1000-2000 ms; each draw takes one value from `rng`.
 */
export function backoffDelay(retry: number, backoff: Required<RetryBackoffOptions>, rng: Rng): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** (retry - 1));
  return base * (1 - backoff.jitter * rng.next());
}
