/**
 * The shape of a receiver: user code deployed on the cluster under a name (see receiver-registry.ts) that a
 * node runs for each receiver batch (at least once; exactly once in effect with a transactional stream), on
 * the primary of the batch's partition, with the batch's payloads in order, the stream's argument and a
 * context whose `ignite` is the embedded API over the cluster's tables and transactions. It declares types
 * only.
 */
import type { EmbeddedTables } from './embedded-tables.js';
import type { EmbeddedTransactions } from './embedded-transactions.js';

/** What a receiver sees of the cluster: the same table views a client has, and transactions. */
export interface EmbeddedIgnite {
  /** The cluster's tables: `await ignite.tables.table('Plays')`, then `recordView()` or `keyValueView()`. */
  readonly tables: EmbeddedTables;
  /** `runInTransaction(async (tx) => ...)`: commit when the function resolves, abort when it throws. */
  readonly transactions: EmbeddedTransactions;
}

/** The second argument of every receiver call. */
export interface ReceiverContext {
  readonly ignite: EmbeddedIgnite;
  /** The node running the receiver (the primary of the batch's partition). */
  readonly nodeName: string;
  /** The name of the table the client streamed through (whose key decided the partition). */
  readonly tableName: string;
  /** The partition of that table the batch belongs to. */
  readonly partition: number;
}

/** What a receiver may return: its results for the batch (any number, in order), or nothing. */
export type ReceiverReturn<Result> = readonly Result[] | null | undefined;

/**
 * A receiver: called for each batch (at least once per batch; a transactional stream's batch commits its
 * table effects exactly once, see receiver-run.ts) with the batch's payloads in the order the client produced
 * them, the context, and the stream's argument (`null` when the client gave none). Payloads, argument and
 * results travel through the protocol's value codec. Throwing (or rejecting) fails the batch with
 * `RECEIVER_FAILED` "Streamer receiver failed: <message>", and so the client's stream (a retryable
 * transaction error fails only the attempt, see receiver-run.ts).
 *
 * @example
 * ```ts
 * const countPlays: DataStreamerReceiver<{ trackId: number }, null, number> = async (page, ctx) => {
 *   const plays = (await ctx.ignite.tables.table('Plays'))!.recordView();
 *   return ctx.ignite.transactions.runInTransaction(async (tx) => { ... });
 * };
 * ```
 */
export type DataStreamerReceiver<Payload = unknown, Arg = unknown, Result = unknown> = (
  page: readonly Payload[],
  context: ReceiverContext,
  arg: Arg,
) => ReceiverReturn<Result> | Promise<ReceiverReturn<Result>> | Promise<void> | void;
