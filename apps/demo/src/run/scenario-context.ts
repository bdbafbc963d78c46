/**
 * What every scenario gets and shares: the run's options, the meter the live view reads, the stop request of
 * a first Ctrl-C, the logger and where to report; and the helpers they all use to start a cluster, meter a
 * source, map items to partitions, and judge the result. It runs no scenario.
 */
import type { Client } from '@datastreamer/client';
import { colocationHash, type Logger, partitionFor } from '@datastreamer/protocol';
import { SimCluster } from '@datastreamer/sim-cluster';
import type { FaultProfileName } from '../faults/fault-profiles.js';
import type { EngineSink } from './engine-events.js';
import { type HistoryChoice, historyModeFor } from './history-mode.js';
import type { RunMeter } from './run-meter.js';
import type { StopRequest } from './stop-control.js';

/** `real`: the platform clock, as a deployment runs. `virtual`: simulated time; the same seed replays the run. */
export const ClockChoices = ['real', 'virtual'] as const;
export type ClockChoice = (typeof ClockChoices)[number];

/** The options a scenario runs with (the CLI's flags, resolved). */
export interface DemoOptions {
  readonly seed: number;
  readonly nodes: number;
  readonly partitions: number;
  /** Events to produce; absent: the scenario's default. */
  readonly events?: number;
  /** Absent: the scenario's default (`chaos` for chaos, `none` for the others). */
  readonly faults?: FaultProfileName;
  /** history-import: the CSV file to load. */
  readonly file?: string;
  /** history-import: write a sample file of this many lines first. */
  readonly generate?: number;
  /** Whether the cluster records its history for the checkers. Absent: `auto` (see `history-mode.ts`). */
  readonly history?: HistoryChoice;
  /** The clusters' clock. */
  readonly clock: ClockChoice;
}

export interface ScenarioContext {
  readonly options: DemoOptions;
  readonly meter: RunMeter;
  readonly stop: StopRequest;
  readonly logger: Logger;
  /** Where the scenario reports its verification (the meter reports its progress). */
  readonly emit: EngineSink;
}

/**
 * The demo's one user. Authentication is on in the demo, as in a real deployment: every client gives these
 * credentials in its handshake (Ignite 3's basic authentication), and the nodes prove a cluster secret drawn
 * from the seed to each other.
 */
export const DEMO_USER = { username: 'demo', password: 'album-release' } as const;

/**
 * Client settings for an in-process cluster: the demo user's credentials, and timeouts for a cluster that
 * answers in milliseconds, so a lost request is given up soon.
 */
export function clientOptions(faulty: boolean) {
  return {
    auth: DEMO_USER,
    requestTimeoutMs: faulty ? 1_000 : 10_000,
    connectTimeoutMs: 1_000,
    reconnect: { initialMs: 50, multiplier: 2, maxMs: 500, jitter: 0.5 },
  };
}

/**
 * Starts the scenario's cluster on the run's clock, with its nodes, partitions, seed and logger, the history
 * mode of a run of `events` events (see `history-mode.ts`), authentication on (`DEMO_USER`), and `replicas`
 * replicas of every partition (at most one per node); the meter times the scenario on the cluster's clock
 * from here on.
 */
export async function startCluster(ctx: ScenarioContext, events: number, replicas = 1): Promise<SimCluster> {
  const { nodes, partitions, seed, clock } = ctx.options;
  const history = historyModeFor(ctx.options.history, events);
  const cluster = await SimCluster.start({
    nodes,
    partitions,
    seed,
    clock,
    logger: ctx.logger,
    history,
    replicas: Math.min(replicas, nodes),
    auth: { users: [DEMO_USER] },
  });
  ctx.meter.useClock(() => cluster.clock.now());
  ctx.meter.watchFaults(cluster.history);
  return cluster;
}

/**
 * A function from an item's colocation value to its partition of `table` (the client's formula: the
 * colocation hash of the single colocation column, then `partitionFor`), and the owners the meter maps
 * partitions to (and where each partition's replicas and primary are, for the web view). Lets the live view count items per node without asking the streamer.
 */
export function partitionMap(cluster: SimCluster, table: string) {
  const schema = cluster.controlPlane.catalog.latest(table);
  if (schema === undefined) throw new Error(`table ${table} does not exist`);
  const [index] = schema.colocationColumns;
  const column = index === undefined ? undefined : schema.columns[index];
  if (column === undefined) throw new Error(`table ${table} has no colocation column`);
  const { partitions, tableId } = schema;
  const wide = column.type === 'INT64';
  const columns = [column];
  // One reused array: this runs once per item.
  const values: [number | bigint] = [0];
  const { placement, leases } = cluster.controlPlane;
  return {
    partitions,
    ownerOf: (p: number) => placement.owner(tableId, p),
    placeOf: (p: number) => {
      const lease = leases.lease(tableId, p);
      const owner = placement.owner(tableId, p);
      return {
        partition: p,
        replicas: placement.replicasOf(tableId, p) ?? (owner === undefined ? [] : [owner]),
        primary: lease?.holder ?? owner,
        term: lease?.term ?? 0,
      };
    },
    partitionOf: (value: number): number => {
      values[0] = wide ? BigInt(value) : value;
      return partitionFor(colocationHash(columns, values), partitions);
    },
  };
}

/**
 * `items`, counted into the meter as the streamer takes them, ending early when a stop was requested.
 * @param colocation the item's colocation value (its partition is computed from it).
 */
export function* metered<T>(
  items: Iterable<T>,
  ctx: ScenarioContext,
  partitionOf: (value: number) => number,
  colocation: (item: T) => number,
): Generator<T, void> {
  const { meter, stop } = ctx;
  for (const item of items) {
    if (stop.requested) return;
    meter.taken(partitionOf(colocation(item)));
    yield item;
  }
}

/** The async form of {@link metered}. */
export async function* meteredAsync<T>(
  items: AsyncIterable<T>,
  ctx: ScenarioContext,
  partitionOf: (value: number) => number,
  colocation: (item: T) => number,
): AsyncGenerator<T, void> {
  const { meter, stop } = ctx;
  for await (const item of items) {
    if (stop.requested) return;
    meter.taken(partitionOf(colocation(item)));
    yield item;
  }
}

/** The record view of `table` through `client`. @throws Error when the table does not exist. */
export async function recordView<Row extends object>(client: Client, table: string) {
  const t = await client.tables.table(table);
  if (t === null) throw new Error(`table ${table} does not exist`);
  return t.recordView<Row>();
}
