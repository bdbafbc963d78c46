/**
 * fast-check arbitraries of workloads in the scenario format (`runScenario`, `streamItems`): streams of PUT
 * and REMOVE items on a few shared integer keys, so that several streams and retries collide on the same
 * keys. Each item's per-key sequence number is implied by its position (see `scenario-workload.ts`). They
 * generate data; they stream nothing.
 */
import fc from 'fast-check';
import { SimClusterError } from '../errors/sim-cluster-error.js';
import type {
  ScenarioItem,
  ScenarioStream,
  ScenarioStreamOptions,
  ScenarioWorkload,
} from '../replay/scenario.js';
import { streamerOptionsArb } from './streamer-arbitraries.js';

/** Options of {@link scenarioStreamArb} and {@link workloadArb}. */
export interface WorkloadArbOptions {
  /** Distinct keys, `0 .. keys - 1`, shared by every stream. Default 8. */
  readonly keys?: number;
  /** Most items per stream (at least 1). Default 60. */
  readonly maxItems?: number;
  /** Most streams, each by its own client (at least 1). Default 3 (`workloadArb` only). */
  readonly maxStreams?: number;
  /** Options per stream. Default: {@link streamerOptionsArb}'s defaults. */
  readonly streamOptions?: fc.Arbitrary<ScenarioStreamOptions>;
  /** Latest start of a stream, in virtual ms after the others. Default 30. */
  readonly maxStartAtMs?: number;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new SimClusterError('INVALID_ARGUMENT', `${name} must be an integer >= 1, got ${String(value)}`);
  }
  return value;
}

/**
 * One stream: 1..`maxItems` items, four PUTs to one REMOVE on average, its options and a start time.
 * @throws SimClusterError (`INVALID_ARGUMENT`) when `keys` or `maxItems` is not an integer >= 1.
 */
export function scenarioStreamArb(options: WorkloadArbOptions = {}): fc.Arbitrary<ScenarioStream> {
  const keys = positive('keys', options.keys ?? 8);
  const maxItems = positive('maxItems', options.maxItems ?? 60);
  const item: fc.Arbitrary<ScenarioItem> = fc.record({
    op: fc.oneof({ weight: 4, arbitrary: fc.constant('PUT' as const) }, fc.constant('REMOVE' as const)),
    key: fc.integer({ min: 0, max: keys - 1 }),
  });
  return fc.record({
    startAtMs: fc.integer({ min: 0, max: options.maxStartAtMs ?? 30 }),
    options: options.streamOptions ?? streamerOptionsArb(),
    items: fc.array(item, { minLength: 1, maxLength: maxItems }),
  });
}

/**
 * A workload of 1..`maxStreams` streams over the same keys, for `runScenario` (table and partitions: the
 * scenario's defaults unless the caller adds them).
 * @throws SimClusterError (`INVALID_ARGUMENT`) for a bound that is not an integer >= 1.
 */
export function workloadArb(options: WorkloadArbOptions = {}): fc.Arbitrary<ScenarioWorkload> {
  const maxStreams = positive('maxStreams', options.maxStreams ?? 3);
  return fc
    .array(scenarioStreamArb(options), { minLength: 1, maxLength: maxStreams })
    .map((streams) => ({ streams }));
}
