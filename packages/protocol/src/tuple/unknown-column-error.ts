/**
 * The error for a row property that is not a column of the schema the row was encoded with.
 *
 * It is an {@link InvalidValueError} (code `INVALID_ROW`, `column` = the property's name) that can be told
 * apart by `unknownColumn === true` (or `instanceof UnknownColumnError`): the client's cue that its schema may
 * be stale, so it reloads the schema once and encodes again before giving up.
 */
import { InvalidValueError } from '../errors/protocol-error.js';

export class UnknownColumnError extends InvalidValueError {
  override readonly name: string = 'UnknownColumnError';
  /** Always `true`: tells this error apart from other row errors without `instanceof`. */
  readonly unknownColumn = true as const;
  /** The table whose schema has no such column. */
  readonly tableName: string;
  /** The schema version the row was checked against. */
  readonly schemaVersion: number;

  constructor(property: string, tableName: string, schemaVersion: number) {
    super(
      property,
      `row property "${property}" is not a column of table "${tableName}" (schema version ${schemaVersion})`,
    );
    this.tableName = tableName;
    this.schemaVersion = schemaVersion;
  }
}
