/**
 * Typed reads of the fields of one parsed history line (history-json.ts), each failing with a
 * `HistoryError` that names the line and the field: strings, integers, finite numbers, decimal bigints,
 * index lists, table values, error codes, rows and details (through `json-value.ts`), an apply's origin.
 */
import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';
import { HistoryError } from './history-error.js';
import type { ApplyOrigin, HistoryRow } from './history-event.js';
import { decodeJsonValue, isPlainObject } from './json-value.js';

const DECIMAL_INTEGER = /^-?(?:0|[1-9]\d*)$/;

/** Typed reads of one parsed line's fields, each failing with the line and field named. */
export class LineReader {
  readonly #fields: Record<string, unknown>;
  readonly #where: string;

  constructor(fields: Record<string, unknown>, where: string) {
    this.#fields = fields;
    this.#where = where;
  }

  has(field: string): boolean {
    return Object.hasOwn(this.#fields, field);
  }

  only(allowed: readonly string[]): void {
    for (const field of Object.keys(this.#fields)) {
      if (!allowed.includes(field)) {
        throw new HistoryError('INVALID_ARGUMENT', `${this.#where}: unknown field ${JSON.stringify(field)}`);
      }
    }
  }

  string(field: string): string {
    const value = this.#get(field);
    if (typeof value !== 'string') this.#fail(field, 'a string', value);
    return value;
  }

  stringOrNull(field: string): string | null {
    const value = this.#get(field);
    if (value !== null && typeof value !== 'string') this.#fail(field, 'a string or null', value);
    return value;
  }

  boolean(field: string): boolean {
    const value = this.#get(field);
    if (typeof value !== 'boolean') this.#fail(field, 'a boolean', value);
    return value;
  }

  optionalString(field: string): string | undefined {
    return this.has(field) ? this.string(field) : undefined;
  }

  /** A safe integer >= 0. */
  integer(field: string): number {
    const value = this.#get(field);
    if (!Number.isSafeInteger(value) || (value as number) < 0) this.#fail(field, 'an integer >= 0', value);
    return value as number;
  }

  finite(field: string): number {
    const value = this.#get(field);
    if (typeof value !== 'number' || !Number.isFinite(value)) this.#fail(field, 'a finite number', value);
    return value;
  }

  bigint(field: string): bigint {
    const value = this.#get(field);
    if (typeof value !== 'string' || !DECIMAL_INTEGER.test(value)) {
      this.#fail(field, 'a decimal integer string', value);
    }
    return BigInt(value);
  }

  indexes(field: string): number[] {
    const value = this.#get(field);
    if (!Array.isArray(value) || !value.every((i) => Number.isSafeInteger(i) && i >= 0)) {
      this.#fail(field, 'an array of integers >= 0', value);
    }
    return value as number[];
  }

  oneOf<T extends string>(field: string, table: Readonly<Record<string, T>>): T {
    const value = this.#get(field);
    const allowed = Object.values(table);
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      this.#fail(field, `one of ${allowed.join(', ')}`, value);
    }
    return value as T;
  }

  errorCode(field: string): ErrorCode {
    const value = this.#get(field);
    if (typeof value !== 'string' || !Object.hasOwn(ErrorCodes, value))
      this.#fail(field, 'an error code', value);
    return value as ErrorCode;
  }

  row(field: string): HistoryRow | null {
    const value = this.#get(field);
    return value === null ? null : this.#object(field, value);
  }

  record(field: string): Readonly<Record<string, unknown>> {
    return this.#object(field, this.#get(field));
  }

  /** An apply's origin: `{ producerId, epoch, batchSeq }`, nothing else. */
  origin(field: string): ApplyOrigin {
    const value = this.#get(field);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.#fail(field, 'an object', value);
    const inner = new LineReader(value as Record<string, unknown>, `${this.#where}: ${field}`);
    inner.only(['producerId', 'epoch', 'batchSeq']);
    return {
      producerId: inner.string('producerId'),
      epoch: inner.integer('epoch'),
      batchSeq: inner.integer('batchSeq'),
    };
  }

  /** An ack's `earlierRun`: `{ epoch, batchSeq }`, nothing else. */
  earlierRun(field: string): { readonly epoch: number; readonly batchSeq: number } {
    const value = this.#get(field);
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.#fail(field, 'an object', value);
    const inner = new LineReader(value as Record<string, unknown>, `${this.#where}: ${field}`);
    inner.only(['epoch', 'batchSeq']);
    return { epoch: inner.integer('epoch'), batchSeq: inner.integer('batchSeq') };
  }

  #object(field: string, value: unknown): Record<string, unknown> {
    const decoded = decodeJsonValue(value, `${this.#where}: ${field}`);
    if (
      decoded === null ||
      typeof decoded !== 'object' ||
      Array.isArray(decoded) ||
      !isPlainObject(decoded)
    ) {
      this.#fail(field, 'an object', value);
    }
    return decoded as Record<string, unknown>;
  }

  #get(field: string): unknown {
    if (!this.has(field)) {
      throw new HistoryError('INVALID_ARGUMENT', `${this.#where}: missing field ${JSON.stringify(field)}`);
    }
    return this.#fields[field];
  }

  #fail(field: string, expected: string, value: unknown): never {
    const shown = JSON.stringify(value) ?? String(value);
    throw new HistoryError(
      'INVALID_ARGUMENT',
      `${this.#where}: field ${JSON.stringify(field)} must be ${expected}, got ${shown.slice(0, 80)}`,
    );
  }
}
