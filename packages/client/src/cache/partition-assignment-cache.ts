/**
 * Which node is primary for each partition of each table, under the cluster's assignment version (one
 * version for the whole cluster, growing with every change).
 *
 * Responses that carry the assignment-changed flag report the node's newer version through
 * {@link PartitionAssignmentCache.noteVersion}; from then on every table whose cached assignment is older is
 * stale, and its next lookup fetches it again (concurrent lookups share one request). So batches sent after
 * a partition moved follow it. An assignment that comes with the cluster's member list (TOPOLOGY_DISCOVERY)
 * hands the list on to `onMembers` (the pool follows it). It does not pick connections (the pool does).
 */
import { type Buggify, neverBuggify } from '@datastreamer/protocol';
import type { ClusterMember, PartitionAssignment } from '@datastreamer/protocol/internal';
import type { Requester } from '../connection/requester.js';

/** Told of each member list fetched, with the assignment version it is as of. */
export type MembersListener = (members: readonly ClusterMember[], version: number) => void;

/** The client's partition-assignment cache. */
export class PartitionAssignmentCache {
  readonly #requester: Requester;
  readonly #tables = new Map<number, PartitionAssignment>();
  readonly #loading = new Map<number, Promise<PartitionAssignment>>();
  /** The newest assignment version heard of (from a fetched assignment or a response flag). */
  #latestKnown = 0;

  readonly #buggify: Buggify;
  readonly #onMembers: MembersListener | undefined;

  /**
   * @param buggify fault points (simulation only): `client.assignment-refresh` turns a hit of `get` into a fetch.
   * @param onMembers told of the member list of every assignment fetched that has one.
   */
  constructor(requester: Requester, buggify: Buggify = neverBuggify, onMembers?: MembersListener) {
    this.#requester = requester;
    this.#buggify = buggify;
    this.#onMembers = onMembers;
  }

  /** The id of some table whose assignment is cached (the first cached), if any. */
  anyTableId(): number | undefined {
    for (const tableId of this.#tables.keys()) return tableId;
    return undefined;
  }

  /** The newest assignment version the client has heard of. */
  get latestKnownVersion(): number {
    return this.#latestKnown;
  }

  /** A response said the cluster's assignment is at `version`: older cached assignments are now stale. */
  noteVersion(version: number): void {
    if (version > this.#latestKnown) this.#latestKnown = version;
  }

  /** The cached assignment of a table, stale or not, without asking the cluster. */
  cached(tableId: number): PartitionAssignment | undefined {
    return this.#tables.get(tableId);
  }

  /** Whether the table's cached assignment is missing or older than a version heard of since. */
  isStale(tableId: number): boolean {
    const cached = this.#tables.get(tableId);
    return cached === undefined || cached.assignmentVersion < this.#latestKnown;
  }

  /**
   * The table's current assignment: the cached one unless stale, else fetched.
   * @throws ProtocolError `TABLE_NOT_FOUND`; connection errors as requests do.
   */
  get(tableId: number): Promise<PartitionAssignment> {
    const cached = this.#tables.get(tableId);
    if (
      cached !== undefined &&
      cached.assignmentVersion >= this.#latestKnown &&
      !this.#buggify('client.assignment-refresh')
    ) {
      return Promise.resolve(cached);
    }
    return this.refresh(tableId);
  }

  /** Fetches the table's assignment now (a fetch already under way is shared). */
  refresh(tableId: number): Promise<PartitionAssignment> {
    const inFlight = this.#loading.get(tableId);
    if (inFlight !== undefined) return inFlight;
    const loading = this.#load(tableId).finally(() => {
      this.#loading.delete(tableId);
    });
    this.#loading.set(tableId, loading);
    return loading;
  }

  /**
   * Fetches the table's assignment from `node` (any open connection when it has none), not shared with other
   * fetches: the member refresh asks every node it reaches at once, so one that is cut off cannot hold it up.
   */
  fetchFrom(tableId: number, node: string): Promise<PartitionAssignment> {
    return this.#load(tableId, node);
  }

  /** Drops a table's assignment. */
  forget(tableId: number): void {
    this.#tables.delete(tableId);
  }

  async #load(tableId: number, node?: string): Promise<PartitionAssignment> {
    const reply = await this.#requester.request('PARTITION_ASSIGNMENT_GET', { tableId }, node);
    const assignment = reply.result;
    const cached = this.#tables.get(tableId);
    // Answers may overtake each other: never replace a newer assignment with an older one.
    if (cached === undefined || cached.assignmentVersion <= assignment.assignmentVersion) {
      this.#tables.set(tableId, assignment);
    }
    this.noteVersion(assignment.assignmentVersion);
    if (assignment.nodes !== undefined) this.#onMembers?.(assignment.nodes, assignment.assignmentVersion);
    return this.#tables.get(tableId) ?? assignment;
  }
}
