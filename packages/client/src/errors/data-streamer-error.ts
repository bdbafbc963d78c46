/**
 * The terminal error of a data stream. It carries the source items that were not applied, so the caller can
 * retry or log exactly those; its `code` is the code of the error that ended the stream.
 */
import type { ErrorCode } from '@datastreamer/protocol';
import { ClientError } from './client-error.js';

export interface DataStreamerErrorOptions<T> {
  /** The error that ended the stream. */
  readonly cause: unknown;
  /** The source items not applied, in source order. */
  readonly failedItems: readonly T[];
}

/**
 * A data stream ended without applying every item. Every item taken from the source is either applied or in
 * `failedItems` (in source order). An item of a batch whose outcome is unknown (in flight when the stream was
 * cancelled) is reported failed although the cluster may have applied it: retrying it is safe, since a
 * batch's operations are PUTs and REMOVEs.
 */
export class DataStreamerError<T = unknown> extends ClientError {
  override readonly name: string = 'DataStreamerError';
  /** The source items not applied, in the order the source produced them. */
  readonly failedItems: readonly T[];

  constructor(code: ErrorCode, message: string, options: DataStreamerErrorOptions<T>) {
    super(code, message, { cause: options.cause });
    this.failedItems = options.failedItems;
  }
}
