/**
 * Durability for a replica's answers, with at most one sync in flight: work that must wait until everything
 * written so far is durable joins the next sync, which starts when the one in flight completes. A burst of
 * appends then costs two syncs, not one each (group commit), and the waiting work runs in the order it
 * arrived.
 *
 * It does not write anything itself; a crash simply means the callbacks never run.
 */

export interface Syncable {
  sync(onDurable: () => void): void;
}

export class GroupCommit {
  readonly #target: Syncable;
  #inFlight = false;
  #waiting: (() => void)[] = [];

  constructor(target: Syncable) {
    this.#target = target;
  }

  /** Runs `work` once every change written before this call is durable (at once if nothing is pending). */
  whenDurable(work: () => void): void {
    this.#waiting.push(work);
    if (!this.#inFlight) this.#startSync();
  }

  #startSync(): void {
    const batch = this.#waiting;
    this.#waiting = [];
    this.#inFlight = true;
    this.#target.sync(() => {
      this.#inFlight = false;
      for (const work of batch) work();
      if (this.#waiting.length > 0 && !this.#inFlight) this.#startSync();
    });
  }
}
