/**
 * `ctx.ignite.transactions`: `runInTransaction(async (tx) => ...)` for receivers. In a transactional receiver
 * (`receiverTransaction: 'batch'`) there is one transaction for the whole batch, committed with the batch's
 * fence update after the receiver returns: `runInTransaction` then runs its function inside it (no commit of
 * its own, no conflict retry: a conflict fails the batch, which the client retries as a whole).
 */
import { ServerError } from '../../errors/server-error.js';
import type { NodeContext } from '../node-context.js';
import { ReceiverTransaction } from './receiver-transaction.js';

/** Default number of runs of a transaction function that keeps hitting write-write conflicts. */
export const DEFAULT_TX_ATTEMPTS = 3;
const MAX_TX_ATTEMPTS = 100;
/** The wait before the second run after a conflict, doubled for each run after it, up to the maximum. */
const CONFLICT_BACKOFF_MS = 2;
const MAX_CONFLICT_BACKOFF_MS = 200;

/** Options of {@link EmbeddedTransactions.runInTransaction}. */
export interface RunInTransactionOptions {
  /** Runs of the function in all when it keeps hitting `TX_CONFLICT` (1..100). Default 3. */
  readonly maxAttempts?: number;
}

/** `ctx.ignite.transactions`. */
export class EmbeddedTransactions {
  readonly #node: NodeContext;
  readonly #epoch: number;
  readonly #ambient: ReceiverTransaction | undefined;

  /**
   * @internal Made per receiver call.
   * @param ambient a transactional receiver's batch transaction: `runInTransaction` runs inside it.
   */
  constructor(node: NodeContext, epoch: number, ambient?: ReceiverTransaction) {
    this.#node = node;
    this.#epoch = epoch;
    this.#ambient = ambient;
  }

  /**
   * Runs `work` in a new transaction: commits when it resolves (and resolves with its value), aborts when it
   * throws or rejects (and rejects with that error). A write-write conflict, raised by a write or by the
   * commit, runs `work` again in a new transaction after a short wait (2 ms, doubled each time, at most 200 ms,
   * on the node's clock), up to `maxAttempts` runs (default 3), then rejects with the `TX_CONFLICT` error. In a transactional receiver, `work` runs in the batch's transaction instead (its
   * effects commit, or not, with the batch).
   *
   * @throws ServerError `INVALID_ARGUMENT` for a bad option; `NODE_UNAVAILABLE` when the node crashed
   *   meanwhile (nothing committed, or a two-phase commit the restart finishes); `TX_CONFLICT`;
   *   `PARTITION_MOVED`; a participant's "no" vote; whatever `work` throws.
   */
  async runInTransaction<T>(
    work: (tx: ReceiverTransaction) => T | Promise<T>,
    options: RunInTransactionOptions = {},
  ): Promise<T> {
    if (typeof work !== 'function') {
      throw new ServerError('INVALID_ARGUMENT', 'runInTransaction: expected a function (tx) => ...');
    }
    const attempts = options.maxAttempts ?? DEFAULT_TX_ATTEMPTS;
    if (!Number.isInteger(attempts) || attempts < 1 || attempts > MAX_TX_ATTEMPTS) {
      throw new ServerError(
        'INVALID_ARGUMENT',
        `runInTransaction: maxAttempts must be an integer in 1..${MAX_TX_ATTEMPTS}, got ${String(attempts)}`,
      );
    }
    if (this.#ambient !== undefined) return await work(this.#ambient);
    for (let attempt = 1; ; attempt++) {
      const tx = new ReceiverTransaction(this.#node, this.#epoch);
      try {
        const value = await work(tx);
        await tx.commit();
        return value;
      } catch (error) {
        await tx.abort();
        const conflict = error instanceof ServerError && error.code === 'TX_CONFLICT';
        if (conflict) this.#node.metrics.conflicts++;
        if (!conflict || attempt >= attempts) throw error;
        // The other writer may need a round trip or two to finish (a two-phase commit whose decision is on its
        // way): wait a little longer each time rather than spending every run at once.
        const delayMs = Math.min(CONFLICT_BACKOFF_MS * 2 ** (attempt - 1), MAX_CONFLICT_BACKOFF_MS);
        this.#node.log.debug(
          { txId: tx.id, attempt, delayMs },
          'receiver transaction conflicted, running it again',
        );
        await this.#node.clock.sleep(delayMs);
      }
    }
  }
}
