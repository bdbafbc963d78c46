/**
 * The arguments of `RowIngest.putRangeInto` and `removeRangeInto`, named: which batch item to fill, the
 * schema version to check against, and where the row sits in a larger buffer (a decoded streamer batch's
 * message), read in place. Only shapes: it checks and copies nothing.
 *
 * `RowIngest` reads the fields during the call and keeps nothing, so a caller may fill one object per batch
 * and change its positions row by row (the streamer handler does: no object per row on the hot path).
 */
import type { IngestBatch } from './ingest-batch.js';
import type { RowContext } from './ingest-errors.js';
import type { RowShape } from './row-shape.js';

/** A REMOVE's key (or full row) read from `bytes[tupleStart..tupleEnd)` into item `index` of `batch`. */
export interface RemoveRange {
  batch: IngestBatch;
  index: number;
  /** The schema version the tuple was written with. */
  shape: RowShape;
  /** Whether an error names the row as one of a batch's or of a request's. */
  context: RowContext;
  bytes: Uint8Array;
  tupleStart: number;
  tupleEnd: number;
}

/** A PUT: {@link RemoveRange}'s fields for its tuple, and its `noValueSet` at `bytes[maskStart..maskEnd)`. */
export interface PutRange extends RemoveRange {
  maskStart: number;
  maskEnd: number;
}
