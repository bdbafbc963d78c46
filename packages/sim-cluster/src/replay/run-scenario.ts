/**
 * Runs a scenario from start to verdict; the tests and the replay command share it, so a dumped failure
 * re-runs through exactly the code that found it.
 *
 * The run: start the cluster with the scenario's seed; connect an admin client (`client-1`) and create the
 * table; connect one client per stream (`client-2`, ...); then the fault phase: the plan (and the swarm,
 * if any) while the streams run, each stream recorded into the history (`cluster.stream`); then heal
 * (network healed, crashed nodes restarted); then wait, at most `livenessBoundMs` of virtual time, for the
 * streams to settle; then every checker over the history and the table, and the history's hash.
 *
 * It does not print or write anything (the replay command and `dumpScenario` do).
 */
import type { DataStreamerSummary } from '@datastreamer/client';
import type { Logger } from '@datastreamer/protocol';
import type { Verdict } from '../checkers/check.js';
import { DEFAULT_LIVENESS_BOUND_MS } from '../checkers/check-options.js';
import { SimCluster } from '../cluster/sim-cluster.js';
import { type HealReport, healCluster, runSchedule, type ScheduleReport } from '../faults/run-schedule.js';
import { runSwarm, type SwarmRun } from '../faults/swarm.js';
import type { History } from '../history/history.js';
import { type Scenario, validateScenario } from './scenario.js';
import {
  SCENARIO_TABLE,
  type ScenarioRow,
  scenarioSeq,
  scenarioTable,
  streamItems,
} from './scenario-workload.js';

/** Options of {@link runScenario}. */
export interface RunScenarioOptions {
  /** Handed to the cluster (nodes, clients, network). Default: silent. */
  readonly logger?: Logger;
  /** Called with the cluster as soon as it started (e.g. to give a logger its clock). */
  readonly onCluster?: (cluster: SimCluster) => void;
}

/** How one stream ended. */
export interface StreamResult {
  readonly client: string;
  readonly outcome: 'resolved' | 'rejected' | 'unsettled';
  readonly summary?: DataStreamerSummary;
  readonly error?: unknown;
}

/** What a scenario run gave. */
export interface ScenarioResult {
  /** Whether every checker passed. */
  readonly valid: boolean;
  readonly verdict: Verdict;
  /** `history.hash()`: equal for equal runs. */
  readonly historyHash: string;
  readonly history: History;
  readonly streams: readonly StreamResult[];
  readonly schedule: ScheduleReport;
  readonly swarm?: SwarmRun;
  readonly heal: HealReport;
  /** Virtual ms from the cluster's start to the verdict. */
  readonly virtualMs: number;
  /** The cluster's seed (as the scenario gave it, as a bigint). */
  readonly seed: bigint;
}

const checkFunctions = {
  key: (row: ScenarioRow) => ({ Id: row.Id }),
  seq: (row: ScenarioRow) => row.Seq,
  producer: (row: ScenarioRow) => row.Producer,
};

/**
 * Runs `scenario` (see the module header) and returns the verdict and the history's hash. The cluster is
 * stopped before it resolves.
 *
 * @throws ScenarioError / FaultPlanError for an invalid scenario; whatever setting up the cluster, client or
 *   table throws (a bad option is named by the cluster or client). A failing checker is NOT an error: see
 *   `valid` and `verdict.report`.
 */
export async function runScenario(
  scenario: Scenario,
  options: RunScenarioOptions = {},
): Promise<ScenarioResult> {
  const s = validateScenario(scenario);
  const table = s.workload.table ?? SCENARIO_TABLE;
  const bound = s.livenessBoundMs ?? DEFAULT_LIVENESS_BOUND_MS;
  const cluster = await SimCluster.start({
    seed: s.seed,
    ...(s.cluster?.nodes === undefined ? {} : { nodes: s.cluster.nodes }),
    ...(s.cluster?.partitions === undefined ? {} : { partitions: s.cluster.partitions }),
    ...(s.cluster?.networkDelayMs === undefined ? {} : { networkDelayMs: s.cluster.networkDelayMs }),
    ...(s.cluster?.maxVirtualTimeMs === undefined ? {} : { maxVirtualTimeMs: s.cluster.maxVirtualTimeMs }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  try {
    options.onCluster?.(cluster);
    const clientOptions =
      s.client?.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: s.client.requestTimeoutMs };
    const admin = await cluster.connect(clientOptions);
    await admin.catalog.createTable(scenarioTable(table, s.workload.partitions));
    const streams = [];
    for (const stream of s.workload.streams) {
      const client = await cluster.connect(
        stream.nodes === undefined ? clientOptions : { ...clientOptions, nodes: stream.nodes },
      );
      const view = (await client.tables.table(table))?.recordView<ScenarioRow>();
      if (view === undefined) throw new Error(`table ${table} vanished after it was created`);
      streams.push({ client, name: cluster.clientName(client), view, stream });
    }
    const clock = cluster.clock;
    const settled: StreamResult[] = streams.map(({ name }) => ({ client: name, outcome: 'unsettled' }));
    const running = streams.map(async ({ client, name, view, stream }, i) => {
      if (stream.startAtMs !== undefined && stream.startAtMs > 0) await clock.sleep(stream.startAtMs);
      try {
        const summary = await cluster.stream(
          view,
          streamItems(stream, name),
          { client, seq: scenarioSeq },
          stream.options,
        );
        settled[i] = { client: name, outcome: 'resolved', summary };
      } catch (error) {
        settled[i] = { client: name, outcome: 'rejected', error };
      }
    });
    const [schedule, swarm] = await Promise.all([
      runSchedule(cluster, s.faults ?? []),
      s.swarm === undefined
        ? undefined
        : runSwarm(cluster, {
            ...s.swarm,
            heal: false,
            clients: streams.map(({ name }) => name),
            tables: [
              {
                name: table,
                partitions:
                  s.workload.partitions ?? cluster.controlPlane.catalog.latest(table)?.partitions ?? 1,
              },
            ],
          }),
    ]);
    const heal = await healCluster(cluster);
    // A stream that never settles must not hang the run: the wait ends at the liveness bound, and the
    // liveness checker reports the stream.
    await Promise.race([Promise.allSettled(running), clock.sleep(bound + 1)]);
    const verdict = cluster.check({ ...checkFunctions, table, livenessBoundMs: bound, healAtMs: heal.atMs });
    return {
      valid: verdict.valid,
      verdict,
      historyHash: cluster.history.hash(),
      history: cluster.history,
      streams: settled,
      schedule,
      ...(swarm === undefined ? {} : { swarm }),
      heal,
      virtualMs: clock.now(),
      seed: cluster.seed,
    };
  } finally {
    await cluster.stop();
  }
}
