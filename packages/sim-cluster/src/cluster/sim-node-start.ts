/**
 * Starts one node of a `SimCluster`: a `ClusterNode` on the simulated network and disk, with the cluster's
 * seed streams, replication timings, metastorage members, fault points and credentials, its elections (and,
 * with full history, its commits) recorded, listening on the network. It does not add the node to the
 * cluster's members or name it: sim-cluster.ts does both.
 */
import type { Clock, Logger, SeededRng } from '@datastreamer/protocol';
import { silentLogger } from '@datastreamer/protocol';
import { ClusterNode, type LocalControlPlane, MemoryDisk } from '@datastreamer/server-node';
import type { BuggifyRun } from '../buggify/buggify-run.js';
import type { History } from '../history/history.js';
import type { SimNetwork } from '../network/sim-network.js';
import { recordApplies } from './apply-recording.js';
import { recordElections } from './raft-events.js';
import type { ResolvedSimClusterOptions } from './sim-cluster-options.js';
import type { RowDecoders } from './table-reader.js';

/** Raft timings on the real clock, unless the `replication` option sets them. */
export const REAL_CLOCK_RAFT = {
  electionTimeoutMs: { min: 1000, max: 2000 },
  heartbeatIntervalMs: 100,
} as const;

/** The cluster's parts a new node is wired to. */
export interface SimNodeParts {
  readonly options: ResolvedSimClusterOptions;
  readonly controlPlane: LocalControlPlane;
  readonly clock: Clock;
  readonly network: SimNetwork;
  readonly history: History;
  readonly rng: SeededRng;
  readonly buggify: BuggifyRun | undefined;
  readonly clusterSecret: string;
  /** The metastorage's members; empty without a metastorage. */
  readonly metastorageMembers: readonly string[];
  readonly decoders: RowDecoders;
  readonly log: Logger;
  /** The applies recorded per replicated partition (see `ApplyRecording.recordedUpTo`). */
  readonly recordedUpTo: Map<string, { index: number; node: string }>;
  readonly tableName: (tableId: number) => string;
}

/** A running node called `name`, listening on the cluster's network. */
export function startSimNode(name: string, parts: SimNodeParts): ClusterNode {
  const { options, controlPlane, network, history } = parts;
  const clock = parts.clock;
  const { syncLatencyMs, leaseMs: _, ...tuning } = options.replication;
  // On the real clock a busy event loop delays every message (a streamer keeps a batch per partition in
  // flight): timeouts as long as a real cluster's keep leaders from stepping down under load.
  const raft = options.clock === 'real' ? { ...REAL_CLOCK_RAFT, ...tuning } : tuning;
  const node = new ClusterNode({
    name,
    controlPlane,
    clock,
    transport: network.transport(name),
    logger: options.logger ?? silentLogger,
    disk: new MemoryDisk({
      clock,
      rng: parts.rng.child(`disk:${name}`),
      name: `${name}/disk`,
      ...(syncLatencyMs === undefined ? {} : { syncLatencyMs }),
    }),
    rng: parts.rng.child(name),
    replication: raft,
    ...(parts.metastorageMembers.length === 0 ? {} : { metastorage: { members: parts.metastorageMembers } }),
    ...(parts.buggify === undefined ? {} : { buggify: parts.buggify.buggify }),
    authentication: {
      clusterSecret: parts.clusterSecret,
      ...(options.auth.users === undefined ? {} : { users: options.auth.users }),
    },
  });
  recordElections(node, name, history, parts.tableName);
  if (options.history === 'full') {
    recordApplies(node, name, {
      history,
      catalog: controlPlane.catalog,
      decoders: parts.decoders,
      log: parts.log,
      recordedUpTo: parts.recordedUpTo,
    });
  }
  network.listen(name, (connection) => node.accept(connection));
  return node;
}
