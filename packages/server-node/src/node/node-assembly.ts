/**
 * Builds a `ClusterNode`'s core (`NodeCore`) from its options: checks each option (a clear `INVALID_ARGUMENT`
 * naming it), applies the defaults, and wires the hybrid clock, authenticator, forwarder, disk, replication
 * settings and, when the cluster has one, the node's metastorage. It does not register the node, join the
 * placement or start anything: cluster-node.ts does that with the core built here.
 */
import { createRng, entropySeed, neverBuggify, ProtocolFeatures, silentLogger } from '@datastreamer/protocol';
import type { ClusterMember } from '@datastreamer/protocol/internal';
import { Authenticator } from '../auth/authenticator.js';
import { DEFAULT_MAX_CLOCK_OFFSET_MS, HybridClock } from '../clock/hlc.js';
import { MemoryDisk } from '../disk/memory-disk.js';
import { ServerError } from '../errors/server-error.js';
import { MetastorageControlPlane } from '../metastorage/metastorage-control-plane.js';
import { METASTORAGE_GROUP } from '../metastorage/metastorage-group.js';
import { forwarderPeers, NodeMetastorage } from '../metastorage/node-metastorage.js';
import { Forwarder } from '../peer/forwarding.js';
import { RAFT_DEFAULTS } from '../raft/raft-options.js';
import type { GroupRaftOptions } from '../replication/partition-group.js';
import type { ClusterNodeOptions, NodeReplicationOptions } from './cluster-node-options.js';
import { NodeCore } from './node-core.js';
import { receiverRegistryOf } from './receiver/receiver-registry.js';
import { nameHash } from './trace-ids.js';

const DEFAULT_MAX_FRAME_SIZE = 16 * 1024 * 1024;
const MAX_FRAME_SIZE_LIMIT = 0x7fffffff;
const DEFAULT_FORWARD_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_FORWARD_HOPS = 1;

/**
 * What this node announces in handshakes: it runs receivers, forwards batches, speaks the node-to-node ops,
 * and tells clients with TOPOLOGY_DISCOVERY the cluster's members with each partition assignment.
 */
const NODE_FEATURES = Uint8Array.of(
  (1 << ProtocolFeatures.BATCH_FORWARDING) |
    (1 << ProtocolFeatures.NODE_TO_NODE) |
    (1 << ProtocolFeatures.STREAMER_RECEIVER) |
    (1 << ProtocolFeatures.TOPOLOGY_DISCOVERY),
);

/**
 * The core of a node built from `options`; `clusterMembers` tells clients the running members.
 * @throws ServerError `INVALID_ARGUMENT` for an option out of range.
 */
export function assembleNodeCore(
  options: ClusterNodeOptions,
  clusterMembers: () => ClusterMember[],
): NodeCore {
  const name = checkName(options.name);
  const maxFrameSize = checkInteger(
    'maxFrameSize',
    options.maxFrameSize,
    DEFAULT_MAX_FRAME_SIZE,
    0,
    MAX_FRAME_SIZE_LIMIT,
  );
  const forwardTimeoutMs = checkInteger(
    'forwardTimeoutMs',
    options.forwardTimeoutMs,
    DEFAULT_FORWARD_TIMEOUT_MS,
    1,
    2 ** 31 - 1,
  );
  const maxForwardHops = checkInteger(
    'maxForwardHops',
    options.maxForwardHops,
    DEFAULT_MAX_FORWARD_HOPS,
    0,
    16,
  );
  const log = (options.logger ?? silentLogger).child({ component: 'node', node: name });
  const maxOffsetMs = checkInteger(
    'maxClockOffsetMs',
    options.maxClockOffsetMs,
    DEFAULT_MAX_CLOCK_OFFSET_MS,
    1,
    2 ** 31 - 1,
  );
  const hlc = new HybridClock(options.clock, { maxOffsetMs });
  const auth = new Authenticator(
    name,
    (options.rng ?? createRng(entropySeed())).child('auth'),
    options.authentication,
  );
  const forwarder = new Forwarder({
    name,
    transport: options.transport,
    clock: options.clock,
    hlc,
    log,
    features: NODE_FEATURES,
    maxFrameSize,
    timeoutMs: forwardTimeoutMs,
    auth,
  });
  const rng = options.rng?.child('raft') ?? createRng(nameHash(name));
  const replication = replicationSettings(
    options.replication ?? {},
    maxOffsetMs,
    options.controlPlane.leases.leaseMs,
  );
  const disk = options.disk ?? new MemoryDisk({ clock: options.clock, name: `${name}/disk` });
  const buggify = options.buggify ?? neverBuggify;
  const metastorage =
    options.metastorage === undefined
      ? undefined
      : new NodeMetastorage({
          ...options.metastorage,
          nodeName: name,
          clock: options.clock,
          log: log.child({ component: 'metastorage' }),
          peers: forwarderPeers(forwarder),
          disk: () => disk,
          rng: rng.child(METASTORAGE_GROUP),
          buggify,
          nodeRaft: replication.raft,
        });
  return new NodeCore({
    name,
    controlPlane:
      metastorage === undefined
        ? options.controlPlane
        : new MetastorageControlPlane(options.controlPlane, metastorage, options.clock, log),
    hlc,
    clock: options.clock,
    forwarder,
    log,
    maxFrameSize,
    maxForwardHops,
    features: NODE_FEATURES,
    receivers: options.receivers ?? receiverRegistryOf(options.controlPlane),
    disk,
    rng,
    replication,
    auth,
    buggify,
    ...(metastorage === undefined ? {} : { metastorage }),
    clusterMembers,
  });
}

/**
 * The replication settings with their defaults: the lease margin is the clock-offset bound unless given, so a
 * holder whose clock runs up to `maxOffsetMs` behind the placement driver's still stops serving before the
 * driver may lease another replica.
 * @throws ServerError `INVALID_ARGUMENT` for a margin that is not an integer below the lease length `leaseMs`
 *   (a holder could never serve).
 */
function replicationSettings(
  options: NodeReplicationOptions,
  maxOffsetMs: number,
  leaseMs: number,
): {
  readonly raft: GroupRaftOptions;
  readonly leaseMarginMs: number;
} {
  const { leaseMarginMs = maxOffsetMs, ...raft } = options;
  if (!Number.isInteger(leaseMarginMs) || leaseMarginMs < 0 || leaseMarginMs >= leaseMs) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `replication.leaseMarginMs (default maxClockOffsetMs): expected an integer in 0..${leaseMs - 1}, below ` +
        `the lease length of ${leaseMs} ms (a leaseholder stops serving that long before its lease expires), ` +
        `got ${String(leaseMarginMs)}`,
    );
  }
  return {
    raft: {
      electionTimeoutMs: RAFT_DEFAULTS.electionTimeoutMs,
      heartbeatIntervalMs: RAFT_DEFAULTS.heartbeatIntervalMs,
      ...raft,
    },
    leaseMarginMs,
  };
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new ServerError('INVALID_ARGUMENT', `name: expected a non-empty string, got ${String(name)}`);
  }
  return name;
}

function checkInteger(
  option: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ServerError(
      'INVALID_ARGUMENT',
      `${option}: expected an integer in ${min}..${max}, got ${String(value)}`,
    );
  }
  return value;
}
