/**
 * The fault settings of the simulated network: what `setFaults` accepts, how it is checked, how a link's
 * settings fall back to the global ones, and how a delay is drawn.
 *
 * Scope: settings apply either to every link (no `between`) or to ONE link, the unordered pair `between`
 * (both directions of it). For each field, a link's setting wins over the global one, which wins over the
 * default (no drop, no duplicate, no reset, the network's base delay, FIFO).
 *
 * It does not apply faults; the connection pairs do, drawing from the network's `Rng`.
 */
import type { Rng } from '@datastreamer/protocol';
import { checkEndpointName } from './endpoint-name.js';
import { SimNetworkError } from './sim-network-error.js';

/** A delay range in milliseconds: `[min, max]`, `0 <= min <= max`. */
export type DelayRange = readonly [min: number, max: number];

/** Fault settings for the whole network or for one link. Every field is optional: absent means "inherit". */
export interface NetworkFaults {
  /**
   * Probability (0..1) that a message unit (one `send`) is lost: never delivered, while the connection
   * stays open. The receiver sees the next unit as if this one never existed; the sender recovers only by
   * its own request timeout. Default 0.
   */
  readonly drop?: number;
  /** Probability (0..1) that a unit is delivered twice (the copy right after it unless `reorder`). Default 0. */
  readonly duplicate?: number;
  /**
   * Probability (0..1) that a unit, on arrival, resets its connection instead of being delivered: it and
   * everything in flight on the connection are lost and both sides get `close(error)`. Default 0.
   */
  readonly reset?: number;
  /**
   * One-way delay of each unit, `[min, max]` ms: `min` plus a random tail skewed towards `min`
   * (`(max - min) * u^2`, `u` uniform in [0, 1)). Default: the network's `baseDelayMs`.
   */
  readonly delayMs?: DelayRange;
  /**
   * Whether units of one direction of a connection may overtake each other. Default false: a unit is never
   * delivered before an earlier unit of the same direction, whatever the delays (a real connection keeps
   * order; reordering is for adversarial runs). Connection set-up and close are never overtaken.
   */
  readonly reorder?: boolean;
}

/** `setFaults` input: fault settings, for one link when `between` names its two endpoints. */
export interface NetworkFaultsInput extends NetworkFaults {
  /** The link these settings are for (either order); absent: every link. */
  readonly between?: readonly [string, string];
}

/** Settings with every field decided: what a connection applies to each unit. */
export interface ResolvedFaults {
  readonly drop: number;
  readonly duplicate: number;
  readonly reset: number;
  readonly delayMin: number;
  readonly delayMax: number;
  readonly reorder: boolean;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'drop',
  'duplicate',
  'reset',
  'delayMs',
  'reorder',
  'between',
]);

function checkProbability(name: string, value: unknown): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new SimNetworkError(
      'INVALID_ARGUMENT',
      `faults.${name} must be a probability in [0, 1], got ${value}`,
    );
  }
  return value;
}

/**
 * Checks a delay range and returns it as a fresh tuple.
 *
 * @throws SimNetworkError `INVALID_ARGUMENT` unless it is `[min, max]` with finite `0 <= min <= max`.
 */
export function checkDelayRange(name: string, value: unknown): DelayRange {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new SimNetworkError(
      'INVALID_ARGUMENT',
      `${name} must be a [min, max] pair, got ${JSON.stringify(value)}`,
    );
  }
  const [min, max]: unknown[] = value;
  if (
    typeof min !== 'number' ||
    typeof max !== 'number' ||
    !Number.isFinite(min) ||
    !Number.isFinite(max) ||
    min < 0 ||
    min > max
  ) {
    throw new SimNetworkError(
      'INVALID_ARGUMENT',
      `${name} must be [min, max] with finite 0 <= min <= max, got ${JSON.stringify(value)}`,
    );
  }
  return [min, max];
}

/**
 * Checks `setFaults` input and returns a normalised copy (absent fields stay absent), so later changes to
 * the caller's object cannot reach the network.
 *
 * @throws SimNetworkError `INVALID_ARGUMENT` naming the field: an unknown key (a typo would otherwise be a
 *   silent no-op), a probability outside [0, 1], a bad delay range, a non-boolean `reorder`, a bad `between`.
 */
export function checkFaults(input: NetworkFaultsInput): {
  readonly faults: NetworkFaults;
  readonly between: readonly [string, string] | undefined;
} {
  if (typeof input !== 'object' || input === null) {
    throw new SimNetworkError('INVALID_ARGUMENT', `faults must be an object, got ${JSON.stringify(input)}`);
  }
  for (const key of Object.keys(input)) {
    if (!KNOWN_KEYS.has(key)) {
      throw new SimNetworkError(
        'INVALID_ARGUMENT',
        `faults.${key} is not a fault setting (known: ${[...KNOWN_KEYS].join(', ')})`,
      );
    }
  }
  let between: readonly [string, string] | undefined;
  if (input.between !== undefined) {
    if (!Array.isArray(input.between) || input.between.length !== 2) {
      throw new SimNetworkError(
        'INVALID_ARGUMENT',
        `faults.between must be a pair of endpoint names, got ${JSON.stringify(input.between)}`,
      );
    }
    between = [
      checkEndpointName(input.between[0], 'faults.between[0]'),
      checkEndpointName(input.between[1], 'faults.between[1]'),
    ];
  }
  if (input.reorder !== undefined && typeof input.reorder !== 'boolean') {
    throw new SimNetworkError('INVALID_ARGUMENT', `faults.reorder must be a boolean, got ${input.reorder}`);
  }
  const drop = checkProbability('drop', input.drop);
  const duplicate = checkProbability('duplicate', input.duplicate);
  const reset = checkProbability('reset', input.reset);
  const delayMs = input.delayMs === undefined ? undefined : checkDelayRange('faults.delayMs', input.delayMs);
  const faults: NetworkFaults = {
    ...(drop === undefined ? {} : { drop }),
    ...(duplicate === undefined ? {} : { duplicate }),
    ...(reset === undefined ? {} : { reset }),
    ...(delayMs === undefined ? {} : { delayMs }),
    ...(input.reorder === undefined ? {} : { reorder: input.reorder }),
  };
  return { faults, between };
}

/** Whether `faults` sets nothing at all (a link entry like that is the same as none). */
export function isEmptyFaults(faults: NetworkFaults): boolean {
  return Object.keys(faults).length === 0;
}

/** A link's effective settings: each field from `link`, else `global`, else the default. */
export function resolveFaults(
  global: NetworkFaults,
  link: NetworkFaults | undefined,
  baseDelayMs: DelayRange,
): ResolvedFaults {
  const delay = link?.delayMs ?? global.delayMs ?? baseDelayMs;
  return {
    drop: link?.drop ?? global.drop ?? 0,
    duplicate: link?.duplicate ?? global.duplicate ?? 0,
    reset: link?.reset ?? global.reset ?? 0,
    delayMin: delay[0],
    delayMax: delay[1],
    reorder: link?.reorder ?? global.reorder ?? false,
  };
}

/**
 * Draws a one-way delay: `min + (max - min) * u^2`. Squaring skews it towards `min` (most units are fast,
 * a few are slow), which is how latency tails look. Always exactly one draw, even when `min === max`, so
 * changing a delay range never shifts the draws that follow.
 */
export function sampleDelay(rng: Rng, faults: ResolvedFaults): number {
  const u = rng.next();
  return faults.delayMin + (faults.delayMax - faults.delayMin) * u * u;
}
