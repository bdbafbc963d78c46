/**
 * A primary's side of its proposals: the commands it appended and waits for (each answered with what the
 * state machine did, once its log index is applied with the term it was proposed in), the write intents it
 * holds for them, and the intents it keeps for transactions prepared on the partition (until their finish
 * applies). It is the `LocalIntents` the state machine asks while applying.
 *
 * A command that did not commit with its leadership (another entry took its index) is answered `NO_QUORUM`:
 * not applied. When the replica stops leading, every waiting proposal is answered `NO_QUORUM` with an
 * unknown outcome (its entry may still commit under the next leader), and every intent is forgotten (the
 * store drops them: `MvccPartitionStore.dropIntents`).
 */
import { ErrorExtensionKeys } from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import type { PartitionTx } from '../storage/partition-tx.js';
import type { CommandOutcome, LocalIntents } from './partition-state-machine.js';

interface Pending {
  readonly term: number;
  readonly ptx: PartitionTx | undefined;
  readonly resolve: (outcome: CommandOutcome) => void;
  readonly reject: (error: ServerError) => void;
}

export class ProposalTracker implements LocalIntents {
  readonly #group: string;
  readonly #onHold: (txId: string) => void;
  readonly #pending = new Map<number, Pending>();
  readonly #held = new Map<string, PartitionTx>();

  /**
   * @param group names the group in errors.
   * @param onHold told when a transaction this replica prepared starts waiting for its outcome.
   */
  constructor(group: string, onHold: (txId: string) => void = () => {}) {
    this.#group = group;
    this.#onHold = onHold;
  }

  /** Proposals waiting for their entry to apply. */
  get size(): number {
    return this.#pending.size;
  }

  /** Intents kept for prepared transactions. */
  get heldCount(): number {
    return this.#held.size;
  }

  /** Waits for the command appended at `index` in `term`; `ptx` holds its writes as intents, if it has any. */
  track(index: number, term: number, ptx: PartitionTx | undefined): Promise<CommandOutcome> {
    return new Promise<CommandOutcome>((resolve, reject) => {
      this.#pending.set(index, { term, ptx, resolve, reject });
    });
  }

  bound(index: number, term: number): PartitionTx | undefined {
    const pending = this.#pending.get(index);
    return pending !== undefined && pending.term === term ? pending.ptx : undefined;
  }

  settle(index: number, term: number, outcome: CommandOutcome): void {
    const pending = this.#pending.get(index);
    if (pending === undefined) return;
    this.#pending.delete(index);
    if (pending.term === term) {
      pending.resolve(outcome);
      return;
    }
    pending.reject(
      new ServerError(
        'NO_QUORUM',
        `the write was not applied: ${this.#group} lost its leadership before it committed; retry`,
      ),
    );
  }

  hold(txId: string, ptx: PartitionTx): void {
    this.#held.set(txId, ptx);
    this.#onHold(txId);
  }

  release(txId: string): PartitionTx | undefined {
    const ptx = this.#held.get(txId);
    this.#held.delete(txId);
    return ptx;
  }

  /** Whether intents are kept for prepared `txId`. */
  holds(txId: string): boolean {
    return this.#held.has(txId);
  }

  /**
   * The replica stopped leading (or stopped): every waiting proposal fails with `reason`'s code (its outcome
   * unknown), and the intents are forgotten (the caller drops them from the store first).
   */
  abandon(code: 'NO_QUORUM' | 'NODE_UNAVAILABLE', reason: string): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    this.#held.clear();
    for (const entry of pending) {
      entry.reject(
        new ServerError(code, `${reason}; the write may or may not have been applied (${this.#group})`, {
          extensions: { [ErrorExtensionKeys.inDoubt]: true },
        }),
      );
    }
  }
}
