/**
 * The data streamer's options: their documented defaults, and their validation at the boundary (zod), so a
 * bad option fails with an {@link InvalidOptionError} naming it before anything is pulled or sent. Unknown
 * option names are rejected too (a misspelt `pagesize` must not silently mean the default). It does not
 * interpret the options; the core does.
 */
import {
  type Clock,
  createRng,
  DEFAULT_MAX_FRAME_SIZE,
  entropySeed,
  type Logger,
  type Rng,
  realClock,
  silentLogger,
} from '@datastreamer/protocol';
import { MAX_PRODUCER_ID_LENGTH } from '@datastreamer/protocol/internal';
import { z } from 'zod';
import { InvalidOptionError } from '../errors/invalid-option-error.js';
import type { BackoffOptions } from '../runtime/backoff.js';
import { nextProducerId } from './producer-id.js';
import type { StreamerBatchInfo } from './streamer-summary.js';

/** The backoff between attempts of one batch. Defaults: 50 ms, x2, up to 2000 ms, jitter 0.5. */
export type RetryBackoffOptions = BackoffOptions;

/** How a receiver batch's effects are applied (receiver streams only). */
export type ReceiverTransactionMode = 'none' | 'batch';

/** Options of `streamData`; every one is optional. */
export interface DataStreamerOptions {
  /** Items per batch, an integer > 0. Default 1000. */
  readonly pageSize?: number;
  /**
   * Most bytes a batch may carry (its items' encoded size), an integer in 1..`MAX_PAGE_BYTES` (the frame
   * limit less room for the envelope). A batch is sent before it would grow past it, so large rows make
   * smaller batches; one item larger than this fails the stream with `ROW_TOO_LARGE` naming its position.
   * Default 4 MiB.
   */
  readonly pageBytes?: number;
  /**
   * Names the producer across runs and clients, 1..256 characters. Each run registers and gets the
   * producer's next epoch; a node refuses any attempt of an older epoch, so resuming a failed stream with the
   * same id can never be overwritten by the failed run's late attempts. Default: a fresh id per run.
   */
  readonly producerId?: string;
  /**
   * Receiver streams only. `'none'`: the receiver runs at least once per batch (a retried batch may run it
   * again) and its writes are its own. `'batch'`: the node runs the receiver inside one transaction that its
   * table operations join, committed with the batch's fence update, so its effects happen exactly once and a
   * retried batch that committed is answered with its first run's results. Default `'none'`.
   */
  readonly receiverTransaction?: ReceiverTransactionMode;
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
   * Cancels the stream: requests in flight are abandoned, the partitions where a batch's outcome is unknown
   * are sealed (so it can no longer apply, and its outcome becomes known), and the stream rejects with code
   * `CANCELLED` and exact `failedItems` (those it could not seal are also in `inDoubtItems`). Default: none.
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
  readonly pageBytes: number;
  readonly producerId: string;
  readonly receiverTransaction: ReceiverTransactionMode;
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

/** The largest `pageBytes`: the default frame limit, less room for a batch's envelope and framing. */
export const MAX_PAGE_BYTES = DEFAULT_MAX_FRAME_SIZE - 64 * 1024;

/** The documented defaults. */
export const StreamerDefaults = {
  pageSize: 1000,
  pageBytes: 4 * 1024 * 1024,
  receiverTransaction: 'none',
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
  pageBytes: integerAbove0()
    .max(MAX_PAGE_BYTES, {
      error: `must be an integer in 1..${MAX_PAGE_BYTES} (the frame limit less its envelope)`,
    })
    .optional(),
  producerId: z
    .string({ error: `must be a string of 1..${MAX_PRODUCER_ID_LENGTH} characters` })
    .min(1, { error: `must be a string of 1..${MAX_PRODUCER_ID_LENGTH} characters` })
    .max(MAX_PRODUCER_ID_LENGTH, { error: `must be a string of 1..${MAX_PRODUCER_ID_LENGTH} characters` })
    .optional(),
  receiverTransaction: z.enum(['none', 'batch'], { error: "must be 'none' or 'batch'" }).optional(),
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
 * seeded from entropy; logger: silent; producerId: a fresh id drawn from the rng's id stream).
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
  const rng = data.rng ?? createRng(entropySeed());
  return {
    pageSize: data.pageSize ?? StreamerDefaults.pageSize,
    pageBytes: data.pageBytes ?? StreamerDefaults.pageBytes,
    producerId: data.producerId ?? nextProducerId(rng),
    receiverTransaction: data.receiverTransaction ?? StreamerDefaults.receiverTransaction,
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
    rng,
    logger: data.logger ?? silentLogger,
  };
}
