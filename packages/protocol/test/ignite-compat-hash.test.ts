/**
 * Colocation hashes against the values Apache Ignite 3's own tests expect, so keys land in the same
 * partitions as in a real cluster. Sources (repository apache/ignite-3):
 * - CPP: modules/platforms/cpp/ignite/common/detail/hash_utils_test.cpp (the C++ client's HashUtils tests;
 *   DECIMAL at scale 10, TIME / DATETIME / TIMESTAMP at precision 5, as that file hashes them);
 * - NET: modules/platforms/dotnet/Apache.Ignite.Tests/Table/Serialization/SerializerHandlerConsistencyTests.cs
 *   (ExpectedColocationHash for the key (INT32 123, STRING "k2"));
 * - WIRE: docs WIRE.md's reference table (taken from the same tests).
 */
import { describe, expect, it } from 'vitest';
import {
  colocationHash,
  hashValue,
  keyColocationHash,
  rowColocationHash,
} from '../src/hash/colocation-hash.js';
import { hash32Bytes, hash32Int, hash32Long, hash32String } from '../src/hash/murmur3.js';
import type { ColumnType } from '../src/schema/column-types.js';
import type { ColumnDef, TableSchema } from '../src/schema/table-schema.js';
import type { InternalValue } from '../src/schema/values.js';

const column = (type: ColumnType, extra: { precision?: number; scale?: number } = {}): ColumnDef => ({
  name: 'k',
  type,
  ...extra,
});

type Vector = readonly [label: string, column: ColumnDef, value: InternalValue, expected: number];

const INT8 = column('INT8');
const INT16 = column('INT16');
const INT32 = column('INT32');
const INT64 = column('INT64');
const FLOAT = column('FLOAT');
const DOUBLE = column('DOUBLE');
const DECIMAL10 = column('DECIMAL', { precision: 40, scale: 10 });
const TIME5 = column('TIME', { precision: 5 });
const DATETIME5 = column('DATETIME', { precision: 5 });
const TIMESTAMP5 = column('TIMESTAMP', { precision: 5 });
const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values, (v) => v & 0xff);
const time = (hour: number, minute: number, second = 0, nano = 0) => ({ hour, minute, second, nano });
const date = (year: number, month: number, day: number) => ({ year, month, day });

const CPP_VECTORS: readonly Vector[] = [
  ['BOOLEAN true', column('BOOLEAN'), true, -105209210],
  ['BOOLEAN false', column('BOOLEAN'), false, 686815056],
  // uint8 / int8 cases (uint8 255 and 128 are the int8 bytes -1 and -128)
  ['INT8 0', INT8, 0, 686815056],
  ['INT8 1', INT8, 1, -105209210],
  ['INT8 -1', INT8, -1, -482826348],
  ['INT8 127', INT8, 127, -2036967051],
  ['INT8 -128', INT8, -128, 49585133],
  ['INT8 42', INT8, 42, 1990634712],
  ['INT16 0', INT16, 0, 1076422130],
  ['INT16 1', INT16, 1, 1765994081],
  ['INT16 -1', INT16, -1, 22229479],
  ['INT16 max', INT16, 32767, -1586500059],
  ['INT16 min', INT16, -32768, -667322922],
  ['INT16 42', INT16, 42, -461853154],
  ['INT32 0', INT32, 0, 401375585],
  ['INT32 1', INT32, 1, 666724619],
  ['INT32 -1', INT32, -1, 2008810410],
  ['INT32 max', INT32, 2147483647, -1452754491],
  ['INT32 min', INT32, -2147483648, 694163409],
  ['INT32 42', INT32, 42, 872512553],
  ['INT64 0', INT64, 0n, -460808068],
  ['INT64 1', INT64, 1n, -79575043],
  ['INT64 -1', INT64, -1n, -1168220407],
  ['INT64 max', INT64, 9223372036854775807n, -1230994913],
  ['INT64 min', INT64, -9223372036854775808n, -1253265447],
  ['INT64 42', INT64, 42n, 1065270881],
  ['FLOAT 0', FLOAT, 0, 401375585],
  ['FLOAT 1', FLOAT, 1, -132467364],
  ['FLOAT -1', FLOAT, -1, -2101035902],
  ['FLOAT max', FLOAT, 3.4028234663852886e38, 1780074225],
  ['FLOAT 42', FLOAT, 42, 1227011061],
  ['FLOAT pi', FLOAT, Math.fround(Math.PI), -2142471555],
  ['DOUBLE 0', DOUBLE, 0, -460808068],
  ['DOUBLE 1', DOUBLE, 1, -2124529649],
  ['DOUBLE -1', DOUBLE, -1, 210701226],
  ['DOUBLE max', DOUBLE, Number.MAX_VALUE, -1921889547],
  ['DOUBLE 42', DOUBLE, 42, 2109601987],
  ['DOUBLE pi', DOUBLE, Math.PI, -521675661],
  ['DECIMAL 0 at scale 10', DECIMAL10, { unscaled: 0n, scale: 0 }, 686815056],
  ['DECIMAL 1 at scale 10', DECIMAL10, { unscaled: 1n, scale: 0 }, 904832652],
  ['DECIMAL -1 at scale 10', DECIMAL10, { unscaled: -1n, scale: 0 }, -1497790521],
  ['DECIMAL 42 at scale 10', DECIMAL10, { unscaled: 42n, scale: 0 }, 1347451647],
  // pi with more digits than the column keeps: rounded half-up to 3.1415926536 first
  ['DECIMAL pi at scale 10', DECIMAL10, { unscaled: 3141592653589793n, scale: 15 }, 572053262],
  ['DECIMAL -pi at scale 10', DECIMAL10, { unscaled: -3141592653589793n, scale: 15 }, -2078930604],
  ['UUID 0/0', column('UUID'), { msb: 0n, lsb: 0n }, -177475040],
  ['UUID 420000042/420042', column('UUID'), { msb: 420000042n, lsb: 420042n }, -2034825191],
  ['DATE 1970-01-01', column('DATE'), date(1970, 1, 1), -1730003579],
  ['DATE 1905-09-26', column('DATE'), date(1905, 9, 26), -1268080282],
  ['DATE 2036-03-17', column('DATE'), date(2036, 3, 17), 435798353],
  ['TIME 00:00', TIME5, time(0, 0), -1321305871],
  ['TIME 00:00:01', TIME5, time(0, 0, 1), -975644488],
  ['TIME 1 ns (truncated away)', TIME5, time(0, 0, 0, 1), -1321305871],
  ['TIME 10000 ns', TIME5, time(0, 0, 0, 10_000), -1417871408],
  ['TIME 10001 ns (truncated to 10000)', TIME5, time(0, 0, 0, 10_001), -1417871408],
  ['TIME 19:42:21.000042042', TIME5, time(19, 42, 21, 42_042), 57055814],
  ['DATETIME 1970-01-01T00:00', DATETIME5, { date: date(1970, 1, 1), time: time(0, 0) }, -986160737],
  [
    'DATETIME 1905-09-26T19:42:21',
    DATETIME5,
    { date: date(1905, 9, 26), time: time(19, 42, 21) },
    -1487071575,
  ],
  [
    'DATETIME 2036-03-17T21:21:21 +12000 ns',
    DATETIME5,
    { date: date(2036, 3, 17), time: time(21, 21, 21, 12_000) },
    1007809846,
  ],
  [
    'DATETIME 2036-03-17T21:21:21 +12001 ns',
    DATETIME5,
    { date: date(2036, 3, 17), time: time(21, 21, 21, 12_001) },
    1007809846,
  ],
  ['TIMESTAMP 0', TIMESTAMP5, { seconds: 0n, nanos: 0 }, -1028348915],
  ['TIMESTAMP 0 s + 420000 ns', TIMESTAMP5, { seconds: 0n, nanos: 420_000 }, 789406184],
  ['TIMESTAMP 1773221571 s + 21123 ns', TIMESTAMP5, { seconds: 1773221571n, nanos: 21_123 }, 670786278],
  ['TIMESTAMP 1773221571 s + 21000 ns', TIMESTAMP5, { seconds: 1773221571n, nanos: 21_000 }, 670786278],
  ['STRING ""', column('STRING'), '', 0],
  ['STRING " "', column('STRING'), ' ', -2039187927],
  ['STRING "foo"', column('STRING'), 'foo', -477838538],
  ['STRING "foo "', column('STRING'), 'foo ', 1516292748],
  ['STRING " foo"', column('STRING'), ' foo', -1406774036],
  ['STRING "Foo"', column('STRING'), 'Foo', 2010420341],
  ['STRING "bar"', column('STRING'), 'bar', 1863106271],
  ['STRING "baR"', column('STRING'), 'baR', -1753335891],
  [
    'STRING "the quick brown fox jumped over the lazy dog"',
    column('STRING'),
    'the quick brown fox jumped over the lazy dog',
    1452923692,
  ],
  ['STRING in Cyrillic', column('STRING'), 'Карл у Клары украл кораллы', -1909478343],
  ['BYTES []', column('BYTES'), bytes(), 0],
  ['BYTES [1,2,3]', column('BYTES'), bytes(1, 2, 3), 343345478],
  ['BYTES [3,2,1]', column('BYTES'), bytes(3, 2, 1), -1822332709],
  ['BYTES [42,42,42]', column('BYTES'), bytes(42, 42, 42), 246686034],
  ['BYTES [-1,1]', column('BYTES'), bytes(-1, 1), -1645252459],
  ['BYTES 4 zeros', column('BYTES'), new Uint8Array(4), 401375585],
  ['BYTES 5 zeros', column('BYTES'), new Uint8Array(5), 65263045],
  ['BYTES 8 zeros', column('BYTES'), new Uint8Array(8), -460808068],
  ['BYTES 1000 spaces', column('BYTES'), new Uint8Array(1000).fill(0x20), 838145700],
];

describe('colocation hash (Ignite 3 compatibility)', () => {
  it.each(CPP_VECTORS)('hashes %s as Ignite 3 does (CPP)', (_label, col, value, expected) => {
    expect(hashValue(col, value)).toBe(expected);
  });

  it('hashes NULL like the byte 00 in every column type (CPP, WIRE)', () => {
    for (const type of ['INT32', 'STRING', 'UUID', 'TIMESTAMP'] as const) {
      expect(hashValue(column(type), null)).toBe(686815056);
    }
  });

  it('matches the WIRE.md value vectors through the murmur3 entry points', () => {
    expect([hash32Int(0), hash32Int(1), hash32Int(42)]).toEqual([401375585, 666724619, 872512553]);
    expect([hash32Long(0n), hash32Long(1n), hash32Long(-1n)]).toEqual([-460808068, -79575043, -1168220407]);
    expect([hash32String(''), hash32String('foo')]).toEqual([0, -477838538]);
    expect(hash32String('the quick brown fox jumped over the lazy dog')).toBe(1452923692);
  });

  it('hashes a primitive the same as its little-endian bytes (CPP: 4 zero bytes = INT32 0)', () => {
    expect(hash32Bytes(new Uint8Array(4))).toBe(hash32Int(0));
    expect(hash32Bytes(new Uint8Array(8))).toBe(hash32Long(0n));
  });

  it('hashes the key (INT32 123, STRING "k2") to 1326971215 (NET, WIRE)', () => {
    expect(colocationHash([column('INT32'), column('STRING')], [123, 'k2'])).toBe(1326971215);
  });

  // The .NET test's schema: val1 STRING, key1 INT32, val2 UUID, key2 STRING; key order (key2, key1),
  // colocation order (key1, key2).
  const schema: TableSchema = {
    tableId: 1,
    tableName: 'T',
    version: 1,
    partitions: 25,
    columns: [
      { name: 'val1', type: 'STRING', nullable: true },
      { name: 'key1', type: 'INT32' },
      { name: 'val2', type: 'UUID', nullable: true },
      { name: 'key2', type: 'STRING' },
    ],
    keyColumns: [3, 1],
    colocationColumns: [1, 3],
  };

  it('hashes a full row in schema order by its colocation columns (NET)', () => {
    expect(rowColocationHash(schema, ['v1', 123, { msb: 5n, lsb: -7n }, 'k2'])).toBe(1326971215);
    expect(rowColocationHash(schema, [null, 123, null, 'k2'])).toBe(1326971215);
  });

  it('hashes a key-only row in key order by its colocation columns (NET)', () => {
    expect(keyColocationHash(schema, ['k2', 123])).toBe(1326971215);
  });

  it('depends on the colocation order', () => {
    expect(colocationHash([column('STRING'), column('INT32')], ['k2', 123])).not.toBe(1326971215);
  });
});
