/**
 * Hybrid logical clock (HLC): timestamps that follow the injected physical `Clock` but never repeat and never
 * go back, and that move past every timestamp seen in a message, so causally later events get later
 * timestamps across nodes. Transactions take their start and commit timestamps from it.
 *
 * Layout, as in Ignite 3's `HybridTimestamp`: one 64-bit integer (a `bigint`, a `long` on the wire),
 *
 *     bits 63..16: physical time in milliseconds (48 bits; whole milliseconds of `Clock.now()`)
 *     bits 15..0:  logical counter (16 bits), which orders timestamps taken within one millisecond
 *
 * so comparing timestamps is comparing integers. When more than 65,536 timestamps are taken in one
 * millisecond, the counter carries into the physical part: the clock then runs slightly ahead of physical
 * time, and stays strictly monotonic. The sign bit is never used, so every timestamp fits a signed `long`.
 *
 * Bounded skew, as CockroachDB and Ignite bound it: a timestamp seen in a message whose physical part is more
 * than `maxOffsetMs` ahead of the physical clock is refused (`CLOCK_OFFSET_EXCEEDED`) before it touches the
 * clock, so one bad peer cannot drag a node's clock into the future (nor past the wire's int64 range, after
 * which no answer could be encoded). The clock itself never hands out a timestamp past the range either. A
 * timestamp a replicated log committed is taken in without the bound (`advancePast`): every replica applies it.
 * `aheadOfPhysicalMs` tells a restarting node whether its kept high-water mark is believable.
 *
 * It does not read the platform clock or persist its state (the node keeps the object across crashes).
 */
import type { Clock } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';

/** A hybrid timestamp: `physicalMs << 16 | logical` (see the module header). */
export type HybridTimestamp = bigint;

/** Width of the logical counter, in bits. */
export const LOGICAL_BITS = 16;
/** Width of the physical part, in bits. */
export const PHYSICAL_BITS = 48;
/** Below every timestamp a `HybridClock` hands out (its first `now()` is at least `MIN_TIMESTAMP + 1`). */
export const MIN_TIMESTAMP: HybridTimestamp = 0n;
/** The largest timestamp that fits a signed 64-bit `long`. */
export const MAX_TIMESTAMP: HybridTimestamp = (1n << 63n) - 1n;

/** The default {@link HybridClockOptions.maxOffsetMs}: how far ahead of physical time a seen timestamp may be. */
export const DEFAULT_MAX_CLOCK_OFFSET_MS = 500;

const SHIFT = BigInt(LOGICAL_BITS);
const LOGICAL_MASK = (1n << SHIFT) - 1n;
const MAX_PHYSICAL = 2 ** (PHYSICAL_BITS - 1) - 1;
const MAX_LOGICAL = 2 ** LOGICAL_BITS - 1;

/**
 * Packs a physical time and a logical counter into a timestamp.
 *
 * @param physicalMs whole milliseconds, 0 to 2^47 - 1.
 * @param logical counter within the millisecond, 0 to 65,535. Default 0.
 * @throws ServerError `INVALID_ARGUMENT` when either part is not an integer in its range.
 */
export function hybridTimestamp(physicalMs: number, logical = 0): HybridTimestamp {
  if (!Number.isSafeInteger(physicalMs) || physicalMs < 0 || physicalMs > MAX_PHYSICAL) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `physical time must be an integer from 0 to ${MAX_PHYSICAL}, got ${physicalMs}`,
    );
  }
  if (!Number.isInteger(logical) || logical < 0 || logical > MAX_LOGICAL) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `logical counter must be an integer from 0 to ${MAX_LOGICAL}, got ${logical}`,
    );
  }
  return (BigInt(physicalMs) << SHIFT) | BigInt(logical);
}

/** The physical part of `ts`, in milliseconds. */
export function physicalMillis(ts: HybridTimestamp): number {
  return Number(ts >> SHIFT);
}

/** The logical counter of `ts`. */
export function logicalCounter(ts: HybridTimestamp): number {
  return Number(ts & LOGICAL_MASK);
}

/**
 * A hybrid logical clock over an injected physical `Clock` (real or simulated).
 *
 * @example
 * const hlc = new HybridClock(clock);
 * const start = hlc.now();
 * hlc.update(timestampFromMessage); // the next now() is after it
 */
export interface HybridClockOptions {
  /**
   * The most, in ms, a timestamp seen in a message may be ahead of the physical clock (a positive integer).
   * Default {@link DEFAULT_MAX_CLOCK_OFFSET_MS}.
   */
  readonly maxOffsetMs?: number;
}

export class HybridClock {
  readonly #clock: Clock;
  readonly #maxOffsetMs: number;
  /** `maxOffsetMs` in the timestamp's units, plus a full logical counter. */
  readonly #maxOffset: bigint;
  #latest: HybridTimestamp = MIN_TIMESTAMP;

  /** @throws ServerError `INVALID_ARGUMENT` when `maxOffsetMs` is not a positive integer below 2^47. */
  constructor(clock: Clock, options: HybridClockOptions = {}) {
    const maxOffsetMs = options.maxOffsetMs ?? DEFAULT_MAX_CLOCK_OFFSET_MS;
    if (!Number.isSafeInteger(maxOffsetMs) || maxOffsetMs < 1 || maxOffsetMs > MAX_PHYSICAL) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `maxClockOffsetMs: expected an integer in 1..${MAX_PHYSICAL}, got ${String(maxOffsetMs)}`,
      );
    }
    this.#clock = clock;
    this.#maxOffsetMs = maxOffsetMs;
    this.#maxOffset = (BigInt(maxOffsetMs) << SHIFT) | LOGICAL_MASK;
  }

  /** How far ahead of physical time a seen timestamp may be, in ms. */
  get maxOffsetMs(): number {
    return this.#maxOffsetMs;
  }

  /**
   * A new timestamp: strictly greater than every timestamp this clock returned or saw before, and at least
   * the physical time. If the physical clock stands still or goes back, the logical counter moves instead.
   *
   * @throws ServerError `INTERNAL` when the physical clock returns a value that is not a finite number.
   */
  now(): HybridTimestamp {
    const physical = this.#physical();
    const next = physical > this.#latest ? physical : this.#latest + 1n;
    this.#latest = checkRange(next);
    return next;
  }

  /**
   * Takes in a timestamp seen in a message and returns a new timestamp after it (and after `now()`), so
   * every later `now()` is after `seen` too. A `seen` in the past only ticks the clock.
   *
   * @throws ServerError `INVALID_ARGUMENT` when `seen` is negative or does not fit a signed 64-bit integer;
   *   `CLOCK_OFFSET_EXCEEDED` when it is more than `maxOffsetMs` ahead of the physical clock. Either way the
   *   clock is left as it was.
   */
  update(seen: HybridTimestamp): HybridTimestamp {
    if (seen < MIN_TIMESTAMP || seen >= MAX_TIMESTAMP) {
      throw new ServerError('INVALID_ARGUMENT', `a hybrid timestamp must be from 0 to 2^63 - 2, got ${seen}`);
    }
    const physical = this.#physical();
    if (seen > physical + this.#maxOffset) {
      const ahead = physicalMillis(seen) - physicalMillis(physical);
      throw new ServerError(
        'CLOCK_OFFSET_EXCEEDED',
        `a timestamp ${ahead} ms ahead of this node's physical clock is refused: more than maxClockOffsetMs ` +
          `(${this.#maxOffsetMs} ms)`,
      );
    }
    let next = this.#latest + 1n;
    if (seen >= next) next = seen + 1n;
    if (physical > next) next = physical;
    this.#latest = checkRange(next);
    return next;
  }

  /**
   * Moves the clock past `committed`, a timestamp a replicated partition's log committed, like `update` but
   * without the `maxOffsetMs` bound: a majority holds the entry and every replica must apply it alike,
   * whatever its own clock says (refusing would stop this replica's state machine, or make replicas differ).
   * The bound was applied where the timestamp was made: the proposing leader's clock only ever moved past
   * timestamps within it. A `committed` at or behind the clock changes nothing.
   * @throws ServerError `INVALID_ARGUMENT` when `committed` is negative or does not fit a signed 64-bit integer.
   */
  advancePast(committed: HybridTimestamp): void {
    if (committed < MIN_TIMESTAMP || committed >= MAX_TIMESTAMP) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `a hybrid timestamp must be from 0 to 2^63 - 2, got ${committed}`,
      );
    }
    if (committed >= this.#latest) this.#latest = checkRange(committed + 1n);
  }

  /**
   * How far the latest timestamp is ahead of the physical clock now, in ms (negative: behind). A node that
   * restarts with this above `maxOffsetMs` holds a high-water mark it cannot have reached honestly.
   */
  aheadOfPhysicalMs(): number {
    return physicalMillis(this.#latest) - physicalMillis(this.#physical());
  }

  /**
   * Checks the kept high-water mark before a node serves with it.
   * @param refusal what the error starts with, e.g. `node-1 refuses to start`.
   * @throws ServerError `CLOCK_OFFSET_EXCEEDED` when the mark is more than `maxOffsetMs` ahead of the
   *   physical clock (the clock went back, or the mark is corrupt), saying by how much.
   */
  checkHighWater(refusal: string): void {
    const ahead = this.aheadOfPhysicalMs();
    if (ahead <= this.#maxOffsetMs) return;
    throw new ServerError(
      'CLOCK_OFFSET_EXCEEDED',
      `${refusal}: its stored clock high-water mark (${physicalMillis(this.#latest)} ms since the epoch) is ` +
        `${ahead} ms ahead of its physical clock, more than maxClockOffsetMs (${this.#maxOffsetMs} ms). ` +
        'The physical clock went back or the mark is corrupt; serving would hand out timestamps that order ' +
        'before ones already given.',
    );
  }

  /** The latest timestamp returned or seen, without moving the clock ({@link MIN_TIMESTAMP} at first). */
  current(): HybridTimestamp {
    return this.#latest;
  }

  #physical(): HybridTimestamp {
    const ms = this.#clock.now();
    if (!Number.isFinite(ms)) {
      throw new ServerError(
        'INTERNAL',
        `the physical clock returned ${ms}, not a finite number of milliseconds`,
      );
    }
    if (ms > MAX_PHYSICAL) {
      throw new ServerError(
        'INTERNAL',
        `the physical clock returned ${ms} ms, past the ${MAX_PHYSICAL} ms a hybrid timestamp can hold`,
      );
    }
    // A clock before its epoch (negative) counts as the epoch: the logical counter keeps the order.
    return ms > 0 ? BigInt(Math.floor(ms)) << SHIFT : MIN_TIMESTAMP;
  }
}

/** `ts` when it is a timestamp the wire can carry and the clock may still move past, else the error. */
function checkRange(ts: HybridTimestamp): HybridTimestamp {
  if (ts >= MAX_TIMESTAMP) {
    throw new ServerError('INTERNAL', 'the hybrid clock reached the largest timestamp a signed long holds');
  }
  return ts;
}
