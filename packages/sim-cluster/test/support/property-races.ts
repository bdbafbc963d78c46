/**
 * The race property of issue 7: a streaming client whose every received chunk (and connection close) is
 * handed to fast-check's scheduler, so fast-check picks the order in which the client learns of acks,
 * errors and closes across its connections, while virtual time runs on (request timeouts, retry backoffs
 * and auto-flushes fire in between). Order inside one connection is kept (a real connection keeps it):
 * each scheduled task delivers its connection's OLDEST pending item, so only the interleaving across
 * connections and against timers changes.
 *
 * It does not replace the scenario property (no dump: a scheduler's choices are not scenario data); a failure
 * is replayed from the fast-check seed and path it prints.
 */
import { Client } from '@datastreamer/client';
import { type Connection, type ConnectionListener, createRng, type Transport } from '@datastreamer/protocol';
import { faultPlanArb } from '@datastreamer/sim-cluster/testing';
import fc from 'fast-check';
import { SimCluster } from '../../src/cluster/sim-cluster.js';
import type { FaultPlan } from '../../src/faults/fault.js';
import { healCluster, runSchedule } from '../../src/faults/run-schedule.js';
import type { ScenarioItem, ScenarioStreamOptions } from '../../src/replay/scenario.js';
import {
  SCENARIO_TABLE,
  type ScenarioRow,
  scenarioSeq,
  scenarioTable,
  streamItems,
} from '../../src/replay/scenario-workload.js';
import { PROPERTY_LIVENESS_BOUND_MS, PROPERTY_NODES } from './property-scenario.js';

/** The racing client's endpoint name. */
export const RACER = 'racer';

/** One pending delivery of a scheduled connection. */
type Pending = { readonly chunk: Uint8Array } | { readonly closed: Error | undefined };

/** Whether deliveries go through the scheduler now (the client's set-up requests are not retried, so not). */
export interface RaceGate {
  holding: boolean;
}

/** A connection whose incoming chunks and close are released by fast-check's scheduler, in order. */
class ScheduledConnection implements Connection {
  readonly #inner: Connection;
  readonly #scheduler: fc.Scheduler;
  readonly #gate: RaceGate;
  readonly #pending: Pending[] = [];
  #listener: ConnectionListener | undefined;

  constructor(inner: Connection, scheduler: fc.Scheduler, gate: RaceGate) {
    this.#inner = inner;
    this.#scheduler = scheduler;
    this.#gate = gate;
  }

  get local(): string {
    return this.#inner.local;
  }

  get remote(): string {
    return this.#inner.remote;
  }

  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  setListener(listener: ConnectionListener): void {
    this.#listener = listener;
    this.#inner.setListener({
      data: (chunk) => this.#hold({ chunk }),
      close: (error) => this.#hold({ closed: error }),
    });
  }

  send(bytes: Uint8Array): void {
    this.#inner.send(bytes);
  }

  close(): void {
    this.#inner.close();
  }

  #hold(item: Pending): void {
    this.#pending.push(item);
    if (!this.#gate.holding) {
      // Nothing is held for this connection before the gate closes, so this is its oldest item.
      this.#deliverOldest();
      return;
    }
    void this.#scheduler
      .schedule(Promise.resolve(`${this.remote}->${this.local}`))
      .then(() => this.#deliverOldest());
  }

  #deliverOldest(): void {
    const item = this.#pending.shift();
    const listener = this.#listener;
    if (item === undefined || listener === undefined) return;
    if ('chunk' in item) listener.data(item.chunk);
    else listener.close(item.closed);
  }
}

/** `inner` with every connection's deliveries scheduled by `scheduler` while `gate.holding`. */
export function scheduledTransport(inner: Transport, scheduler: fc.Scheduler, gate: RaceGate): Transport {
  return {
    connect: async (endpoint) => new ScheduledConnection(await inner.connect(endpoint), scheduler, gate),
  };
}

/** What one race run is made of (the scheduler comes separately). */
export interface Race {
  readonly seed: number;
  readonly partitions: number;
  readonly requestTimeoutMs: number;
  /** Virtual ms the scheduler holds deliveries before releasing them all, in its own order. */
  readonly holdMs: number;
  readonly options: ScenarioStreamOptions;
  readonly items: readonly ScenarioItem[];
  readonly faults: FaultPlan;
}

/** Races: small streams (the scheduler multiplies the cost), few faults, short holds. */
export const raceArb: fc.Arbitrary<Race> = fc
  .record({ partitions: fc.constantFrom(2, 4), keys: fc.integer({ min: 1, max: 6 }) })
  .chain(({ partitions, keys }) =>
    fc.record({
      seed: fc.noShrink(fc.integer({ min: 0, max: 0x7fff_ffff })),
      partitions: fc.constant(partitions),
      requestTimeoutMs: fc.constantFrom(20, 100, 1000),
      holdMs: fc.integer({ min: 1, max: 30 }),
      options: fc.record({
        pageSize: fc.integer({ min: 1, max: 6 }),
        perPartitionParallelOperations: fc.integer({ min: 1, max: 3 }),
        autoFlushInterval: fc.constantFrom(0, 3, 15),
        retryLimit: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: 4 })),
        retryBackoff: fc.constant({ initialMs: 5, multiplier: 2, maxMs: 50 }),
      }),
      items: fc.array(
        fc.record({
          op: fc.oneof({ weight: 4, arbitrary: fc.constant('PUT' as const) }, fc.constant('REMOVE' as const)),
          key: fc.integer({ min: 0, max: keys - 1 }),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      faults: faultPlanArb(
        {
          nodes: PROPERTY_NODES,
          clients: [RACER],
          tables: [{ name: SCENARIO_TABLE, partitions }],
          maxHoldMs: 100,
        },
        { maxSteps: 3, maxAtMs: 40 },
      ).map((plan) => plan.filter((step) => !(step.fault.kind === 'setFaults' && step.fault.faults.reorder))),
    }),
  );

/** What a race run gave: `failure` says why it fails the property, `undefined` when it passes. */
export interface RaceOutcome {
  readonly failure: string | undefined;
  readonly retries: number;
  readonly resolved: boolean;
}

/**
 * Runs `race` on a fresh cluster: the racer streams its items while the plan runs; then heal; then every
 * checker, and a stream with unlimited retries must have resolved.
 */
export async function runRace(race: Race, scheduler: fc.Scheduler): Promise<RaceOutcome> {
  const cluster = await SimCluster.start({
    seed: race.seed,
    nodes: PROPERTY_NODES.length,
    partitions: race.partitions,
  });
  const clock = cluster.clock;
  let pumping = true;
  const gate: RaceGate = { holding: false };
  // Releases what the scheduler holds every `holdMs` of virtual time, in the scheduler's order.
  const pump = (async () => {
    while (pumping) {
      await clock.sleep(race.holdMs);
      while (pumping && scheduler.count() > 0) await scheduler.waitOne();
    }
  })().catch(() => {
    // The clock stopped with the cluster: the pump ends.
  });
  try {
    const admin = await cluster.connect();
    await admin.catalog.createTable(scenarioTable(SCENARIO_TABLE, race.partitions));
    const racer = await Client.connect({
      name: RACER,
      transport: scheduledTransport(cluster.network.transport(RACER), scheduler, gate),
      endpoints: cluster.nodes,
      clock,
      rng: createRng(race.seed).child(RACER),
      requestTimeoutMs: race.requestTimeoutMs,
    });
    try {
      const view = (await racer.tables.table(SCENARIO_TABLE))?.recordView<ScenarioRow>();
      if (view === undefined) throw new Error(`table ${SCENARIO_TABLE} vanished after it was created`);
      gate.holding = true;
      // Written by the stream's callbacks, which the compiler's narrowing cannot see.
      const ended: { outcome: 'resolved' | 'rejected' | 'unsettled'; retries: number; error: unknown } = {
        outcome: 'unsettled',
        retries: 0,
        error: undefined,
      };
      const streaming = cluster
        .stream(
          view,
          streamItems({ items: race.items }, RACER),
          { client: RACER, seq: scenarioSeq },
          race.options,
        )
        .then(
          (summary) => {
            ended.outcome = 'resolved';
            ended.retries = summary.retries;
          },
          (e: unknown) => {
            ended.outcome = 'rejected';
            ended.error = e;
          },
        );
      await runSchedule(cluster, race.faults);
      const heal = await healCluster(cluster);
      await Promise.race([streaming, clock.sleep(PROPERTY_LIVENESS_BOUND_MS + 1)]);
      const verdict = cluster.check<ScenarioRow>({
        key: (row) => ({ Id: row.Id }),
        seq: (row) => row.Seq,
        producer: (row) => row.Producer,
        table: SCENARIO_TABLE,
        livenessBoundMs: PROPERTY_LIVENESS_BOUND_MS,
        healAtMs: heal.atMs,
      });
      const problems: string[] = [];
      if (!verdict.valid) problems.push(verdict.report);
      const { outcome, retries, error } = ended;
      if (race.options.retryLimit === -1 && outcome !== 'resolved') {
        problems.push(
          `the racer (retryLimit -1) ended ${outcome}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
      return {
        failure: problems.length === 0 ? undefined : `simulation seed: ${race.seed}\n${problems.join('\n')}`,
        retries,
        resolved: outcome === 'resolved',
      };
    } finally {
      pumping = false;
      await racer.close();
    }
  } finally {
    pumping = false;
    await cluster.stop();
    await pump;
  }
}
