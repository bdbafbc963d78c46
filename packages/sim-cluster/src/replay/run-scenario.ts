/**
 * Runs a scenario from start to verdict; the tests and the replay command share it, so a dumped failure
 * re-runs through exactly the code that found it.
 *
 * The run: start the cluster with the scenario's seed; connect an admin client (`client-1`) and create the
 * table; connect one client per stream (`client-2`, ...), and one more when a stream resumes through another
 * client; then the fault phase: the plan (and the swarm, if any) while the streams run, each stream recorded
 * into the history (`cluster.stream`), cancelled at its `cancelAtMs`, and, when it fails and says `resume`,
 * resumed as the client README says (its `failedItems`, then the items it never took; a poison item left out)
 * with unlimited retries; then, once the plan ran and `faultPhaseMs` passed, heal (network healed, crashed
 * nodes restarted); then wait, at most
 * `livenessBoundMs` of virtual time, for the streams to settle; then every checker over the history and the
 * table, and the history's hash.
 *
 * It does not print or write anything (the replay command and `dumpScenario` do).
 */
import {
  type Client,
  DataStreamerError,
  type DataStreamerOptions,
  type DataStreamerSummary,
  type RecordView,
} from '@datastreamer/client';
import type { BuggifyPoint, Logger } from '@datastreamer/protocol';
import type { BuggifyTally } from '../buggify/buggify-run.js';
import type { Verdict } from '../checkers/check.js';
import { DEFAULT_LIVENESS_BOUND_MS } from '../checkers/check-options.js';
import { SimCluster } from '../cluster/sim-cluster.js';
import { type HealReport, healCluster, runSchedule, type ScheduleReport } from '../faults/run-schedule.js';
import { runSwarm, type SwarmRun } from '../faults/swarm.js';
import type { History } from '../history/history.js';
import { type Scenario, type ScenarioStream, validateScenario } from './scenario.js';
import {
  resumedAs,
  SCENARIO_TABLE,
  type ScenarioRow,
  type ScenarioStreamItem,
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
  /** How its resume ended, when it failed and was resumed. */
  readonly resumed?: StreamResult;
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
  /** Each fault point's counts, when the scenario turned them on. */
  readonly buggify?: ReadonlyMap<BuggifyPoint, BuggifyTally>;
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
    ...(s.cluster?.buggify === undefined ? {} : { buggify: s.cluster.buggify }),
    ...(s.cluster?.replicas === undefined ? {} : { replicas: s.cluster.replicas }),
    ...(s.cluster?.replication === undefined ? {} : { replication: s.cluster.replication }),
    ...(s.cluster?.metastorageNodes === undefined ? {} : { metastorageNodes: s.cluster.metastorageNodes }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  try {
    options.onCluster?.(cluster);
    const clientOptions = {
      ...(s.client?.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: s.client.requestTimeoutMs }),
      ...(s.client?.clusterDiscovery === undefined ? {} : { clusterDiscovery: s.client.clusterDiscovery }),
    };
    const admin = await cluster.connect(clientOptions);
    await admin.catalog.createTable(scenarioTable(table, s.workload.partitions));
    const viewOf = async (client: Client): Promise<StreamerView> => {
      const view = (await client.tables.table(table))?.recordView<ScenarioRow>();
      if (view === undefined) throw new Error(`table ${table} vanished after it was created`);
      return { client, name: cluster.clientName(client), view };
    };
    const streams = [];
    for (const stream of s.workload.streams) {
      const client = await cluster.connect(
        stream.nodes === undefined ? clientOptions : { ...clientOptions, nodes: stream.nodes },
      );
      streams.push({ ...(await viewOf(client)), stream });
    }
    const other = s.workload.streams.some((stream) => stream.resume?.client === 'other')
      ? await viewOf(await cluster.connect(clientOptions))
      : undefined;
    const clock = cluster.clock;
    const settled: StreamResult[] = streams.map(({ name }) => ({ client: name, outcome: 'unsettled' }));
    const running = streams.map(async (run, i) => {
      const { stream } = run;
      if (stream.startAtMs !== undefined && stream.startAtMs > 0) await clock.sleep(stream.startAtMs);
      settled[i] = await runStream(cluster, run, i, other);
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
                replicated: (s.cluster?.replicas ?? 1) > 1,
              },
            ],
          }),
    ]);
    const phaseLeft = (s.faultPhaseMs ?? 0) - (clock.now() - schedule.startedAtMs);
    if (phaseLeft > 0) await clock.sleep(phaseLeft);
    const heal = await healCluster(cluster);
    // A stream that never settles must not hang the run: the wait ends at the liveness bound, and the
    // liveness checker reports the stream.
    await Promise.race([Promise.allSettled(running), clock.sleep(bound + 1)]);
    // Read once every replicated partition has a primary again (its state then holds every commit).
    const rows = (await cluster.readTable(table)) as unknown as ScenarioRow[];
    const verdict = cluster.check({
      ...checkFunctions,
      table,
      rows,
      livenessBoundMs: bound,
      healAtMs: heal.atMs,
    });
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
      ...(cluster.buggify === undefined ? {} : { buggify: cluster.buggify.tallies() }),
    };
  } finally {
    await cluster.stop();
  }
}

/** A client's view of the scenario table, and the client's name. */
interface StreamerView {
  readonly client: Client;
  readonly name: string;
  readonly view: RecordView<ScenarioRow>;
}

/**
 * Runs stream `index` of the scenario (cancelled at its `cancelAtMs`) and, when it fails and says `resume`,
 * its resume.
 */
async function runStream(
  cluster: SimCluster,
  run: StreamerView & { readonly stream: ScenarioStream },
  index: number,
  other: StreamerView | undefined,
): Promise<StreamResult> {
  const { stream, client, name, view } = run;
  const items = streamItems(stream, name);
  let taken = 0;
  const source = (function* () {
    for (const item of items) {
      taken++;
      yield item;
    }
  })();
  const producerId = stream.producerId ?? (stream.resume === undefined ? undefined : `p-${index}`);
  const controller = stream.cancelAtMs === undefined ? undefined : new AbortController();
  const cancel =
    controller === undefined
      ? undefined
      : cluster.clock.setTimer(stream.cancelAtMs ?? 0, () => controller.abort());
  const options: DataStreamerOptions = {
    ...stream.options,
    ...(producerId === undefined ? {} : { producerId }),
    ...(controller === undefined ? {} : { signal: controller.signal }),
  };
  let error: unknown;
  try {
    const summary = await cluster.stream(view, source, { client, seq: scenarioSeq }, options);
    return { client: name, outcome: 'resolved', summary };
  } catch (caught) {
    error = caught;
  } finally {
    cancel?.cancel();
  }
  {
    const result: StreamResult = { client: name, outcome: 'rejected', error };
    const resume = stream.resume;
    if (resume === undefined || !(error instanceof DataStreamerError)) return result;
    if (resume.afterMs !== undefined && resume.afterMs > 0) await cluster.clock.sleep(resume.afterMs);
    const poison = stream.poisonAt === undefined ? undefined : items[stream.poisonAt];
    const again = [...(error.failedItems as readonly ScenarioStreamItem[]), ...items.slice(taken)].filter(
      (item) => item !== poison,
    );
    const by = resume.client === 'same' || other === undefined ? run : other;
    const asProducer = resume.producer === 'same' ? name : `${name}~resumed`;
    const resumeOptions: DataStreamerOptions = {
      ...stream.options,
      retryLimit: -1,
      producerId:
        resume.producer === 'same' ? (producerId as string) : `${producerId ?? `p-${index}`}~resumed`,
    };
    try {
      const summary = await cluster.stream(
        by.view,
        resume.producer === 'same' ? again : again.map((item) => resumedAs(item, asProducer)),
        { client: by.client, seq: scenarioSeq, producer: asProducer },
        resumeOptions,
      );
      return { ...result, resumed: { client: by.name, outcome: 'resolved', summary } };
    } catch (resumeError) {
      return { ...result, resumed: { client: by.name, outcome: 'rejected', error: resumeError } };
    }
  }
}
