/**
 * A scenario: everything a simulated run depends on, as plain data, so a failing run can be written to a
 * file and re-run exactly. The seed, the cluster's options, the workload (streams of PUT/REMOVE items on
 * integer keys, each with its producer's per-key sequence number implied by its position), the fault plan,
 * an optional swarm, and where it came from (the fast-check seed and path) and what it gave (history hash).
 *
 * This file holds the types and their validation; `scenario-json.ts` reads and writes them, `run-scenario.ts`
 * runs them.
 */

import type { BuggifyOptions } from '../buggify/buggify-run.js';
import type { SimReplicationOptions } from '../cluster/sim-cluster-options.js';
import type { FaultPlan } from '../faults/fault.js';
import type { SwarmFaultKind } from '../faults/swarm.js';
import { SwarmFaultKinds } from '../faults/swarm.js';
import { validatePlan } from '../faults/validate-plan.js';
import type { DelayRange } from '../network/network-faults.js';
import { ScenarioError } from './scenario-error.js';

/** The current scenario format. */
export const SCENARIO_VERSION = 1;

/** One item of a stream: a PUT or REMOVE of an integer key (`Id`). */
export interface ScenarioItem {
  readonly op: 'PUT' | 'REMOVE';
  /** A safe integer >= 0. */
  readonly key: number;
}

/** Streamer options a scenario may set (the rest take the streamer's defaults). */
export interface ScenarioStreamOptions {
  readonly pageSize?: number;
  readonly perPartitionParallelOperations?: number;
  readonly autoFlushInterval?: number;
  readonly retryLimit?: number;
  readonly retryBackoff?: {
    readonly initialMs?: number;
    readonly multiplier?: number;
    readonly maxMs?: number;
    readonly jitter?: number;
  };
}

/**
 * What happens when a stream fails: it is resumed, as the client README says, with its `failedItems`
 * followed by the rest of its source (the items it never took).
 */
export interface ScenarioResume {
  /** The resuming client: the stream's own, or another one (connected to every node). */
  readonly client: 'same' | 'other';
  /**
   * `same`: the resume writes as the failed run's producer (its new epoch fences the failed run's late
   * attempts); `new`: as another producer (only safe for what the failed run did not report in doubt), whose
   * rows name another history producer.
   */
  readonly producer: 'same' | 'new';
  /** Virtual ms between the failure and the resume. Default 0. */
  readonly afterMs?: number;
}

/** One `streamData` call, by its own client. */
export interface ScenarioStream {
  /** The nodes its client connects to. Default: every node. */
  readonly nodes?: readonly string[];
  /** When it starts, in ms after the fault phase starts. Default 0. */
  readonly startAtMs?: number;
  readonly options?: ScenarioStreamOptions;
  readonly items: readonly ScenarioItem[];
  /** The stream's `producerId` option. Default: the streamer's own (a fresh id), or `p-<index>` with `resume`. */
  readonly producerId?: string;
  /** Cancels the stream (its `signal`) this many virtual ms after it started. Default: never. */
  readonly cancelAtMs?: number;
  /** The item at this index is one the table refuses (a `Seq` that is not an INT32): the stream fails there. */
  readonly poisonAt?: number;
  /** Resumes the stream when it fails. Default: it is not resumed. */
  readonly resume?: ScenarioResume;
}

/** What is streamed, into which table. */
export interface ScenarioWorkload {
  /** Table name. Default `Events`. Its columns are fixed: `Id INT64` (key), `Seq INT32`, `Producer STRING`. */
  readonly table?: string;
  /** The table's partition count. Default: the cluster's. */
  readonly partitions?: number;
  readonly streams: readonly ScenarioStream[];
}

/** The swarm a scenario runs alongside its plan (clients and the table are filled in by the runner). */
export interface ScenarioSwarm {
  readonly durationMs?: number;
  readonly kinds?: readonly SwarmFaultKind[];
}

/** A whole run, as data. */
export interface Scenario {
  readonly version: typeof SCENARIO_VERSION;
  /** A label for people. */
  readonly name?: string;
  /** The simulation seed (`SimCluster.start({ seed })`). */
  readonly seed: number | bigint;
  readonly cluster?: {
    readonly nodes?: number;
    readonly partitions?: number;
    readonly networkDelayMs?: DelayRange;
    readonly maxVirtualTimeMs?: number;
    /** Fault points inside the code (`SimCluster.start({ buggify })`). Default off. */
    readonly buggify?: boolean | BuggifyOptions;
    /** Copies of each partition (`SimCluster.start({ replicas })`). Default 1. */
    readonly replicas?: number;
    /** Tuning of replicated partitions (`SimCluster.start({ replication })`), checked by the cluster. */
    readonly replication?: SimReplicationOptions;
    /** Nodes of the metastorage (`SimCluster.start({ metastorageNodes })`); 0: none. Default the cluster's. */
    readonly metastorageNodes?: number;
  };
  /**
   * Options of every client. `clusterDiscovery` (default true) false runs clients that keep to the nodes
   * they were given, as every client did before they followed the cluster (scenarios recorded then).
   */
  readonly client?: { readonly requestTimeoutMs?: number; readonly clusterDiscovery?: boolean };
  readonly workload: ScenarioWorkload;
  /** The fault plan, relative to the start of the fault phase. Default none. */
  readonly faults?: FaultPlan;
  /**
   * The fault phase lasts at least this long (virtual ms) before heal, even when the plan's last step comes
   * sooner: cuts and clogs stay in place meanwhile. Default 0 (heal right after the last step).
   */
  readonly faultPhaseMs?: number;
  readonly swarm?: ScenarioSwarm;
  /** How long after heal every stream must settle (virtual ms). Default the checkers' 60 s. */
  readonly livenessBoundMs?: number;
  /** The fast-check run that found it, when one did. */
  readonly fastCheck?: { readonly seed: number; readonly path?: string };
  /** What the recorded run gave, to compare a replay with. */
  readonly expected?: { readonly historyHash?: string; readonly valid?: boolean };
}

type Fields = { readonly [field: string]: unknown };

/** A field of an object read from JSON (by a name in a variable, which the linter and compiler both accept). */
function field(value: Fields, name: string): unknown {
  return value[name];
}

function isRecord(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  return (
    JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)
  ).slice(0, 80);
}

function fail(field: string, expected: string, value: unknown): never {
  throw new ScenarioError(`scenario.${field} must be ${expected}, got ${shown(value)}`);
}

function only(field: string, value: Fields, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ScenarioError(
        `scenario.${field}${field === '' ? '' : '.'}${key} is unknown (known: ${allowed.join(', ')})`,
      );
    }
  }
}

function optionalNumber(field: string, value: unknown, min: number, integer: boolean): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < min ||
    (integer && !Number.isInteger(value))
  ) {
    fail(field, `${integer ? 'an integer' : 'a finite number'} >= ${min}`, value);
  }
}

function checkStream(where: string, stream: unknown): void {
  if (!isRecord(stream)) fail(where, 'an object { items, nodes?, startAtMs?, options? }', stream);
  only(where, stream, [
    'items',
    'nodes',
    'startAtMs',
    'options',
    'producerId',
    'cancelAtMs',
    'poisonAt',
    'resume',
  ]);
  const producerId = field(stream, 'producerId');
  if (producerId !== undefined && (typeof producerId !== 'string' || producerId === '')) {
    fail(`${where}.producerId`, 'a non-empty string', producerId);
  }
  optionalNumber(`${where}.cancelAtMs`, field(stream, 'cancelAtMs'), 0, false);
  optionalNumber(`${where}.poisonAt`, field(stream, 'poisonAt'), 0, true);
  const resume = field(stream, 'resume');
  if (resume !== undefined) {
    if (!isRecord(resume)) fail(`${where}.resume`, 'an object { client, producer, afterMs? }', resume);
    only(`${where}.resume`, resume, ['client', 'producer', 'afterMs']);
    const client = field(resume, 'client');
    if (client !== 'same' && client !== 'other') fail(`${where}.resume.client`, "'same' or 'other'", client);
    const producer = field(resume, 'producer');
    if (producer !== 'same' && producer !== 'new')
      fail(`${where}.resume.producer`, "'same' or 'new'", producer);
    optionalNumber(`${where}.resume.afterMs`, field(resume, 'afterMs'), 0, false);
  }
  const nodes = field(stream, 'nodes');
  if (
    nodes !== undefined &&
    (!Array.isArray(nodes) || !nodes.every((n) => typeof n === 'string' && n !== ''))
  ) {
    fail(`${where}.nodes`, 'an array of node names', nodes);
  }
  optionalNumber(`${where}.startAtMs`, field(stream, 'startAtMs'), 0, false);
  const options = field(stream, 'options');
  if (options !== undefined) {
    if (!isRecord(options)) fail(`${where}.options`, 'an object', options);
    only(`${where}.options`, options, [
      'pageSize',
      'perPartitionParallelOperations',
      'autoFlushInterval',
      'retryLimit',
      'retryBackoff',
    ]);
    // Ranges are the streamer's to judge (it names the option); here only the JSON types.
    for (const name of ['pageSize', 'perPartitionParallelOperations', 'autoFlushInterval', 'retryLimit']) {
      const v = options[name];
      if (v !== undefined && typeof v !== 'number') fail(`${where}.options.${name}`, 'a number', v);
    }
    const backoff = field(options, 'retryBackoff');
    if (backoff !== undefined && !isRecord(backoff))
      fail(`${where}.options.retryBackoff`, 'an object', backoff);
  }
  const items = field(stream, 'items');
  if (!Array.isArray(items)) fail(`${where}.items`, 'an array of { op, key }', items);
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (
      !isRecord(item) ||
      (field(item, 'op') !== 'PUT' && field(item, 'op') !== 'REMOVE') ||
      !Number.isSafeInteger(field(item, 'key')) ||
      (field(item, 'key') as number) < 0 ||
      Object.keys(item).length !== 2
    ) {
      fail(`${where}.items[${i}]`, "{ op: 'PUT' | 'REMOVE', key: a safe integer >= 0 }", item);
    }
  }
}

/**
 * Checks `scenario` (the shape of every field; ranges the cluster and streamer check themselves are left to
 * them, and they name the option) and returns it typed. The fault plan is checked against the initial nodes.
 *
 * @throws ScenarioError naming the field; FaultPlanError for a bad plan.
 */
export function validateScenario(scenario: unknown): Scenario {
  if (!isRecord(scenario)) throw new ScenarioError('a scenario must be an object');
  only('', scenario, [
    'version',
    'name',
    'seed',
    'cluster',
    'client',
    'workload',
    'faults',
    'faultPhaseMs',
    'swarm',
    'livenessBoundMs',
    'fastCheck',
    'expected',
  ]);
  if (field(scenario, 'version') !== SCENARIO_VERSION)
    fail('version', String(SCENARIO_VERSION), field(scenario, 'version'));
  if (field(scenario, 'name') !== undefined && typeof field(scenario, 'name') !== 'string')
    fail('name', 'a string', field(scenario, 'name'));
  const seed = field(scenario, 'seed');
  if (
    !(
      (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) ||
      (typeof seed === 'bigint' && seed >= 0n)
    )
  ) {
    fail('seed', 'a non-negative integer', seed);
  }
  const cluster = field(scenario, 'cluster') ?? {};
  if (!isRecord(cluster)) fail('cluster', 'an object', cluster);
  only('cluster', cluster, [
    'nodes',
    'partitions',
    'networkDelayMs',
    'maxVirtualTimeMs',
    'replicas',
    'replication',
    'metastorageNodes',
    'buggify',
  ]);
  const buggify = field(cluster, 'buggify');
  if (buggify !== undefined && typeof buggify !== 'boolean') {
    if (!isRecord(buggify))
      fail('cluster.buggify', 'a boolean or { enabledShare?, probability?, enable? }', buggify);
    only('cluster.buggify', buggify, ['enabledShare', 'probability', 'enable']);
  }
  optionalNumber('cluster.nodes', field(cluster, 'nodes'), 1, true);
  optionalNumber('cluster.partitions', field(cluster, 'partitions'), 1, true);
  optionalNumber('cluster.replicas', field(cluster, 'replicas'), 1, true);
  optionalNumber('cluster.metastorageNodes', field(cluster, 'metastorageNodes'), 0, true);
  const replication = field(cluster, 'replication');
  if (replication !== undefined && !isRecord(replication)) {
    fail('cluster.replication', 'an object of replication options', replication);
  }
  const client = field(scenario, 'client') ?? {};
  if (!isRecord(client)) fail('client', 'an object', client);
  only('client', client, ['requestTimeoutMs', 'clusterDiscovery']);
  optionalNumber('client.requestTimeoutMs', field(client, 'requestTimeoutMs'), 1, false);
  const discovery = field(client, 'clusterDiscovery');
  if (discovery !== undefined && typeof discovery !== 'boolean')
    fail('client.clusterDiscovery', 'a boolean', discovery);
  const workload = field(scenario, 'workload');
  if (!isRecord(workload)) fail('workload', 'an object { streams, table?, partitions? }', workload);
  only('workload', workload, ['table', 'partitions', 'streams']);
  if (
    field(workload, 'table') !== undefined &&
    (typeof field(workload, 'table') !== 'string' || field(workload, 'table') === '')
  ) {
    fail('workload.table', 'a table name', field(workload, 'table'));
  }
  optionalNumber('workload.partitions', field(workload, 'partitions'), 1, true);
  const streams = field(workload, 'streams');
  if (!Array.isArray(streams)) fail('workload.streams', 'an array of streams', streams);
  streams.forEach((s, i) => {
    checkStream(`workload.streams[${i}]`, s);
  });
  const nodeCount = (field(cluster, 'nodes') as number | undefined) ?? 3;
  const nodes = Array.from({ length: nodeCount }, (_, i) => `node-${i + 1}`);
  if (field(scenario, 'faults') !== undefined) validatePlan(field(scenario, 'faults'), { nodes });
  const swarm = field(scenario, 'swarm');
  if (swarm !== undefined) {
    if (!isRecord(swarm)) fail('swarm', 'an object', swarm);
    only('swarm', swarm, ['durationMs', 'kinds']);
    optionalNumber('swarm.durationMs', field(swarm, 'durationMs'), 0, false);
    const kinds = field(swarm, 'kinds');
    const known: readonly unknown[] = Object.values(SwarmFaultKinds);
    if (
      kinds !== undefined &&
      (!Array.isArray(kinds) || kinds.length === 0 || !kinds.every((k) => known.includes(k)))
    ) {
      fail('swarm.kinds', `a non-empty array of ${Object.values(SwarmFaultKinds).join(', ')}`, kinds);
    }
  }
  optionalNumber('livenessBoundMs', field(scenario, 'livenessBoundMs'), 1, false);
  optionalNumber('faultPhaseMs', field(scenario, 'faultPhaseMs'), 0, false);
  const fastCheck = field(scenario, 'fastCheck');
  if (fastCheck !== undefined) {
    if (!isRecord(fastCheck)) fail('fastCheck', 'an object { seed, path? }', fastCheck);
    only('fastCheck', fastCheck, ['seed', 'path']);
    if (!Number.isInteger(field(fastCheck, 'seed')))
      fail('fastCheck.seed', 'an integer', field(fastCheck, 'seed'));
    if (field(fastCheck, 'path') !== undefined && typeof field(fastCheck, 'path') !== 'string') {
      fail('fastCheck.path', 'a string', field(fastCheck, 'path'));
    }
  }
  const expected = field(scenario, 'expected');
  if (expected !== undefined) {
    if (!isRecord(expected)) fail('expected', 'an object { historyHash?, valid? }', expected);
    only('expected', expected, ['historyHash', 'valid']);
    if (field(expected, 'historyHash') !== undefined && typeof field(expected, 'historyHash') !== 'string') {
      fail('expected.historyHash', 'a string', field(expected, 'historyHash'));
    }
    if (field(expected, 'valid') !== undefined && typeof field(expected, 'valid') !== 'boolean') {
      fail('expected.valid', 'a boolean', field(expected, 'valid'));
    }
  }
  return scenario as unknown as Scenario;
}
