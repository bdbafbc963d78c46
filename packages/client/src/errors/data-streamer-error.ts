/**
 * The terminal error of a data stream. It says exactly what to send again: `failedItems`, every item taken
 * from the source that is not known to be applied, and `inDoubtItems`, the subset whose outcome stayed
 * unknown; its `code` is the code of the error that ended the stream, and it names the producer and epoch
 * the run wrote as.
 */
import type { ErrorCode } from '@datastreamer/protocol';
import { ClientError } from './client-error.js';

export interface DataStreamerErrorOptions<T> {
  /** The error that ended the stream. */
  readonly cause: unknown;
  /** The source items not known to be applied, in source order. */
  readonly failedItems: readonly T[];
  /** The subset of `failedItems` that may have been applied or may still apply. Default: none. */
  readonly inDoubtItems?: readonly T[];
  /** The producer the run wrote as; `undefined` when the stream failed before it registered. */
  readonly producerId?: string;
  /** The run's epoch; `undefined` when the stream failed before it registered. */
  readonly epoch?: number;
}

/**
 * A data stream ended without applying every item.
 *
 * Before rejecting, the stream sealed its epoch at every partition where a batch's outcome was unknown (an
 * attempt left and no answer came): the node answers what it applied and applies nothing more of this run.
 * So every item taken from the source is either applied or in `failedItems` (in source order), and an item
 * in `failedItems` but not in `inDoubtItems` was not applied and never will be. Only the partitions the seal
 * could not reach leave items in doubt: they may have been applied, or may still be by an attempt held in the
 * network, until a later run of the same producer registers (from then on no node applies this epoch).
 * Resuming with the same `producerId`, `failedItems` first and then the rest of the source, is therefore
 * always safe.
 */
export class DataStreamerError<T = unknown> extends ClientError {
  override readonly name: string = 'DataStreamerError';
  /** The source items not known to be applied, in the order the source produced them. */
  readonly failedItems: readonly T[];
  /** The subset of `failedItems` whose partition could not be sealed: applied or not, nobody knows yet. */
  readonly inDoubtItems: readonly T[];
  /** The producer the run wrote as (`undefined` when it failed before registering). */
  readonly producerId: string | undefined;
  /** The run's epoch (`undefined` when it failed before registering). */
  readonly epoch: number | undefined;

  constructor(code: ErrorCode, message: string, options: DataStreamerErrorOptions<T>) {
    super(code, message, { cause: options.cause });
    this.failedItems = options.failedItems;
    this.inDoubtItems = options.inDoubtItems ?? [];
    this.producerId = options.producerId;
    this.epoch = options.epoch;
  }
}
