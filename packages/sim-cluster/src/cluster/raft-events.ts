/**
 * The replicated partitions' leadership as topology events of the history: an `election` when a node
 * becomes leader of a partition's Raft group, a `lease` when the placement driver grants a lease to a new
 * holder or term. It records nothing else (applies: apply-recording.ts; faults: the network).
 */
import type { ClusterNode, LeaseEvent } from '@datastreamer/server-node';
import type { History } from '../history/history.js';

/** Records every election `node` (called `name`) wins, naming tables by `tableName`. */
export function recordElections(
  node: ClusterNode,
  name: string,
  history: History,
  tableName: (tableId: number) => string,
): void {
  node.onRoleChange((tableId, partition, change) => {
    if (change.role !== 'leader') return;
    history.recordTopology({
      kind: 'election',
      table: tableName(tableId),
      partition,
      node: name,
      term: change.term,
    });
  });
}

/** Records a lease granted to a new holder or term, naming the table by `tableName`. */
export function recordLease(
  event: LeaseEvent,
  history: History,
  tableName: (tableId: number) => string,
): void {
  const { lease } = event;
  history.recordTopology({
    kind: 'lease',
    table: tableName(lease.tableId),
    partition: lease.partition,
    node: lease.holder,
    term: lease.term,
    startMs: lease.startMs,
    expiresAtMs: lease.expiresAtMs,
  });
}
