/**
 * The risk: a node stores one key twice, once per way of writing it (an INT64 `1` in 1 or 8 bytes, a
 * TIMESTAMP with its zero nanoseconds written out, ...), because keys are stored and found by their bytes.
 * `keyFormProblem` must accept exactly the form a builder writes: checked against the builder itself (a
 * valid element is accepted exactly when re-encoding the value it holds gives the same bytes), over every
 * value a client writes, every other form of it the format allows, and random changes of both.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COLUMN_TYPE_NAMES } from '../src/schema/column-types.js';
import type { ColumnDef } from '../src/schema/table-schema.js';
import { BinaryTupleBuilder } from '../src/tuple/binary-tuple-builder.js';
import { BinaryTupleReader } from '../src/tuple/binary-tuple-reader.js';
import { appendColumnValue, readColumnValue } from '../src/tuple/column-value-codec.js';
import { elementProblem, planElementChecks } from '../src/tuple/element-check.js';
import { keyFormProblem, planKeyForms } from '../src/tuple/key-form.js';
import { readTupleTime, type TimeFields } from '../src/tuple/temporal-tuple-form.js';
import { elementOf, encoded, tupleOf } from './support/one-column-tuples.js';
import { columnArb, inputValueArb } from './support/tuple-arbitraries.js';

/** The element a builder writes for the value `element` holds (a valid element of `column`). */
function reencoded(column: ColumnDef, element: Uint8Array): Uint8Array {
  const value = readColumnValue(new BinaryTupleReader(tupleOf(element), 1), 0, column);
  const builder = new BinaryTupleBuilder();
  appendColumnValue(builder, column, value);
  return elementOf(builder.build()).slice();
}

function formOf(column: ColumnDef, element: Uint8Array): string | null {
  return keyFormProblem(planKeyForms([column]), 0, element, 0, element.length);
}

function isNaNElement(column: ColumnDef, element: Uint8Array): boolean {
  if (column.type !== 'FLOAT' && column.type !== 'DOUBLE') return false;
  const view = new DataView(element.buffer, element.byteOffset, element.byteLength);
  return Number.isNaN(element.length === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true));
}

const fields: TimeFields = { hour: 0, minute: 0, second: 0, nano: 0 };

/** The time `bytes[at..at + length)` in the 5- or 6-byte layout (whichever `width` says). */
function timeBytes(bytes: Uint8Array, at: number, length: number, width: 5 | 6): number[] {
  readTupleTime(bytes, at, length, fields);
  const { hour, minute, second, nano } = fields;
  if (width === 5) {
    const low = ((nano / 1000) | (second << 20) | (minute << 26)) >>> 0;
    return [low & 0xff, (low >>> 8) & 0xff, (low >>> 16) & 0xff, low >>> 24, hour];
  }
  const low = (nano | ((second & 3) << 30)) >>> 0;
  const high = (second >> 2) | (minute << 4) | (hour << 10);
  return [low & 0xff, (low >>> 8) & 0xff, (low >>> 16) & 0xff, low >>> 24, high & 0xff, high >>> 8];
}

/** Every other way the format writes the value of the canonical `element` (none for most types). */
function otherForms(column: ColumnDef, element: Uint8Array): Uint8Array[] {
  const forms: number[][] = [];
  const bytes = [...element];
  const length = element.length;
  switch (column.type) {
    case 'INT16':
    case 'INT32':
    case 'INT64': {
      const widths = { INT16: [2], INT32: [2, 4], INT64: [2, 4, 8] }[column.type];
      const sign = (element[length - 1] as number) >= 0x80 ? 0xff : 0;
      for (const width of widths) {
        if (width > length) forms.push([...bytes, ...new Array<number>(width - length).fill(sign)]);
      }
      break;
    }
    case 'DOUBLE':
      if (length === 4) {
        const view = new DataView(new ArrayBuffer(8));
        view.setFloat64(0, new DataView(element.buffer, element.byteOffset, 4).getFloat32(0, true), true);
        forms.push([...new Uint8Array(view.buffer)]);
      }
      break;
    case 'TIMESTAMP':
      if (length === 8) forms.push([...bytes, 0, 0, 0, 0]);
      break;
    case 'TIME':
      for (const width of [5, 6] as const)
        if (width > length) forms.push(timeBytes(element, 0, length, width));
      break;
    case 'DATETIME':
      for (const width of [5, 6] as const) {
        if (width > length - 3)
          forms.push([...bytes.slice(0, 3), ...timeBytes(element, 3, length - 3, width)]);
      }
      break;
    case 'STRING':
      if (length > 1 || element[0] !== 0x80) forms.push([0x80, ...bytes]);
      break;
    case 'BYTES':
      if (element[0] !== 0x80) forms.push([0x80, ...bytes]);
      break;
    case 'DECIMAL': {
      const scale = (((bytes[0] as number) | ((bytes[1] as number) << 8)) << 16) >> 16;
      let hex = '0x';
      for (const b of bytes.slice(2)) hex += b.toString(16).padStart(2, '0');
      const unscaled = BigInt.asIntN((length - 2) * 8, BigInt(hex));
      const sign = (bytes[2] as number) >= 0x80 ? 0xff : 0;
      forms.push([...bytes.slice(0, 2), sign, ...bytes.slice(2)]);
      if (scale < 32767) forms.push(decimalBytes(scale + 1, unscaled * 10n));
      break;
    }
    default:
      break;
  }
  return forms.filter((form) => form.length <= 255).map((form) => Uint8Array.from(form));
}

/** A DECIMAL element: the 2-byte scale, then `unscaled` in the fewest two's complement bytes. */
function decimalBytes(scale: number, unscaled: bigint): number[] {
  let size = 1;
  while (unscaled < -(1n << BigInt(size * 8 - 1)) || unscaled >= 1n << BigInt(size * 8 - 1)) size++;
  const out = [scale & 0xff, (scale >> 8) & 0xff];
  const raw = BigInt.asUintN(size * 8, unscaled);
  for (let i = size - 1; i >= 0; i--) out.push(Number((raw >> BigInt(i * 8)) & 0xffn));
  return out;
}

/** A column, a value a client writes for it, and that value's element in one of its forms, maybe changed. */
const caseArb = fc
  .constantFrom(...COLUMN_TYPE_NAMES)
  .chain((type) => columnArb(type, 'C'))
  .chain((column) =>
    fc.tuple(
      fc.constant(column),
      inputValueArb(column).map((value) => encoded(column, value)),
      fc.nat(),
      fc.option(fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }), { freq: 4 }),
    ),
  )
  .map(([column, canonical, pick, change]) => {
    const forms = [canonical, ...otherForms(column, canonical)];
    const element = (forms[pick % forms.length] as Uint8Array).slice();
    if (change !== null) element[change.at % element.length] = change.byte;
    return { column, canonical, element, other: forms.length > 1 && pick % forms.length !== 0 };
  });

describe('keyFormProblem', () => {
  it('accepts a valid element exactly when a builder writes the value it holds as those bytes', () => {
    let others = 0;
    fc.assert(
      fc.property(caseArb, ({ column, element, other }) => {
        fc.pre(elementProblem(planElementChecks([column]), 0, element, 0, element.length) === null);
        // NaN keys are kept as their bits (see the module): no form of theirs is refused.
        fc.pre(!isNaNElement(column, element));
        if (other) others++;
        const canonical = Buffer.from(reencoded(column, element)).equals(Buffer.from(element));
        const problem = formOf(column, element);
        if ((problem === null) !== canonical) {
          expect.fail(
            `${column.type} [${[...element].join(',')}]: form check ${problem}, canonical ${canonical}`,
          );
        }
      }),
      { numRuns: 1500 },
    );
    // The other forms were drawn, not only the canonical one.
    expect(others).toBeGreaterThan(100);
  });

  it('accepts every value a client writes, and refuses each other form of it, naming what is wrong', () => {
    fc.assert(
      fc.property(caseArb, ({ column, canonical }) => {
        fc.pre(!isNaNElement(column, canonical));
        expect(formOf(column, canonical)).toBeNull();
        for (const form of otherForms(column, canonical)) {
          expect(elementProblem(planElementChecks([column]), 0, form, 0, form.length)).toBeNull();
          expect(Buffer.from(reencoded(column, form)).equals(Buffer.from(canonical))).toBe(true);
          expect(formOf(column, form)).toMatch(
            new RegExp(
              column.type === 'INT16' || column.type === 'INT32' || column.type === 'INT64'
                ? 'canonical form has'
                : column.type,
            ),
          );
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('words each refusal with the value and the canonical size', () => {
    const int64: ColumnDef = { name: 'Id', type: 'INT64' };
    expect(formOf(int64, Uint8Array.of(1, 0, 0, 0, 0, 0, 0, 0))).toBe(
      'integer 1 is written in 8 bytes; its canonical form has 1',
    );
    expect(formOf(int64, Uint8Array.of(0xff, 0xff))).toBe(
      'integer -1 is written in 2 bytes; its canonical form has 1',
    );
    expect(formOf({ name: 'T', type: 'TIMESTAMP' }, new Uint8Array(12))).toMatch(/0 nanoseconds written out/);
    expect(formOf({ name: 'S', type: 'STRING' }, Uint8Array.of(0x80, 0x61))).toMatch(/only an empty string/);
    expect(formOf({ name: 'D', type: 'DECIMAL', precision: 5, scale: 2 }, Uint8Array.of(1, 0, 0x0a))).toMatch(
      /trailing zero/,
    );
    expect(formOf({ name: 'D', type: 'DECIMAL', precision: 5, scale: 2 }, Uint8Array.of(2, 0, 0))).toMatch(
      /zero is written at scale 2/,
    );
  });
});
