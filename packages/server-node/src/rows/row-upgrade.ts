/**
 * The read path of rows: a stored row becomes the `rowResult` a client gets, always in the table's latest
 * schema. A row written under the latest version is returned as a view of its tuple (no copy: the response
 * encoder copies it into the frame). A row written under an older version is upgraded: columns are only ever
 * appended (the catalog adds columns at the end), so its elements are kept and each newer column gets its
 * default, or NULL when it has none.
 *
 * It does not decode values and is not reentrant (one layout and writer per instance).
 */
import type { RowResult } from '@datastreamer/protocol/internal';
import { ServerError } from '../errors/server-error.js';
import type { RowShape } from './row-shape.js';
import { storedRowTuple, storedRowVersion } from './stored-row.js';
import { TupleLayout } from './tuple-layout.js';
import { TupleWriter } from './tuple-writer.js';

/** Column counts of a table's older schema versions, by version. */
export type ColumnCountOf = (version: number) => number | undefined;

export class RowUpgrade {
  readonly #layout = new TupleLayout();
  readonly #writer = new TupleWriter();

  /**
   * The stored row as a row of `latest`'s version.
   *
   * @param columnCountOf the column count of the version the row was written with.
   * @throws ServerError `INTERNAL` when the stored row names a version the catalog does not have, or its tuple
   *   does not fit that version (stored data the node wrote itself: a bug, never bad input).
   */
  toLatest(stored: Uint8Array, latest: RowShape, columnCountOf: ColumnCountOf): RowResult {
    const version = storedRowVersion(stored);
    const tuple = storedRowTuple(stored);
    if (version === latest.version) return { schemaVersion: version, row: tuple };
    const oldCount = version < latest.version ? columnCountOf(version) : undefined;
    if (oldCount === undefined || oldCount > latest.columnCount) {
      throw new ServerError(
        'INTERNAL',
        `a stored row of table "${latest.schema.tableName}" names schema version ${version}, ` +
          `which cannot be upgraded to version ${latest.version}`,
      );
    }
    const layout = this.#layout;
    const problem = layout.reset(tuple, oldCount);
    if (problem !== null) {
      layout.release();
      throw new ServerError(
        'INTERNAL',
        `a stored row of table "${latest.schema.tableName}" does not fit schema version ${version}: ${problem}`,
      );
    }
    const writer = this.#writer.reset();
    for (let c = 0; c < oldCount; c++) writer.add(tuple, layout.start(c), layout.end(c));
    layout.release();
    for (let c = oldCount; c < latest.columnCount; c++) writer.addBytes(latest.defaults[c] ?? null);
    return { schemaVersion: latest.version, row: writer.build(0) };
  }
}
