/**
 * Where a request for one partition goes, how it gets there, and the producer calls both streamer sinks make:
 *
 * - `routeToPrimary`: the partition's primary per the assignment cache (fetched again once a response flagged
 *   a newer assignment) and the connection to it, or any open connection when that one is down (the node
 *   forwards). A failed lookup is a `ClientError` with the lookup's own code (see {@link assignmentOf}).
 * - `requestPrimary`: the one "route to the primary, resend on schema mismatch" of the client, used by the
 *   row operations of the views and by both streamer sinks: each round routes (so a round after a flagged
 *   response follows the partition), sends, and on `SCHEMA_VERSION_MISMATCH` loads the version the node
 *   expects, has the caller re-encode and sends again, at most {@link MAX_SCHEMA_ROUNDS} rounds.
 * - `registerProducer`: PRODUCER_REGISTER on any open connection: the run's epoch.
 * - `sealPartition`: STREAMER_SEAL of the run's epoch on one partition, bounded: to the primary first, and
 *   when that does not answer within the request timeout (or answers that it is not the owner), through each
 *   other open connection in turn (that node forwards it), at most {@link SEAL_ATTEMPTS} requests in all
 *   (when every path answered something retryable, it starts over after a short pause).
 *   A refusal that no other path can change (`PRODUCER_FENCED`: a newer run of the producer wrote to the
 *   partition, so what this one applied is no longer known) ends it at once.
 *
 * It does not retry connection failures, timeouts or refusals (the streamer core retries batches; a view's
 * caller gets the error, `retryable` set) nor encode anything (the callers do, when asked to).
 */
import type { OpName } from '@datastreamer/protocol';
import type { PartitionAssignment, VersionedSchema } from '@datastreamer/protocol/internal';
import type { NodeConnection, Reply, RequestOptions, RequestPayload } from '../connection/node-connection.js';
import { ClientError } from '../errors/client-error.js';
import { errorCodeOf, isRetryableError } from '../streamer/retry-policy.js';
import type { SinkOpening, StreamerTopology } from '../streamer/streamer-sink.js';
import { expectedSchemaVersion, MAX_SCHEMA_ROUNDS } from './schema-errors.js';
import type { TableContext } from './table-context.js';

/** Most STREAMER_SEAL requests one seal makes (each bounded by the request timeout). */
export const SEAL_ATTEMPTS = 4;

/** The pause before trying every path again, times the requests made so far, in ms. */
const SEAL_PAUSE_MS = 50;

/** A partition's primary as the client sees it, and the connection a request for it goes on. */
export interface PartitionRoute {
  readonly assignment: PartitionAssignment;
  /** The primary per the assignment; `null` when it names none. */
  readonly owner: string | null;
  readonly connection: NodeConnection;
}

/**
 * The table's assignment: the cached one, fetched when missing or older than a version a response reported.
 * @throws ClientError naming the table, the lookup's failure as `cause`, with the failure's own code: so
 *   `CONNECTION_LOST`, `REQUEST_TIMEOUT` or `NODE_UNAVAILABLE` stay retryable (a stream retries the batch)
 *   and `TABLE_NOT_FOUND` or `CLOSED` do not. A failure without a known code is `NODE_UNAVAILABLE` when it
 *   says it is retryable, else `INTERNAL`.
 */
export async function assignmentOf(context: TableContext, tableId: number): Promise<PartitionAssignment> {
  try {
    return await context.assignments.get(tableId);
  } catch (error) {
    const code = errorCodeOf(error) ?? (isRetryableError(error) ? 'NODE_UNAVAILABLE' : 'INTERNAL');
    const reason = error instanceof Error ? error.message : String(error);
    throw new ClientError(
      code,
      `the partition assignment of table ${tableId} could not be fetched: ${reason}`,
      { cause: error },
    );
  }
}

/**
 * The route of `partition` of table `tableId`.
 * @throws as {@link assignmentOf}; ClientError `NODE_UNAVAILABLE` (retryable) when no connection is open,
 *   `CLOSED` once the client closed.
 */
export async function routeToPrimary(
  context: TableContext,
  tableId: number,
  partition: number,
): Promise<PartitionRoute> {
  const assignment = await assignmentOf(context, tableId);
  const owner = assignment.owners[partition] ?? null;
  return { assignment, owner, connection: context.pool.pick(owner) };
}

/** The fields a batch or seal names its destination with: the primary it is meant for, under which version. */
export function addressOf(
  route: PartitionRoute,
  connection: NodeConnection = route.connection,
): { readonly targetNode: string; readonly assignmentVersion: number } {
  return {
    targetNode: route.owner ?? connection.nodeName,
    assignmentVersion: route.assignment.assignmentVersion,
  };
}

/** One request for one partition, as {@link requestPrimary} sends it. */
export interface PrimaryRequest<K extends OpName> {
  readonly op: K;
  readonly tableId: number;
  readonly partition: number;
  /** The request of one round, given where it goes (batches name their target with {@link addressOf}). */
  readonly payload: (route: PartitionRoute) => RequestPayload<K>;
  /**
   * Re-encodes what the request carries with `schema`, the version a node asked for, before the next round.
   * Absent for a request that carries no schema version (receiver batches): a mismatch then ends it as any
   * other error does.
   */
  readonly reencode?: (schema: VersionedSchema) => void;
  readonly options?: RequestOptions;
}

/** The answer of {@link requestPrimary} and the route of the round that got it. */
export interface PrimaryReply<K extends OpName> {
  readonly reply: Reply<K>;
  readonly route: PartitionRoute;
}

/**
 * Sends `request` to its partition's primary (see the module header).
 * @throws as {@link routeToPrimary}; the request's errors (the last `SCHEMA_VERSION_MISMATCH` once
 *   {@link MAX_SCHEMA_ROUNDS} rounds were sent, or at once without `reencode`).
 */
export async function requestPrimary<K extends OpName>(
  context: TableContext,
  request: PrimaryRequest<K>,
): Promise<PrimaryReply<K>> {
  const { op, tableId, partition, reencode } = request;
  for (let round = 1; ; round++) {
    const route = await routeToPrimary(context, tableId, partition);
    try {
      const reply = await route.connection.request(op, request.payload(route), request.options);
      return { reply, route };
    } catch (error) {
      const expected = expectedSchemaVersion(error);
      if (expected === undefined || reencode === undefined || round >= MAX_SCHEMA_ROUNDS) throw error;
      context.logger.debug(
        { table: tableId, partition, op, round, expected },
        'schema version mismatch, re-encoding',
      );
      reencode(await context.schemas.version(tableId, expected));
    }
  }
}

/**
 * How a streamer batch's acknowledgement reports where it went: the primary it was meant for, the request's
 * bytes, and whether it was rerouted (sent to another node, which forwarded it, or answered with a newer
 * assignment).
 */
export function batchDelivery(sent: PrimaryReply<OpName>): {
  readonly node: string;
  readonly bytes: number;
  readonly rerouted: boolean;
} {
  const { reply, route } = sent;
  const sentTo = route.connection.nodeName;
  return {
    node: route.owner ?? sentTo,
    bytes: reply.bytes,
    rerouted: sentTo !== route.owner || reply.assignmentVersion !== undefined,
  };
}

/**
 * Requests one batch attempt may make: a schema reload, an assignment lookup, and per schema round the batch
 * and (on a mismatch) the expected schema version.
 */
const REQUESTS_PER_ATTEMPT = 2 * MAX_SCHEMA_ROUNDS + 1;

/**
 * Registers a run of `producerId` and says what the stream needs to know: the partition count, the run's
 * epoch, and the timeouts (an attempt is abandoned once every request it may make could have timed out).
 * @throws the request's errors (retryable ones are retried by the stream's opening).
 */
export async function registerProducer(
  context: TableContext,
  opening: SinkOpening,
  partitions: number,
): Promise<StreamerTopology> {
  const { producerId, runId, signal } = opening;
  const reply = await context.pool.request('PRODUCER_REGISTER', { producerId, runId }, undefined, { signal });
  const requestTimeoutMs = context.pool.requestTimeoutMs;
  return {
    partitions,
    epoch: reply.result.epoch,
    requestTimeoutMs,
    attemptTimeoutMs: requestTimeoutMs * REQUESTS_PER_ATTEMPT,
    ...(context.buggify === undefined ? {} : { buggify: context.buggify }),
  };
}

/** What a seal names. */
export interface SealTarget {
  readonly tableId: number;
  readonly partition: number;
  readonly producerId: string;
  readonly epoch: number;
}

/**
 * Seals `target.epoch` of the producer on the partition (see the module header); resolves with the highest
 * batch number of that epoch the partition applied.
 * @throws the last request's error when no request got an answer, or the first refusal no other path changes.
 */
export async function sealPartition(context: TableContext, target: SealTarget): Promise<number> {
  const tried = new Set<NodeConnection>();
  let lastError: unknown;
  for (let request = 1; request <= SEAL_ATTEMPTS; request++) {
    let route: PartitionRoute;
    try {
      route = await routeToPrimary(context, target.tableId, target.partition);
    } catch (error) {
      // No connection open, or the assignment could not be fetched: wait a little for a reconnection.
      lastError = error;
      if (!isRetryableError(error)) throw error;
      await context.clock.sleep(SEAL_PAUSE_MS * request);
      continue;
    }
    let connection = nextConnection(context, route, tried);
    if (connection === undefined && tried.size > 0) {
      // Every path answered something retryable (a partition moving, say): start over after a pause.
      tried.clear();
      await context.clock.sleep(SEAL_PAUSE_MS * request);
      connection = nextConnection(context, route, tried);
    }
    if (connection === undefined) break;
    tried.add(connection);
    try {
      const reply = await connection.request('STREAMER_SEAL', {
        tableId: target.tableId,
        partitionId: target.partition,
        ...addressOf(route, connection),
        producerId: target.producerId,
        epoch: target.epoch,
      });
      return reply.result.appliedSeq;
    } catch (error) {
      lastError = error;
      if (!isRetryableError(error)) throw error;
      context.logger.debug(
        {
          table: target.tableId,
          partition: target.partition,
          node: connection.nodeName,
          request,
          err: error,
        },
        'seal request failed, trying another path',
      );
    }
  }
  throw lastError;
}

/** The primary's connection if not tried yet, else the first open connection not tried yet. */
function nextConnection(
  context: TableContext,
  route: PartitionRoute,
  tried: ReadonlySet<NodeConnection>,
): NodeConnection | undefined {
  if (!tried.has(route.connection)) return route.connection;
  return context.pool.openConnections().find((connection) => !tried.has(connection));
}
