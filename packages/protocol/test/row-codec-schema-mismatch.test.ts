import { describe, expect, it } from 'vitest';
import { InvalidValueError, ProtocolError } from '../src/errors/protocol-error.js';
import type { TableSchema } from '../src/schema/table-schema.js';
import type { InternalValue } from '../src/schema/values.js';
import { RowCodec } from '../src/tuple/row-codec.js';
import { UnknownColumnError } from '../src/tuple/unknown-column-error.js';
import { toHex } from './support/reference-tuple-encoder.js';

const TRACK_EVENTS: TableSchema = {
  tableId: 3,
  tableName: 'TrackEvents',
  version: 2,
  columns: [
    { name: 'EventId', type: 'INT64' },
    { name: 'UserId', type: 'INT32' },
    { name: 'TrackId', type: 'INT32' },
    { name: 'EventType', type: 'STRING' },
    { name: 'EventTime', type: 'TIMESTAMP' },
    { name: 'Duration', type: 'INT64', nullable: true, default: 0 },
    { name: 'Source', type: 'STRING', default: 'app' },
  ],
  keyColumns: [2, 0],
  colocationColumns: [2],
  partitions: 16,
};

const ROW = {
  EventId: 1n,
  UserId: 7,
  TrackId: 300,
  EventType: 'play',
  EventTime: new Date(1_700_000_000_000),
  Duration: null,
  Source: 'web',
};

function errorOf(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('RowCodec', () => {
  it('encodes key columns in key order', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    // TrackId 300 (2C 01), then EventId 1.
    expect(toHex(codec.encodeKey({ EventId: 1n, TrackId: 300 }))).toBe('00 02 03 2C 01 01');
    expect(codec.decodeKey(codec.encodeKey(ROW))).toEqual({ TrackId: 300, EventId: 1n });
  });

  it('hands out the normalized colocation values while encoding', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const colocation: InternalValue[] = [];
    codec.encodeRow({ ...ROW, EventId: 5 }, colocation);
    expect(colocation).toEqual([300]);
    const keyColocation: InternalValue[] = [];
    codec.encodeKey({ EventId: 5, TrackId: 301 }, keyColocation);
    expect(keyColocation).toEqual([301]);
    expect(codec.colocationInKey).toEqual([0]);
  });

  it('marks absent and undefined columns in noValueSet, but not explicit nulls', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    expect(codec.encodeRow(ROW).noValueSet).toEqual(new Uint8Array(0));
    const { Duration: _d, Source: _s, ...partial } = ROW;
    const encoded = codec.encodeRow(partial);
    expect([...encoded.noValueSet]).toEqual([0b0110_0000]);
    expect(codec.decodeRow(encoded.tuple)).toEqual({ ...ROW, Duration: null, Source: null });
    expect([...codec.encodeRow({ ...ROW, Source: undefined }).noValueSet]).toEqual([0b0100_0000]);
  });

  it('trims noValueSet to the last byte with a bit set', () => {
    const columns = Array.from({ length: 20 }, (_, i) => ({
      name: `c${i}`,
      type: 'INT32' as const,
      nullable: i > 0,
    }));
    const codec = new RowCodec({ ...TRACK_EVENTS, columns, keyColumns: [0], colocationColumns: [0] });
    expect([
      ...codec.encodeRow({
        c0: 1,
        c9: 2,
        c10: 3,
        c11: 4,
        c12: 5,
        c13: 6,
        c14: 7,
        c15: 8,
        c16: 9,
        c17: 0,
        c18: 1,
        c19: 2,
      }).noValueSet,
    ]).toEqual([0xfe, 0x01]);
    const all = Object.fromEntries(columns.map((c, i) => [c.name, i]));
    const { c19: _, ...allButLast } = all;
    expect([...codec.encodeRow(allButLast).noValueSet]).toEqual([0, 0, 0b1000]);
  });

  it('rejects a property that is not a column with UnknownColumnError', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const error = errorOf(() => codec.encodeRow({ ...ROW, Rating: 5 }));
    expect(error).toBeInstanceOf(UnknownColumnError);
    expect(error).toBeInstanceOf(InvalidValueError);
    const unknown = error as UnknownColumnError;
    expect(unknown.unknownColumn).toBe(true);
    expect(unknown.column).toBe('Rating');
    expect(unknown.code).toBe('INVALID_ROW');
    expect(unknown.message).toBe(
      'row property "Rating" is not a column of table "TrackEvents" (schema version 2)',
    );
    expect(errorOf(() => codec.encodeKey({ EventId: 1n, TrackId: 1, Rating: 5 }))).toBeInstanceOf(
      UnknownColumnError,
    );
    expect(errorOf(() => codec.encodeRow({ ...ROW, eventid: 1 }))).toBeInstanceOf(UnknownColumnError);
  });

  it('reports an unknown property before any other problem of the row', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const { EventId: _, ...noKey } = ROW;
    expect(errorOf(() => codec.encodeRow({ ...noKey, UserId: 'x', Rating: 5 }))).toBeInstanceOf(
      UnknownColumnError,
    );
    expect(errorOf(() => codec.encodeKey({ TrackId: 'x', Rating: 5 }))).toBeInstanceOf(UnknownColumnError);
  });

  it('names a missing key column', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const { EventId: _, ...noKey } = ROW;
    for (const run of [() => codec.encodeRow(noKey), () => codec.encodeKey({ TrackId: 1 })]) {
      const error = errorOf(run) as InvalidValueError;
      expect(error).toBeInstanceOf(InvalidValueError);
      expect(error).not.toBeInstanceOf(UnknownColumnError);
      expect(error.column).toBe('EventId');
      expect(error.message).toBe(
        'key column "EventId" (INT64) of table "TrackEvents" is missing from the row',
      );
    }
  });

  it('names a missing column that is neither nullable nor defaulted', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const { EventType: _, ...partial } = ROW;
    const error = errorOf(() => codec.encodeRow(partial)) as InvalidValueError;
    expect(error.column).toBe('EventType');
    expect(error.message).toContain('not nullable and has no default');
  });

  it('names the column of a bad value', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const error = errorOf(() => codec.encodeRow({ ...ROW, UserId: 3.5 })) as InvalidValueError;
    expect(error.column).toBe('UserId');
    expect(error.message).toBe(
      'column "UserId" (INT32) expects an integer number in -2147483648..2147483647, got 3.5',
    );
    expect((errorOf(() => codec.encodeRow({ ...ROW, EventType: null })) as InvalidValueError).column).toBe(
      'EventType',
    );
  });

  it('rejects rows that are not objects', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    for (const bad of [null, 5, 'row', [1, 2]]) {
      const error = errorOf(() => codec.encodeRow(bad as object)) as ProtocolError;
      expect(error).toBeInstanceOf(ProtocolError);
      expect(error.code).toBe('INVALID_ROW');
      expect(error.message).toContain('must be an object keyed by column name');
    }
  });

  it('keeps working after an error', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const good = codec.encodeRow(ROW);
    expect(() => codec.encodeRow({ ...ROW, TrackId: 'x' })).toThrow(InvalidValueError);
    expect(() => codec.decodeRow(good.tuple.subarray(0, 5))).toThrow(ProtocolError);
    expect(codec.encodeRow(ROW)).toEqual(good);
    expect(codec.decodeRow(good.tuple)).toEqual(ROW);
  });

  it('treats __proto__ and other Object.prototype names as ordinary columns', () => {
    const schema: TableSchema = {
      ...TRACK_EVENTS,
      columns: [
        { name: '__proto__', type: 'INT32' },
        { name: 'constructor', type: 'STRING', nullable: true },
        { name: 'toString', type: 'STRING', nullable: true },
      ],
      keyColumns: [0],
      colocationColumns: [0],
    };
    const codec = new RowCodec(schema);
    const row = JSON.parse('{"__proto__": 5, "constructor": "c"}') as object;
    const { tuple, noValueSet } = codec.encodeRow(row);
    expect([...noValueSet]).toEqual([0b100]);
    const decoded = codec.decodeRow(tuple);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toBe(5);
    expect(decoded.constructor).toBe('c');
    expect(decoded.toString).toBeNull();
    // A plain object without the key column does not pick up the inherited prototype.
    expect(() => codec.encodeKey({ constructor: 'c' })).toThrow(/key column "__proto__"/);
  });

  it('reads own properties only from objects with another prototype', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const inherited = Object.create({ EventType: 'inherited' }) as Record<string, unknown>;
    Object.assign(inherited, { ...ROW });
    Reflect.deleteProperty(inherited, 'EventType');
    expect(() => codec.encodeRow(inherited)).toThrow(/EventType/);
  });

  it('rejects an inconsistent schema', () => {
    const bad: [Partial<TableSchema>, RegExp][] = [
      [{ keyColumns: [] }, /no key column/],
      [{ keyColumns: [9] }, /key column index 9/],
      [{ keyColumns: [0, 0] }, /repeated/],
      [{ colocationColumns: [1] }, /colocation column "UserId" is not a key column/],
      [{ columns: [...TRACK_EVENTS.columns, { name: 'EventId', type: 'INT32' }] }, /appears twice/],
    ];
    for (const [change, message] of bad) {
      const error = errorOf(() => new RowCodec({ ...TRACK_EVENTS, ...change })) as ProtocolError;
      expect(error.code).toBe('INVALID_SCHEMA');
      expect(error.message).toMatch(message);
    }
  });

  it('encodes internal values and rejects a wrong count or kind', () => {
    const codec = new RowCodec(TRACK_EVENTS);
    const values = codec.decodeRowValues(codec.encodeRow(ROW).tuple);
    expect(codec.encodeRowValues(values)).toEqual(codec.encodeRow(ROW).tuple);
    expect(() => codec.encodeRowValues(values.slice(1))).toThrow(/6 values given for 7 columns/);
    expect(() => codec.encodeKeyValues([300, 'x'])).toThrow(/does not fit column "EventId" \(INT64\)/);
  });
});
