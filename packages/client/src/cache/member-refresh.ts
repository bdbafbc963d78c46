/**
 * Fetches a fresh member list when the cluster may have changed (the pool lost a connection, a response
 * carried a newer assignment version). The list travels with a table's partition assignment, so a refresh
 * fetches the assignment of a table the client knows: the first whose assignment is cached, else the first
 * it looked up, else the first the cluster lists (TABLES_GET); a cluster without tables has no list to give. It asks every node it has a connection to at
 * once: when nodes are leaving one after the other, or one link is cut, the first answer is what lets the
 * client reach the nodes that joined before its last connection goes. The assignment cache hands each list
 * to the pool, which follows the newest.
 *
 * One refresh runs at a time; hints that arrive meanwhile cause one more after it, so a burst of lost
 * connections costs two requests, not one per connection. A refresh that fails (no connection open, the
 * table dropped) is logged and forgotten: the next hint tries again. It does not open or drop connections
 * (the pool does) and does not decide when the cluster changed (the pool's hints and the response flags do).
 */
import type { Logger } from '@datastreamer/protocol';
import type { Requester } from '../connection/requester.js';
import type { PartitionAssignmentCache } from './partition-assignment-cache.js';
import type { TableCache } from './table-cache.js';

/** What a refresh reads and asks through. */
export interface MemberRefreshOptions {
  readonly assignments: PartitionAssignmentCache;
  readonly tables: TableCache;
  readonly requester: Requester;
  /** The nodes the client has an open connection to now. */
  readonly openNodes: () => readonly string[];
  readonly logger: Logger;
}

export class MemberRefresh {
  readonly #options: MemberRefreshOptions;
  #running = false;
  #again = false;

  constructor(options: MemberRefreshOptions) {
    this.#options = options;
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
        const { assignments, tables, openNodes } = this.#options;
        const tableId = assignments.anyTableId() ?? tables.anyTableId() ?? (await this.#firstListedTable());
        if (tableId !== undefined) {
          const asked = openNodes().map((node) => assignments.fetchFrom(tableId, node));
          // One answer is enough; the others only confirm it (or carry a newer list).
          if (asked.length > 0) await Promise.any(asked);
        }
      } catch (error) {
        this.#options.logger.debug(
          { error: error instanceof Error ? error.message : String(error) },
          'member list refresh failed',
        );
      }
    } while (this.#again);
    this.#running = false;
  }

  async #firstListedTable(): Promise<number | undefined> {
    const reply = await this.#options.requester.request('TABLES_GET', {});
    return reply.result[0]?.tableId;
  }
}
