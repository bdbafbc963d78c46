/**
 * Exponential backoff with jitter, the one schedule the client waits by: between attempts of a streamer batch
 * (`retryBackoff`) and between reconnects of a lost endpoint (`reconnect`). Each use has its own defaults.
 */
import type { Rng } from '@datastreamer/protocol';

/** An exponential backoff: `initialMs`, then times `multiplier` per wait, capped at `maxMs`, `jitter` of it random. */
export interface BackoffOptions {
  /** The first wait, in ms (>= 0). */
  readonly initialMs?: number;
  /** Factor applied to the wait after each one (>= 1). */
  readonly multiplier?: number;
  /** Cap on the wait, in ms (>= 0). */
  readonly maxMs?: number;
  /**
   * Share of the wait that is random, in [0, 1]: the wait is drawn uniformly from `[wait * (1 - jitter),
   * wait]`, so clients that failed together do not try again together.
   */
  readonly jitter?: number;
}

/**
 * Wait number `n` (1 for the first; below 1 counts as 1): `min(maxMs, initialMs * multiplier^(n - 1))`, of
 * which the `jitter` share is random: the result is uniform in `[base * (1 - jitter), base]`. With 50 ms, x2,
 * 2000 ms and 0.5 the waits are about 25-50, 50-100, 100-200, ... ms up to 1000-2000 ms. Each call takes one
 * value from `rng`.
 */
export function backoffDelay(n: number, backoff: Required<BackoffOptions>, rng: Rng): number {
  const base = Math.min(backoff.maxMs, backoff.initialMs * backoff.multiplier ** Math.max(0, n - 1));
  return base * (1 - backoff.jitter * rng.next());
}
