import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  HISTORY_CSV_HEADER,
  type MalformedLine,
  parseHistoryLine,
  readHistoryCsv,
} from '../src/events/history-csv.js';
import type { ListeningRecord } from '../src/tables/demo-tables.js';
import { runJson } from './demo-harness.js';

const FILE = [
  HISTORY_CSV_HEADER,
  '1,10,100,2024-05-01,3,5,180000',
  '2,11,101,2024-05-02,1,,200000',
  '3,12,102,2024-05-03,2,4',
  '4,abc,103,2024-05-04,1,3,1000',
  '',
  '5,14,104,2024-02-30,1,3,1000',
  '6,15,105,2024-05-06,1,7,1000',
  '"7","16","106","2024-05-07","2","","5000"',
  '1,99,999,2024-05-08,1,1,1',
  '8,17,107,2024-05-08,-1,2,1000',
].join('\n');

async function writeTemp(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'demo-csv-')), 'plays.csv');
  await writeFile(path, text);
  return path;
}

describe('history CSV', () => {
  it('reports each malformed line with its number and reason, and yields the rest', async () => {
    const path = await writeTemp(FILE);
    const malformed: MalformedLine[] = [];
    const records: ListeningRecord[] = [];
    for await (const r of readHistoryCsv(path, (m) => malformed.push(m))) records.push(r);
    expect(records.map((r) => r.RecordId)).toEqual([1, 2, 7]);
    expect(records[1]?.Rating).toBeNull();
    expect(records[2]).toEqual({
      RecordId: 7,
      UserId: 16,
      TrackId: 106,
      PlayDate: '2024-05-07',
      PlayCount: 2,
      Rating: null,
      PlayDuration: 5000,
    });
    expect(malformed).toEqual([
      { line: 4, reason: 'expected 7 fields, got 6' },
      { line: 5, reason: 'UserId "abc" is not an integer' },
      { line: 7, reason: 'PlayDate "2024-02-30" is not a date YYYY-MM-DD' },
      { line: 8, reason: 'Rating 7 is outside 1..5' },
      { line: 10, reason: 'RecordId 1 already on line 2' },
      { line: 11, reason: 'PlayCount -1 is outside 0..2147483647' },
    ]);
  });

  it('reports a wrong header as line 1', async () => {
    const path = await writeTemp('Id,User\n1,10,100,2024-05-01,3,5,180000\n');
    const malformed: MalformedLine[] = [];
    const records: ListeningRecord[] = [];
    for await (const r of readHistoryCsv(path, (m) => malformed.push(m))) records.push(r);
    expect(malformed.map((m) => m.line)).toEqual([1]);
    expect(records).toHaveLength(1);
  });

  test.prop([
    fc.record({
      RecordId: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
      UserId: fc.integer({ min: 1, max: 2_147_483_647 }),
      TrackId: fc.integer({ min: 1, max: 2_147_483_647 }),
      PlayDate: fc
        .date({
          min: new Date('1970-01-01T00:00:00Z'),
          max: new Date('2100-12-31T00:00:00Z'),
          noInvalidDate: true,
        })
        .map((d) => d.toISOString().slice(0, 10)),
      PlayCount: fc.nat({ max: 2_147_483_647 }),
      Rating: fc.option(fc.integer({ min: 1, max: 5 }), { nil: null }),
      PlayDuration: fc.nat({ max: 2_147_483_647 }),
    }),
  ])('parses back every record it can be written as', (record) => {
    const line = [
      record.RecordId,
      record.UserId,
      record.TrackId,
      record.PlayDate,
      record.PlayCount,
      record.Rating ?? '',
      record.PlayDuration,
    ].join(',');
    expect(parseHistoryLine(line)).toEqual({ ok: true, record });
  });

  it('imports a file with malformed lines: they are counted and listed by number, the rest loaded', async () => {
    const path = await writeTemp(FILE);
    const { code, json } = await runJson([
      'history-import',
      '--file',
      path,
      '--nodes',
      '2',
      '--partitions',
      '4',
    ]);
    expect(code).toBe(0);
    expect(json.verdict).toBe('VALID');
    expect(json.details['malformed lines']).toBe(6);
    expect(json.details['valid records']).toBe(3);
    expect(json.stored).toBe(3);
    expect(json.malformedLines?.map((m) => m.line)).toEqual([4, 5, 7, 8, 10, 11]);
  });
});
