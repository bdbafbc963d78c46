/**
 * The fault points of one simulated run (see protocol's `Buggify`): which points the run enables, drawn from
 * the run's seed swarm-style (each point on with `enabledShare`, so runs differ in which rare paths they
 * stress), and whether an enabled point fires each time it is reached (with `probability`, from the point's
 * own random stream, so a draw at one point never shifts another's). Every time a point is reached and every
 * time it fires is counted by name, for the suite's tallies.
 *
 * It is handed to every node and client of a cluster on virtual time; a cluster on the real clock gets none
 * (protocol's `neverBuggify`), as does any code outside simulation.
 */
import { type Buggify, type BuggifyPoint, buggifyPointNames, type Rng } from '@datastreamer/protocol';
import { SimClusterError } from '../errors/sim-cluster-error.js';

/** How a run draws its fault points. */
export interface BuggifyOptions {
  /** Share of the points a run enables, 0..1. Default 0.5. */
  readonly enabledShare?: number;
  /** Chance that an enabled point fires each time it is reached, 0..1. Default 0.05. */
  readonly probability?: number;
  /** Points to enable whatever the draw (in addition to the drawn ones). */
  readonly enable?: readonly BuggifyPoint[];
}

/** Counts of one point in one run. */
export interface BuggifyTally {
  readonly enabled: boolean;
  /** Times the code asked. */
  readonly reached: number;
  /** Times the point fired. */
  readonly fired: number;
}

const DEFAULT_ENABLED_SHARE = 0.5;
const DEFAULT_PROBABILITY = 0.05;

export class BuggifyRun {
  /** The function nodes and clients call. */
  readonly buggify: Buggify;
  readonly #enabled: ReadonlySet<BuggifyPoint>;
  readonly #streams = new Map<BuggifyPoint, Rng>();
  readonly #reached = new Map<BuggifyPoint, number>();
  readonly #fired = new Map<BuggifyPoint, number>();
  readonly #probability: number;
  readonly #rng: Rng;

  /** @throws SimClusterError `INVALID_ARGUMENT` for a share or probability outside 0..1, or an unknown point. */
  constructor(rng: Rng, options: BuggifyOptions = {}) {
    const share = fraction('buggify.enabledShare', options.enabledShare, DEFAULT_ENABLED_SHARE);
    this.#probability = fraction('buggify.probability', options.probability, DEFAULT_PROBABILITY);
    const known = buggifyPointNames();
    for (const point of options.enable ?? []) {
      if (!known.includes(point)) {
        throw new SimClusterError(
          'INVALID_ARGUMENT',
          `buggify.enable: no fault point "${String(point)}" (points: ${known.join(', ')})`,
        );
      }
    }
    this.#rng = rng;
    const draw = rng.child('enabled');
    // One draw per point, in the table's order: the same seed enables the same points.
    this.#enabled = new Set(known.filter((point) => draw.chance(share) || options.enable?.includes(point)));
    this.buggify = (point) => this.#reach(point);
  }

  /** The points this run enabled, in the table's order. */
  get enabled(): readonly BuggifyPoint[] {
    return buggifyPointNames().filter((point) => this.#enabled.has(point));
  }

  /** Every point with its counts, in the table's order. */
  tallies(): ReadonlyMap<BuggifyPoint, BuggifyTally> {
    const out = new Map<BuggifyPoint, BuggifyTally>();
    for (const point of buggifyPointNames()) {
      out.set(point, {
        enabled: this.#enabled.has(point),
        reached: this.#reached.get(point) ?? 0,
        fired: this.#fired.get(point) ?? 0,
      });
    }
    return out;
  }

  /** Times `point` fired so far. */
  fired(point: BuggifyPoint): number {
    return this.#fired.get(point) ?? 0;
  }

  #reach(point: BuggifyPoint): boolean {
    this.#reached.set(point, (this.#reached.get(point) ?? 0) + 1);
    if (!this.#enabled.has(point)) return false;
    let stream = this.#streams.get(point);
    if (stream === undefined) {
      stream = this.#rng.child(`point:${point}`);
      this.#streams.set(point, stream);
    }
    if (!stream.chance(this.#probability)) return false;
    this.#fired.set(point, (this.#fired.get(point) ?? 0) + 1);
    return true;
  }
}

function fraction(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new SimClusterError('INVALID_ARGUMENT', `${option} must be a number in 0..1, got ${String(value)}`);
  }
  return value;
}
