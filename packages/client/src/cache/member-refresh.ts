/**
 * Fetches a fresh member list when the pool hints that the cluster may have changed (a connection was lost).
 * The list travels with a table's partition assignment, so a refresh fetches the assignment of a table the
 * client knows: the first one cached, else the first the cluster lists (TABLES_GET); a cluster without
 * tables has no list to give. The assignment cache hands the list to the pool, which follows it.
 *
 * One refresh runs at a time; hints that arrive meanwhile cause one more after it, so a burst of lost
 * connections costs two requests, not one per connection. A refresh that fails (no connection open, the
 * table dropped) is logged and forgotten: the next hint tries again. It does not open or drop connections
 * (the pool does) and does not decide when the cluster changed (the pool's hints and the response flags do).
 */
import type { Logger } from '@datastreamer/protocol';
import type { Requester } from '../connection/requester.js';
import type { PartitionAssignmentCache } from './partition-assignment-cache.js';

export class MemberRefresh {
  readonly #assignments: PartitionAssignmentCache;
  readonly #requester: Requester;
  readonly #logger: Logger;
  #running = false;
  #again = false;

  constructor(assignments: PartitionAssignmentCache, requester: Requester, logger: Logger) {
    this.#assignments = assignments;
    this.#requester = requester;
    this.#logger = logger;
  }

  /** The cluster may have changed: fetch a member list now, or once more after the one under way. */
  hint(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = true;
    void this.#run();
  }

  async #run(): Promise<void> {
    do {
      this.#again = false;
      try {
        const tableId = this.#assignments.anyTableId() ?? (await this.#firstListedTable());
        if (tableId !== undefined) await this.#assignments.refresh(tableId);
      } catch (error) {
        this.#logger.debug(
          { error: error instanceof Error ? error.message : String(error) },
          'member list refresh failed',
        );
      }
    } while (this.#again);
    this.#running = false;
  }

  async #firstListedTable(): Promise<number | undefined> {
    const reply = await this.#requester.request('TABLES_GET', {});
    return reply.result[0]?.tableId;
  }
}
