/**
 * `KeyedRows`: the form of a batch of rows held as bytes, which the store's streamer path applies
 * (tx/apply-batch.ts) and `IngestBatch` builds (ingest-batch.ts). A type only: it holds no rows and checks
 * nothing.
 */

/**
 * A batch held as bytes: item `i` is the key in `keyBytes[keyStarts[i], keyStarts[i] + keyLengths[i])` and
 * either the row in `rowBytes[rowStarts[i], rowStarts[i] + rowLengths[i])` to upsert, or a REMOVE when
 * `rowLengths[i]` is -1. Keys in one buffer and rows in another, so a batch costs no object per item and its
 * rows can be copied into the store as one block (see ingest-batch.ts, which builds it).
 */
export interface KeyedRows {
  /** Items in the batch (the typed arrays may be longer). */
  readonly count: number;
  readonly keyBytes: Uint8Array;
  readonly rowBytes: Uint8Array;
  readonly keyStarts: Int32Array;
  readonly keyLengths: Int32Array;
  readonly rowStarts: Int32Array;
  /** -1 for a REMOVE. */
  readonly rowLengths: Int32Array;
}
