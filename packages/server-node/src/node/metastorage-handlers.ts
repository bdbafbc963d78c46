/**
 * Handlers of the metastorage ops (node to node, PROTOCOL.md 5.16): META_PROPOSE, a change for the
 * metastorage group's leader, and META_WATCH, a watch of the committed changes a member applied. Both are
 * served by this node's replica of the group (metastorage/node-metastorage.ts); a node that holds none, or a
 * member that does not lead (a proposal), answers the retryable `NOT_PRIMARY`, naming the leader it knows.
 * Its Raft messages (RAFT_* with the group `metastorage`) are routed by node-handlers.ts.
 */
import type { RequestOf } from '@datastreamer/protocol';
import type { MetaProposeResult, MetaWatchResult } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { NodeMetastorage } from '../metastorage/node-metastorage.js';
import type { NodeContext, RequestContext } from './node-context.js';
import { requireNodePeer } from './node-handlers.js';

function metastorageOf(node: NodeContext, op: string): NodeMetastorage {
  const metastorage = node.metastorage;
  if (metastorage === undefined) {
    throw new ServerError('NOT_PRIMARY', `${op}: ${node.name} is in a cluster without a metastorage`, {
      extensions: { leader: null },
    });
  }
  return metastorage;
}

/** META_PROPOSE: a change, applied by this member if it leads the metastorage group. */
export function metaPropose(
  node: NodeContext,
  request: RequestOf<'META_PROPOSE'>,
  context: RequestContext,
): Promise<MetaProposeResult> {
  requireNodePeer(request.op, context);
  return metastorageOf(node, request.op).serveProposal(request.command);
}

/** META_WATCH: the changes after the watcher's revision, from this member's replica. */
export async function metaWatch(
  node: NodeContext,
  request: RequestOf<'META_WATCH'>,
  context: RequestContext,
): Promise<MetaWatchResult> {
  requireNodePeer(request.op, context);
  const batch = await metastorageOf(node, request.op).watch(
    request.prefix,
    request.fromRevision,
    request.waitMs,
  );
  return batch.kind === 'events'
    ? { revision: batch.revision, reset: false, events: batch.events }
    : {
        revision: batch.revision,
        reset: true,
        events: batch.entries.map((e) => ({ revision: e.modRevision, key: e.key, value: e.value })),
      };
}
