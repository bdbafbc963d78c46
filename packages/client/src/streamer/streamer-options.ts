/**
 * The data streamer's options: their documented defaults, and their validation at the boundary (zod), so a
 * bad option fails with an {@link InvalidOptionError} naming it before anything is pulled or sent. Unknown
 * option names are rejected too (a misspelt `pagesize` must not silently mean the default). It does not
 * interpret the options; the core does.
 */
import {
  type Clock,
  createRng,
  entropySeed,
  type Logger,
  type Rng,
  realClock,
  silentLogger,
} from '@datastreamer/protocol';
import { z } from 'zod';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { StreamerBatchInfo } from './streamer-summary.js';

/** Exponential backoff between attempts of one batch. */
export interface RetryBackoffOptions {
  /** Delay before the first retry, in ms (>= 0). Default 50. */
  readonly initialMs?: number;
  /** Factor applied to the delay after each retry (>= 1). Default 2. */
  readonly multiplier?: number;
  /** Cap on the delay, in ms (>= 0). Default 2000. */
  readonly maxMs?: number;
  /**
   * Share of the delay that is random, in [0, 1]: the delay is drawn uniformly from
   * `[delay * (1 - jitter), delay]`, so clients that failed together do not retry together. Default 0.5.
   */
  readonly jitter?: number;
}

/** Options of `streamData`; every one is optional. */
export interface DataStreamerOptions {
  /** Items per batch, an integer > 0. Default 1000. */
  readonly pageSize?: number;
  /**
   * Pages the source may run ahead per partition, an integer > 0. Batches of one partition are still sent
   * one after another (that keeps per-key order); this only raises the buffer bound. Default 1.
   */
  readonly perPartitionParallelOperations?: number;
  /**
   * A non-empty partition buffer is sent once its OLDEST item is this many ms old (unless the partition's
   * previous batch is still in flight; it is sent as soon as that one finishes). <= 0 turns it off.
   * Default 5000.
   */
  readonly autoFlushInterval?: number;
  /** Retries per batch after a retryable error: 0 none, < 0 unlimited. An integer. Default 16. */
  readonly retryLimit?: number;
  /** Backoff between retries; each field has its own default (see {@link RetryBackoffOptions}). */
  readonly retryBackoff?: RetryBackoffOptions;
  /**
   * Observable sources only (they cannot be paused): how many emitted items may wait for room in the
   * streamer. One more fails the stream with a `BUFFER_OVERFLOW` error naming this option. An integer > 0.
   * Default 100000.
   */
  readonly maxBufferedItems?: number;
  /**
   * Cancels the stream: it rejects at once with code `CANCELLED`, without waiting for batches in flight;
   * their items are among the failed items although the cluster may still apply them. Default: none.
   */
  readonly signal?: AbortSignal;
  /**
   * Called once per acknowledged batch; a returned promise is awaited before that partition's next batch
   * is sent and before its items free room (progress may slow the stream). Calls for different partitions
   * may overlap. A throw fails the stream. Default: none.
   */
  readonly onBatch?: (info: StreamerBatchInfo) => void | Promise<void>;
  /** Time for auto-flush, backoff and durations. Default: the platform clock. */
  readonly clock?: Clock;
  /** Randomness for backoff jitter. Default: a generator seeded from the platform's entropy. */
  readonly rng?: Rng;
  /** Where retries and failures are logged. Default: silent. */
  readonly logger?: Logger;
}

/** The options with every default applied. */
export interface ResolvedStreamerOptions {
  readonly pageSize: number;
  readonly perPartitionParallelOperations: number;
  readonly autoFlushInterval: number;
  readonly retryLimit: number;
  readonly retryBackoff: Required<RetryBackoffOptions>;
  readonly maxBufferedItems: number;
  readonly signal: AbortSignal | undefined;
  readonly onBatch: ((info: StreamerBatchInfo) => void | Promise<void>) | undefined;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
}

/** The documented defaults. */
export const StreamerDefaults = {
  pageSize: 1000,
  perPartitionParallelOperations: 1,
  autoFlushInterval: 5000,
  retryLimit: 16,
  retryBackoff: { initialMs: 50, multiplier: 2, maxMs: 2000, jitter: 0.5 },
  maxBufferedItems: 100_000,
} as const;

function number(rule: string) {
  return z.number({ error: `must be ${rule}` });
}

function integerAbove0() {
  const error = 'must be an integer > 0';
  return z.number({ error }).int({ error }).positive({ error });
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return names.every((name) => typeof record[name] === 'function');
}

function implementing<T>(what: string, methods: readonly string[]) {
  return z.custom<T>((value) => hasMethods(value, methods), { error: `must be ${what}` });
}

const backoffSchema = z
  .strictObject(
    {
      initialMs: number('a finite number >= 0').nonnegative({ error: 'must be a finite number >= 0' }),
      multiplier: number('a finite number >= 1').gte(1, { error: 'must be a finite number >= 1' }),
      maxMs: number('a finite number >= 0').nonnegative({ error: 'must be a finite number >= 0' }),
      jitter: number('a number in [0, 1]')
        .min(0, { error: 'must be a number in [0, 1]' })
        .max(1, { error: 'must be a number in [0, 1]' }),
    },
    { error: 'must be an object { initialMs?, multiplier?, maxMs?, jitter? }' },
  )
  .partial();

const optionsSchema = z.strictObject({
  pageSize: integerAbove0().optional(),
  perPartitionParallelOperations: integerAbove0().optional(),
  autoFlushInterval: number('a finite number of ms (<= 0 turns auto-flush off)').optional(),
  retryLimit: z
    .number({ error: 'must be an integer (0: no retries, < 0: unlimited)' })
    .int({ error: 'must be an integer (0: no retries, < 0: unlimited)' })
    .optional(),
  retryBackoff: backoffSchema.optional(),
  maxBufferedItems: integerAbove0().optional(),
  signal: z.instanceof(AbortSignal, { error: 'must be an AbortSignal' }).optional(),
  onBatch: z
    .custom<(info: StreamerBatchInfo) => void | Promise<void>>((value) => typeof value === 'function', {
      error: 'must be a function',
    })
    .optional(),
  clock: implementing<Clock>('a Clock (now, setTimer, sleep)', ['now', 'setTimer', 'sleep']).optional(),
  rng: implementing<Rng>('an Rng (next, nextUint32, int, chance, child)', ['next', 'child']).optional(),
  logger: implementing<Logger>('a Logger (trace ... fatal, child)', ['debug', 'warn', 'child']).optional(),
});

function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  if (typeof value === 'object' && value !== null) {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
  return String(value);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) {
      return undefined;
    }
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Validates `options` and applies the defaults ({@link StreamerDefaults}; clock: the platform clock; rng:
 * seeded from entropy; logger: silent).
 *
 * @throws InvalidOptionError naming the first bad option (dotted path for `retryBackoff` fields), or an
 *   unknown option name, or `options` itself when it is not an object.
 */
export function resolveStreamerOptions(options: unknown = {}): ResolvedStreamerOptions {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path ?? [];
    const prefix = path.map(String).join('.');
    if (issue?.code === 'unrecognized_keys') {
      const key = issue.keys[0] ?? '';
      const name = prefix === '' ? key : `${prefix}.${key}`;
      throw new InvalidOptionError(name, `unknown data streamer option '${name}'`, { cause: parsed.error });
    }
    const name = prefix === '' ? 'options' : prefix;
    throw new InvalidOptionError(
      name,
      `invalid data streamer option '${name}': ${issue?.message ?? 'invalid'}, got ${describeValue(valueAt(options, path))}`,
      { cause: parsed.error },
    );
  }
  const data = parsed.data;
  const backoff = data.retryBackoff ?? {};
  const defaults = StreamerDefaults.retryBackoff;
  return {
    pageSize: data.pageSize ?? StreamerDefaults.pageSize,
    perPartitionParallelOperations:
      data.perPartitionParallelOperations ?? StreamerDefaults.perPartitionParallelOperations,
    autoFlushInterval: data.autoFlushInterval ?? StreamerDefaults.autoFlushInterval,
    retryLimit: data.retryLimit ?? StreamerDefaults.retryLimit,
    retryBackoff: {
      initialMs: backoff.initialMs ?? defaults.initialMs,
      multiplier: backoff.multiplier ?? defaults.multiplier,
      maxMs: backoff.maxMs ?? defaults.maxMs,
      jitter: backoff.jitter ?? defaults.jitter,
    },
    maxBufferedItems: data.maxBufferedItems ?? StreamerDefaults.maxBufferedItems,
    signal: data.signal,
    onBatch: data.onBatch,
    clock: data.clock ?? realClock,
    rng: data.rng ?? createRng(entropySeed()),
    logger: data.logger ?? silentLogger,
  };
}
