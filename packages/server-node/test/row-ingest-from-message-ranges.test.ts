/**
 * A decoded streamer batch hands the node each row as ranges of the received message (`StreamerRowRanges`),
 * and `RowIngest.putRangeInto` / `removeRangeInto` read them there. Risks covered: a range variant reading
 * bytes next to the row (the message holds other rows and fields around it), or checking, defaulting or
 * refusing a row otherwise than the array form does (the INVALID_ROW message names the row and column).
 */
import { RowCodec, type TableSchema } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IngestBatch } from '../src/rows/ingest-batch.js';
import { RowIngest } from '../src/rows/row-ingest.js';
import { RowShape } from '../src/rows/row-shape.js';
import { storedRowTuple } from '../src/rows/stored-row.js';
import { caughtOrNone } from './support/caught.js';

/** Key columns out of order, a defaulted and a nullable column, and more than 8 columns (two mask bytes). */
const wide: TableSchema = {
  tableId: 4,
  tableName: 'Wide',
  version: 2,
  columns: [
    { name: 'Note', type: 'STRING', nullable: true },
    { name: 'User', type: 'STRING' },
    { name: 'Secs', type: 'INT32', nullable: true, default: 30 },
    { name: 'Day', type: 'DATE' },
    { name: 'A', type: 'INT8', nullable: true },
    { name: 'B', type: 'INT16', nullable: true },
    { name: 'C', type: 'INT64', nullable: true },
    { name: 'D', type: 'BOOLEAN', nullable: true, default: true },
    { name: 'E', type: 'DOUBLE', nullable: true },
    { name: 'Track', type: 'INT64' },
  ],
  keyColumns: [9, 1, 3],
  colocationColumns: [9],
  partitions: 1,
};
const shape = new RowShape(wide);
const codec = new RowCodec(wide);

const value = fc.record(
  {
    Note: fc.option(fc.string({ maxLength: 30 }), { nil: null }),
    User: fc.constantFrom('ann', 'bob'),
    Secs: fc.option(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), { nil: null }),
    Day: fc.constantFrom('2024-02-29', '1999-12-31'),
    A: fc.option(fc.integer({ min: -128, max: 127 }), { nil: null }),
    D: fc.option(fc.boolean(), { nil: null }),
    Track: fc.bigInt({ min: 0n, max: 9n }),
  },
  // Columns left out are unset: defaults apply, or NULL.
  { requiredKeys: ['User', 'Day', 'Track'] },
);

/** `parts` laid out one after another after `lead` junk bytes, with junk between: their offsets and all bytes. */
function embed(lead: Uint8Array, parts: Uint8Array[]): { bytes: Uint8Array; starts: number[] } {
  const starts: number[] = [];
  const chunks: number[] = [...lead];
  for (const part of parts) {
    starts.push(chunks.length);
    chunks.push(...part, 0xff);
  }
  // A view at a non-zero offset of a larger buffer, as a frame of a chunk is.
  const backing = new Uint8Array(chunks.length + 3);
  backing.set(chunks, 3);
  return { bytes: backing.subarray(3), starts };
}

/** The key and stored row item `index` of `batch` holds, as plain arrays. */
function item(batch: IngestBatch, index: number): { key: number[]; row: number[] | null } {
  const keyStart = batch.keyStarts[index] ?? -1;
  const key = [...batch.keyBytes.subarray(keyStart, keyStart + (batch.keyLengths[index] ?? 0))];
  const rowLength = batch.rowLengths[index] ?? -1;
  if (rowLength < 0) return { key, row: null };
  const rowStart = batch.rowStarts[index] ?? -1;
  return { key, row: [...batch.rowBytes.subarray(rowStart, rowStart + rowLength)] };
}

/** Two ingests and their batches: one reads rows as ranges of a message, the reference reads arrays. */
interface BothIngests {
  readonly ingest: RowIngest;
  readonly fromRanges: IngestBatch;
  readonly reference: RowIngest;
  readonly fromArrays: IngestBatch;
}

/** Ingests `row` as item `index` both ways: from its ranges in `bytes`, and from its own arrays. */
function ingestBoth(
  both: BothIngests,
  row: { readonly noValueSet: Uint8Array; readonly tuple: Uint8Array },
  index: number,
  remove: boolean,
  bytes: Uint8Array,
  maskStart: number,
  tupleStart: number,
): void {
  const tupleEnd = tupleStart + row.tuple.length;
  if (remove) {
    both.ingest.removeRangeInto({
      batch: both.fromRanges,
      index,
      shape,
      context: 'batch',
      bytes,
      tupleStart,
      tupleEnd,
    });
    both.reference.removeInto(both.fromArrays, shape, row.tuple, index, 'batch');
    return;
  }
  const maskEnd = maskStart + row.noValueSet.length;
  both.ingest.putRangeInto({
    batch: both.fromRanges,
    index,
    shape,
    context: 'batch',
    bytes,
    maskStart,
    maskEnd,
    tupleStart,
    tupleEnd,
  });
  both.reference.putInto(both.fromArrays, shape, row.noValueSet, row.tuple, index, 'batch');
}

describe('RowIngest (rows as ranges of a message)', () => {
  it('writes the same keys and stored rows from ranges as from arrays, defaults spliced in alike', () => {
    const ingest = new RowIngest();
    const reference = new RowIngest();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 9 }),
        fc.array(fc.tuple(fc.boolean(), value), { minLength: 1, maxLength: 12 }),
        (lead, items) => {
          const encoded = items.map(([remove, row], i) => {
            const full = codec.encodeRow(row);
            // A REMOVE carries the key alone or the whole row.
            return remove
              ? { noValueSet: new Uint8Array(0), tuple: i % 2 === 0 ? codec.encodeKey(row) : full.tuple }
              : full;
          });
          const { bytes, starts } = embed(
            lead,
            encoded.flatMap((row) => [row.noValueSet, row.tuple]),
          );
          const fromRanges = ingest.batch(items.length);
          const fromArrays = reference.batch(items.length);
          encoded.forEach((row, i) => {
            const [maskStart, tupleStart] = [starts[2 * i] ?? -1, starts[2 * i + 1] ?? -1];
            const target = { ingest, fromRanges, reference, fromArrays };
            ingestBoth(target, row, i, items[i]?.[0] === true, bytes, maskStart, tupleStart);
            expect(item(fromRanges, i)).toEqual(item(fromArrays, i));
          });
          expect(fromRanges.count).toBe(fromArrays.count);
          fromRanges.release();
          fromArrays.release();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('copies long rows and keys alike when the buffers grow and the rows come from more than one message', () => {
    // Notes long enough for 2-byte offset entries; up to 40 such rows grow the batch's 4 KiB row buffer.
    const long = value.chain((row) =>
      // A repeated character rather than a random string: a failure then shrinks in a few steps.
      fc
        .tuple(fc.integer({ min: 100, max: 300 }), fc.constantFrom('a', 'ß', '€'))
        .map(([n, c]) => ({ ...row, Note: c.repeat(n) })),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.boolean(), long), { minLength: 1, maxLength: 40, size: 'max' }),
        fc.uint8Array({ maxLength: 5 }),
        fc.uint8Array({ maxLength: 5 }),
        (items, leadA, leadB) => {
          // Fresh ones each run: their batches start with small buffers, so rows grow them every time.
          const ingest = new RowIngest();
          const reference = new RowIngest();
          const encoded = items.map(([remove, row]) => {
            const full = codec.encodeRow(row);
            return remove ? { noValueSet: new Uint8Array(0), tuple: codec.encodeKey(row) } : full;
          });
          // Even rows in one message, odd rows in another: the batch switches between them row by row.
          const messages = [leadA, leadB].map((lead, m) =>
            embed(
              lead,
              encoded.filter((_, i) => i % 2 === m).flatMap((row) => [row.noValueSet, row.tuple]),
            ),
          );
          // Twice: the second round reuses the released batch with the same messages as before.
          for (let round = 0; round < 2; round++) {
            const fromRanges = ingest.batch(items.length);
            const fromArrays = reference.batch(items.length);
            encoded.forEach((row, i) => {
              const { bytes, starts } = messages[i % 2] as { bytes: Uint8Array; starts: number[] };
              const at = 2 * (i >> 1);
              const [maskStart, tupleStart] = [starts[at] ?? -1, starts[at + 1] ?? -1];
              const target = { ingest, fromRanges, reference, fromArrays };
              ingestBoth(target, row, i, items[i]?.[0] === true, bytes, maskStart, tupleStart);
            });
            // Compared once all rows are in: growing a buffer must carry the earlier rows over.
            for (let i = 0; i < items.length; i++) expect(item(fromRanges, i)).toEqual(item(fromArrays, i));
            fromRanges.release();
            fromArrays.release();
          }
        },
      ),
      // Shrinking 40 long rows takes minutes: a failure stops it after 5 s with the smallest case found by then.
      { numRuns: 60, interruptAfterTimeLimit: 5000, markInterruptAsFailure: true },
    );
  });

  it('refuses bad rows in ranges with the same INVALID_ROW error as the array form', () => {
    const ingest = new RowIngest();
    const reference = new RowIngest();
    const good = codec.encodeRow({ User: 'ann', Day: '2024-02-29', Track: 1n });
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 9 }),
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          // A good row with one byte changed: mostly well-framed rows with a wrong value or length.
          fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
            const bytes = good.tuple.slice();
            bytes[at % bytes.length] = byte;
            return bytes;
          }),
        ),
        fc.uint8Array({ maxLength: 3 }),
        fc.boolean(),
        fc.nat(999),
        (lead, tuple, mask, remove, index) => {
          const { bytes, starts } = embed(lead, [mask, tuple]);
          const maskStart = starts[0] ?? -1;
          const tupleStart = starts[1] ?? -1;
          const fromRanges = ingest.batch(index + 1);
          const fromArrays = reference.batch(index + 1);
          const target = { batch: fromRanges, index, shape, context: 'batch', bytes } as const;
          const got = caughtOrNone(() =>
            remove
              ? ingest.removeRangeInto({ ...target, tupleStart, tupleEnd: tupleStart + tuple.length })
              : ingest.putRangeInto({
                  ...target,
                  maskStart,
                  maskEnd: maskStart + mask.length,
                  tupleStart,
                  tupleEnd: tupleStart + tuple.length,
                }),
          );
          const expected = caughtOrNone(() =>
            remove
              ? reference.removeInto(fromArrays, shape, tuple, index, 'batch')
              : reference.putInto(fromArrays, shape, mask, tuple, index, 'batch'),
          );
          fromRanges.release();
          fromArrays.release();
          expect(got?.code).toBe(expected?.code);
          expect(got?.message).toBe(expected?.message);
          expect(got?.extensions).toEqual(expected?.extensions);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('reads the mask from its own range: a set bit next to it marks nothing, a bit inside it does', () => {
    const ingest = new RowIngest();
    const row = codec.encodeRow({
      Note: null,
      User: 'ann',
      Secs: 5,
      Day: '2024-02-29',
      A: null,
      B: null,
      C: null,
      D: false,
      E: null,
      Track: 1n,
    });
    expect([...row.noValueSet].every((b) => b === 0)).toBe(true);
    // Bytes: [0xff] (junk marking every column) [mask: Secs unset] [tuple].
    const secsUnset = 1 << 2;
    const bytes = Uint8Array.of(0xff, secsUnset, ...row.tuple);
    const batch = ingest.batch(2);
    const row0 = { batch, shape, context: 'batch', bytes, tupleStart: 2, tupleEnd: bytes.length } as const;
    ingest.putRangeInto({ ...row0, index: 0, maskStart: 1, maskEnd: 1 });
    ingest.putRangeInto({ ...row0, index: 1, maskStart: 1, maskEnd: 2 });
    const stored = (i: number) => {
      const start = batch.rowStarts[i] ?? -1;
      return codec.decodeRow(
        storedRowTuple(batch.rowBytes.subarray(start, start + (batch.rowLengths[i] ?? 0))),
      );
    };
    expect(stored(0)).toMatchObject({ Secs: 5, D: false });
    expect(stored(1)).toMatchObject({ Secs: 30, D: false });
    batch.release();
    // A key column marked unset inside the range is refused, naming the row and the column.
    const userUnset = Uint8Array.of(0xff, 1 << 1, ...row.tuple);
    const refused = ingest.batch(8);
    const error = caughtOrNone(() =>
      ingest.putRangeInto({
        batch: refused,
        index: 7,
        shape,
        context: 'batch',
        bytes: userUnset,
        maskStart: 1,
        maskEnd: 2,
        tupleStart: 2,
        tupleEnd: userUnset.length,
      }),
    );
    refused.release();
    expect(error).toMatchObject({
      code: 'INVALID_ROW',
      extensions: { column: 'User' },
      message: expect.stringContaining(
        'row 7 of the batch for table "Wide" (schema version 2): column "User"',
      ),
    });
  });
});
