/**
 * The producer ops: PRODUCER_REGISTER (a streamer run's next epoch, from the control plane's registry) and
 * STREAMER_SEAL (no more of an epoch applies on a partition; the answer says what did).
 *
 * A seal is routed like a streamer batch: the owner seals its replica's producer fence in the same synchronous
 * step as the routing, so a batch of that epoch handled after it is refused, and one handled before it is
 * counted. On a replicated partition the seal is a command of the partition's log, so it takes its place
 * among the batches in log order: a batch appended before it is counted, one after it is refused. A non-transactional receiver batch of that epoch still running on the partition is waited for, so
 * the answer counts it once it recorded (or not, if it failed). Another owner: forwarded (`BATCH_FORWARD`)
 * while hops remain, else `NOT_PRIMARY`. A partition moving or unowned: the retryable errors a batch gets.
 */
import type { RequestOf } from '@datastreamer/protocol';
import type {
  ProducerRegisterResult,
  StreamerSeal,
  StreamerSealResult,
} from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { PartitionReplica } from '../partitions/partition-table.js';
import { encodeSeal } from '../replication/partition-command.js';
import type { NodeContext, RequestContext } from './node-context.js';
import { checkPartition, latestSchema, noOwner, noQuorum, partitionMoving } from './request-checks.js';
import { sendOn } from './stale-assignment.js';
import { type ForwardBudget, forwardBudgetOf } from './streamer-handler.js';

/** PRODUCER_REGISTER: the producer's next epoch. @throws ServerError `INVALID_ARGUMENT` for a bad id. */
export async function producerRegister(
  node: NodeContext,
  request: RequestOf<'PRODUCER_REGISTER'>,
): Promise<ProducerRegisterResult> {
  return { epoch: await node.controlPlane.registerProducer(request.producerId, request.runId) };
}

/** STREAMER_SEAL from a client (forwarded once at most by default) or a node (never forwarded). */
export function streamerSeal(
  node: NodeContext,
  request: RequestOf<'STREAMER_SEAL'>,
  context: RequestContext,
): StreamerSealResult | Promise<StreamerSealResult> {
  return handleSeal(node, request, forwardBudgetOf(node, context), node.name);
}

/**
 * Checks, routes and serves (or forwards) a seal.
 * @throws ServerError `TABLE_NOT_FOUND`, `INVALID_ARGUMENT`, `PRODUCER_FENCED` (a newer epoch wrote to the
 *   partition since), `NOT_PRIMARY`, `PARTITION_MOVED`, `NODE_UNAVAILABLE`.
 */
export function handleSeal(
  node: NodeContext,
  seal: StreamerSeal,
  budget: ForwardBudget,
  origin: string,
): StreamerSealResult | Promise<StreamerSealResult> {
  const schema = latestSchema(node, seal.tableId);
  checkPartition(schema, seal.partitionId);
  const route = node.route(seal.tableId, seal.partitionId);
  switch (route.kind) {
    case 'local':
      return sealHere(node, route.replica, seal);
    case 'remote':
      return sendOn(
        node,
        schema,
        route,
        seal,
        budget,
        (owner, routed, hops) => forwardSeal(node, owner, routed, hops, origin),
        () => handleSeal(node, seal, budget, origin),
      );
    case 'moving':
      throw partitionMoving(node, schema, seal.partitionId);
    case 'unowned':
      throw noOwner(schema, seal.partitionId);
    case 'noQuorum':
      throw noQuorum(node, schema, seal.partitionId);
    default:
      throw new ServerError('INTERNAL', `unknown route ${JSON.stringify(route satisfies never)}`);
  }
}

function sealHere(
  node: NodeContext,
  replica: PartitionReplica,
  seal: StreamerSeal,
): StreamerSealResult | Promise<StreamerSealResult> {
  node.metrics.seals++;
  const sealed = sealOn(replica, seal);
  if (sealed instanceof Promise)
    return sealed.then((appliedSeq) => afterSeal(node, replica, seal, appliedSeq));
  return afterSeal(node, replica, seal, sealed);
}

/**
 * Seals the epoch on `replica`: at once on an unreplicated partition, through its log on a replicated one.
 * @throws ServerError `PRODUCER_FENCED` as `ProducerFence.seal`; `NO_QUORUM` when the replicated partition
 *   lost its primary meanwhile.
 */
function sealOn(replica: PartitionReplica, seal: StreamerSeal): number | Promise<number> {
  const group = replica.group;
  if (group === undefined) return replica.fence.seal(seal.producerId, seal.epoch);
  return group.propose(encodeSeal(seal.producerId, seal.epoch)).then((outcome) => {
    if (outcome.kind === 'sealed') return outcome.appliedSeq;
    if (outcome.kind === 'refused') throw outcome.error;
    throw new ServerError('INTERNAL', `a seal command ended as ${outcome.kind}`);
  });
}

function afterSeal(
  node: NodeContext,
  replica: PartitionReplica,
  seal: StreamerSeal,
  appliedSeq: number,
): StreamerSealResult | Promise<StreamerSealResult> {
  node.log.debug(
    {
      table: seal.tableId,
      partition: seal.partitionId,
      producer: seal.producerId,
      epoch: seal.epoch,
      appliedSeq,
    },
    'producer epoch sealed',
  );
  const running = replica.running.get(seal.producerId);
  // A transactional run checks the fence as it commits, so the seal already decided it: not applied.
  if (running === undefined || running.epoch !== seal.epoch || running.transactional) return { appliedSeq };
  // A non-transactional receiver run of this epoch began before the seal: its outcome belongs in the answer.
  return running.done.then(async () => {
    const route = node.route(seal.tableId, seal.partitionId);
    if (route.kind !== 'local') {
      throw new ServerError(
        'PARTITION_MOVED',
        `partition ${seal.partitionId} of table ${seal.tableId} left ${node.name} while the seal waited; retry`,
      );
    }
    return { appliedSeq: await sealOn(route.replica, seal) };
  });
}

async function forwardSeal(
  node: NodeContext,
  owner: string,
  seal: StreamerSeal,
  hops: number,
  origin: string,
): Promise<StreamerSealResult> {
  node.metrics.forwards++;
  const result = await node.forwarder.send(owner, {
    op: 'BATCH_FORWARD',
    requestId: 0,
    hops,
    origin,
    batch: seal,
  });
  if (result.op !== 'STREAMER_SEAL') {
    throw new ServerError('INTERNAL', `${owner} answered a forwarded seal with a ${result.op} result`);
  }
  return { appliedSeq: result.appliedSeq };
}
