/**
 * fast-check arbitraries of data streamer options: page sizes small enough that a few dozen items make
 * several batches, parallelism, auto-flush intervals around the simulated network's delays, retry limits
 * and backoffs short enough for virtual time. The values are what `streamData` accepts; they configure
 * nothing themselves.
 */
import type { RetryBackoffOptions } from '@datastreamer/client';
import fc from 'fast-check';
import { SimClusterError } from '../errors/sim-cluster-error.js';

/** What {@link streamerOptionsArb} generates: plain data that `streamData` and a scenario stream both take. */
export interface GeneratedStreamerOptions {
  readonly pageSize: number;
  readonly perPartitionParallelOperations: number;
  readonly autoFlushInterval: number;
  readonly retryLimit: number;
  readonly retryBackoff: Required<RetryBackoffOptions>;
}

/** Options of {@link streamerOptionsArb}. */
export interface StreamerOptionsArbOptions {
  /** Largest `pageSize` (from 1). Default 12. */
  readonly maxPageSize?: number;
  /** Largest `perPartitionParallelOperations` (from 1). Default 3. */
  readonly maxParallel?: number;
  /**
   * Whether `retryLimit` may be small enough for a stream to give up under faults (then `-1`, unlimited,
   * or 0..6). With `false` it is always `-1`, so a stream can only end by resolving. Default true.
   */
  readonly mayGiveUp?: boolean;
}

function checkBound(name: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
    throw new SimClusterError('INVALID_ARGUMENT', `${name} must be an integer >= 1, got ${String(value)}`);
  }
}

/**
 * Streamer options with every field set: `pageSize`, `perPartitionParallelOperations`, `autoFlushInterval`
 * (0 = off, 5, 20 or 100 ms), `retryLimit` and `retryBackoff` (initial 5, 20 or 50 ms, doubling, capped at
 * 100 or 400 ms, jitter 0..1).
 *
 * @throws SimClusterError (`INVALID_ARGUMENT`) when a bound is not an integer >= 1.
 */
export function streamerOptionsArb(
  options: StreamerOptionsArbOptions = {},
): fc.Arbitrary<GeneratedStreamerOptions> {
  checkBound('maxPageSize', options.maxPageSize);
  checkBound('maxParallel', options.maxParallel);
  const retryLimit =
    options.mayGiveUp === false ? fc.constant(-1) : fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 6 }));
  return fc.record({
    pageSize: fc.integer({ min: 1, max: options.maxPageSize ?? 12 }),
    perPartitionParallelOperations: fc.integer({ min: 1, max: options.maxParallel ?? 3 }),
    autoFlushInterval: fc.constantFrom(0, 5, 20, 100),
    retryLimit,
    retryBackoff: fc.record({
      initialMs: fc.constantFrom(5, 20, 50),
      multiplier: fc.constant(2),
      maxMs: fc.constantFrom(100, 400),
      jitter: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  });
}
