/**
 * Fault points inside the code, after FoundationDB's BUGGIFY. Where the code has a rare branch that whole-run
 * faults seldom reach (a buffer that must grow, a timeout that fires early, a refusal a node almost never
 * sends), it asks `buggify('point')` and takes the rare branch when that is true. Outside simulation it is
 * never true: the default everywhere is {@link neverBuggify}. A simulated cluster on virtual time hands each
 * node and client one function that enables a seed-drawn subset of the points and fires an enabled point with
 * a small probability each time it is reached (sim-cluster's `BuggifyRun`), so a seed still replays exactly.
 *
 * The points are the table below, by name, with what firing does: a name that is not in it does not compile,
 * and the simulation's tallies know every point there is. A point must only ever make the code take a path it
 * could take anyway (under some timing, load or fault), never one that breaks a guarantee on its own.
 */

/** Every fault point, by name, with what it does when it fires. */
export const BuggifyPoints = {
  'frame.byte-at-a-time': 'a frame decoder is handed a received chunk one byte at a time',
  'streamer.attempt-timeout-early':
    'a batch attempt is abandoned as timed out after 1 ms (its request aborted), then retried',
  'client.schema-reload':
    "the client's schema cache treats a hit as a miss and loads the table's schema again",
  'client.assignment-refresh':
    "the client's partition-assignment cache treats a hit as a miss and loads the assignment again",
  'streamer.auto-flush-now':
    "a partition's auto-flush timer fires at once instead of after autoFlushInterval",
  'streamer.page-split': 'the open batch of a page’s last item is sealed and sent early, however small',
  'node.refuse-before-apply':
    'a node refuses a streamer batch with the retryable OVERLOADED before applying it',
  'node.refuse-after-apply':
    'a node applies and commits a streamer batch, then answers the retryable OVERLOADED instead of the ack',
  'storage.arena-tiny': "a node's batch arena starts at a few bytes, so it grows in the middle of a batch",
  'storage.gc-every-commit': "a partition store sweeps every key's old versions right after a commit",
  'tx.conflict': 'a transaction fails its prepare with the retryable TX_CONFLICT and is aborted',
  'raft.election-timeout-early':
    "a Raft replica's election timer is armed at 1 ms instead of a drawn timeout",
  'raft.snapshot-now':
    'a Raft replica snapshots its state and compacts its log right after applying an entry',
} as const;

export type BuggifyPoint = keyof typeof BuggifyPoints;

/** Asks whether a fault point takes its rare branch now (see the module header). */
export type Buggify = (point: BuggifyPoint) => boolean;

/** Outside simulation: no point ever fires. */
export const neverBuggify: Buggify = () => false;

/** The names of every point, in the table's order. */
export function buggifyPointNames(): readonly BuggifyPoint[] {
  return Object.keys(BuggifyPoints) as BuggifyPoint[];
}
