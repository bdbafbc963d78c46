/**
 * Batches routed under an assignment that is not the newest (a node's copy of the assignments may be behind
 * the metastorage, see node-core.ts). A streamer batch, a receiver batch and a seal travel between nodes with
 * the assignment version the sending node routed them by (their `assignmentVersion`), and every handler sends
 * one on through `sendOn`:
 *
 * - the node that receives one and cannot serve it nor send it on refuses it with `NOT_PRIMARY`, naming the
 *   owner and the version it knows that at (`refuseRouted`): nothing of it was applied, and the sender learns
 *   that its assignment is older (counted as a stale-assignment refusal) or not;
 * - a batch from a newer assignment than the receiving node knows is answered `STALE_METADATA`: the node
 *   catches up with the metastorage and serves it once more (request-router.ts), or, cut off, the retryable
 *   error goes back;
 * - a forwarding node refused under a newer assignment than the one it routed by refreshes its copy (a read
 *   barrier through the metastorage) and, once its copy holds that version, routes the batch again; cut off,
 *   it passes the retryable refusal back, and the client retries later. Each time it routes again its
 *   assignment is strictly newer, so this ends.
 *
 * It decides no ownership (node-core.ts does) and applies nothing.
 */
import { ErrorExtensionKeys, type TableSchema } from '@datastreamer/protocol';
import type { ServerError } from '../errors/server-error.js';
import type { NodeContext } from './node-context.js';
import { notPrimary } from './request-checks.js';

/** A route to another node, with the assignment version it was decided under. */
export interface RemoteRoute {
  readonly owner: string;
  readonly version: number;
}

/**
 * The refusal of a batch (routed by its sender under `requestVersion`) for a partition `route.owner` owns,
 * when this node may not send it on (see the module header).
 */
function refuseRouted(
  node: NodeContext,
  schema: TableSchema,
  partition: number,
  route: RemoteRoute,
  requestVersion: number,
): ServerError {
  const metastorage = node.metastorage;
  if (metastorage !== undefined && requestVersion > route.version) {
    return metastorage.staleError(`assignment version ${requestVersion}`);
  }
  if (requestVersion < route.version) node.metrics.staleAssignmentRefusals++;
  return notPrimary(node, schema, partition, route);
}

/**
 * Sends `batch` to `route.owner` (through `send`) stamped with the version it was routed by; when the owner
 * refuses it under a newer assignment, catches up and runs `again` (routing it anew), as the module header says.
 */
async function forwardRouted<B extends { readonly assignmentVersion: number }, T>(
  node: NodeContext,
  route: RemoteRoute,
  batch: B,
  send: (owner: string, batch: B) => Promise<T>,
  again: () => T | Promise<T>,
): Promise<T> {
  try {
    return await send(route.owner, { ...batch, assignmentVersion: route.version });
  } catch (error) {
    const newer = newerAssignmentOf(error);
    const metastorage = node.metastorage;
    if (newer === undefined || newer <= route.version || metastorage === undefined) throw error;
    node.metrics.assignmentRefreshes++;
    if (node.controlPlane.assignments.version < newer) await metastorage.sync();
    if (node.controlPlane.assignments.version < newer) throw error;
    return again();
  }
}

/**
 * A batch for a partition another node owns: sent on with `send` while `hops` allows (`null`: it may not be,
 * refused as {@link refuseRouted} says), as {@link forwardRouted} says.
 * @throws ServerError as `refuseRouted` (synchronously).
 */
export function sendOn<B extends { readonly assignmentVersion: number; readonly partitionId: number }, T>(
  node: NodeContext,
  schema: TableSchema,
  route: RemoteRoute,
  batch: B,
  hops: number | null,
  send: (owner: string, batch: B, hops: number) => Promise<T>,
  again: () => T | Promise<T>,
): Promise<T> {
  if (hops === null) throw refuseRouted(node, schema, batch.partitionId, route, batch.assignmentVersion);
  return forwardRouted(node, route, batch, (owner, routed) => send(owner, routed, hops), again);
}

/** The assignment version a `NOT_PRIMARY` refusal from another node was decided under, if it says. */
function newerAssignmentOf(error: unknown): number | undefined {
  if (!(error instanceof Error) || (error as { readonly code?: unknown }).code !== 'NOT_PRIMARY')
    return undefined;
  const extensions = (error as { readonly extensions?: Readonly<Record<string, unknown>> }).extensions;
  const version = extensions?.[ErrorExtensionKeys.assignmentVersion];
  return typeof version === 'number' ? version : undefined;
}
