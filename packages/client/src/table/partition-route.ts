/**
 * Where a request for one partition goes, and the producer calls both streamer sinks make:
 *
 * - `routeToPrimary`: the partition's primary per the assignment cache (refreshed when a response flagged a
 *   change) and the connection to it, or any open connection when that one is down (the node forwards).
 * - `registerProducer`: PRODUCER_REGISTER on any open connection: the run's epoch.
 * - `sealPartition`: STREAMER_SEAL of the run's epoch on one partition, bounded: to the primary first, and
 *   when that does not answer within the request timeout (or answers that it is not the owner), through each
 *   other open connection in turn (that node forwards it), at most {@link SEAL_ATTEMPTS} requests in all
 *   (when every path answered something retryable, it starts over after a short pause).
 *   A refusal that no other path can change (`PRODUCER_FENCED`: a newer run of the producer wrote to the
 *   partition, so what this one applied is no longer known) ends it at once.
 *
 * It does not retry batches (the streamer core does) nor encode anything (the sinks do).
 */
import type { PartitionAssignment } from '@datastreamer/protocol';
import type { NodeConnection } from '../connection/node-connection.js';
import { isRetryableError } from '../streamer/retry-policy.js';
import type { SinkOpening, StreamerTopology } from '../streamer/streamer-sink.js';
import { MAX_SCHEMA_ROUNDS } from './schema-errors.js';
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
 * The route of `partition` of table `tableId`.
 * @throws the assignment lookup's errors; ClientError `NODE_UNAVAILABLE` (retryable) when no connection is
 *   open, `CLOSED` once the client closed.
 */
export async function routeToPrimary(
  context: TableContext,
  tableId: number,
  partition: number,
): Promise<PartitionRoute> {
  const assignment = await context.assignments.get(tableId);
  const owner = assignment.owners[partition] ?? null;
  return { assignment, owner, connection: context.pool.pick(owner) };
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
        targetNode: route.owner ?? connection.nodeName,
        assignmentVersion: route.assignment.assignmentVersion,
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
