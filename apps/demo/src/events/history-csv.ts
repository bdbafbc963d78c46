/**
 * The history-import file: `RecordId,UserId,TrackId,PlayDate,PlayCount,Rating,PlayDuration` (Rating may be
 * empty). It parses one line at a time, reads a file as a stream of lines (never whole into memory), and
 * writes a sample file with a few malformed lines on purpose so the import has something to report.
 *
 * It does not stream rows into the cluster (the history-import scenario does) and does not handle quoted
 * fields with commas inside: no column of this file is free text.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createRng } from '@datastreamer/protocol';
import type { ListeningRecord } from '../tables/demo-tables.js';

export const HISTORY_CSV_HEADER = 'RecordId,UserId,TrackId,PlayDate,PlayCount,Rating,PlayDuration';
const FIELDS = 7;
const INT32_MAX = 2_147_483_647;

/** One line of the file: a record, or why it is malformed. */
export type ParsedLine =
  | { readonly ok: true; readonly record: ListeningRecord }
  | { readonly ok: false; readonly reason: string };

/** A malformed line: its 1-based number in the file and why. */
export interface MalformedLine {
  readonly line: number;
  readonly reason: string;
}

function integer(name: string, text: string, min: number, max: number): number | string {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return `${name} "${t}" is not an integer`;
  const value = Number(t);
  if (!Number.isSafeInteger(value) || value < min || value > max)
    return `${name} ${t} is outside ${min}..${max}`;
  return value;
}

function isoDate(text: string): string | undefined {
  const t = text.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m === null) return undefined;
  const d = new Date(`${t}T00:00:00Z`);
  return Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== t ? undefined : t;
}

/** Parses one data line (not the header). Fields may be wrapped in double quotes. */
export function parseHistoryLine(line: string): ParsedLine {
  const fields = line.split(',').map((f) => {
    const t = f.trim();
    return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
  });
  if (fields.length !== FIELDS)
    return { ok: false, reason: `expected ${FIELDS} fields, got ${fields.length}` };
  const [rid, uid, tid, date, count, rating, duration] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const recordId = integer('RecordId', rid, 0, Number.MAX_SAFE_INTEGER);
  if (typeof recordId === 'string') return { ok: false, reason: recordId };
  const userId = integer('UserId', uid, 1, INT32_MAX);
  if (typeof userId === 'string') return { ok: false, reason: userId };
  const trackId = integer('TrackId', tid, 1, INT32_MAX);
  if (typeof trackId === 'string') return { ok: false, reason: trackId };
  const playDate = isoDate(date);
  if (playDate === undefined) return { ok: false, reason: `PlayDate "${date}" is not a date YYYY-MM-DD` };
  const playCount = integer('PlayCount', count, 0, INT32_MAX);
  if (typeof playCount === 'string') return { ok: false, reason: playCount };
  let parsedRating: number | null = null;
  if (rating !== '') {
    const r = integer('Rating', rating, 1, 5);
    if (typeof r === 'string') return { ok: false, reason: r };
    parsedRating = r;
  }
  const playDuration = integer('PlayDuration', duration, 0, INT32_MAX);
  if (typeof playDuration === 'string') return { ok: false, reason: playDuration };
  return {
    ok: true,
    record: {
      RecordId: recordId,
      UserId: userId,
      TrackId: trackId,
      PlayDate: playDate,
      PlayCount: playCount,
      Rating: parsedRating,
      PlayDuration: playDuration,
    },
  };
}

/**
 * The records of the file at `path`, read line by line. A malformed line, a wrong header, or a RecordId seen
 * on an earlier line is passed to `onMalformed` with its line number and skipped; blank lines are ignored.
 *
 * @param shouldStop checked before each line: when it returns true the file is closed and the records end.
 * @throws (the iteration rejects) the file system's error when the file cannot be read.
 */
export async function* readHistoryCsv(
  path: string,
  onMalformed: (line: MalformedLine) => void,
  shouldStop: () => boolean = () => false,
): AsyncGenerator<ListeningRecord, void> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const seen = new Map<number, number>();
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (shouldStop()) return;
      if (n === 1) {
        if (line.replace(/^\uFEFF/, '').trim() !== HISTORY_CSV_HEADER) {
          onMalformed({ line: 1, reason: `expected the header "${HISTORY_CSV_HEADER}"` });
        }
        continue;
      }
      if (line.trim() === '') continue;
      const parsed = parseHistoryLine(line);
      if (!parsed.ok) {
        onMalformed({ line: n, reason: parsed.reason });
        continue;
      }
      const first = seen.get(parsed.record.RecordId);
      if (first !== undefined) {
        onMalformed({ line: n, reason: `RecordId ${parsed.record.RecordId} already on line ${first}` });
        continue;
      }
      seen.set(parsed.record.RecordId, n);
      yield parsed.record;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

/** The kinds of broken line the sample file contains, one every {@link MALFORMED_EVERY} lines. */
const BROKEN = [
  (r: string[]) => r.slice(0, 5).join(','),
  (r: string[]) => [r[0], 'user42', ...r.slice(2)].join(','),
  (r: string[]) => [...r.slice(0, 3), '2025-13-40', ...r.slice(4)].join(','),
  (r: string[]) => [...r.slice(0, 5), '9', r[6]].join(','),
] as const;
/** A malformed line every this many records in the sample file. */
export const MALFORMED_EVERY = 500;

/**
 * Writes a sample file of `count` data lines to `path` (deterministic from `seed`): mostly valid records, and
 * every {@link MALFORMED_EVERY}th line malformed in one of four ways (a missing field, a non-integer UserId,
 * an impossible date, a rating out of range). Written through a stream, so `count` can exceed memory.
 *
 * @returns the number of valid and malformed lines written.
 */
export async function writeSampleHistoryCsv(
  path: string,
  count: number,
  seed: number,
): Promise<{ readonly valid: number; readonly malformed: number }> {
  const rng = createRng(seed).child('history-csv');
  const out = createWriteStream(path, { encoding: 'utf8' });
  let valid = 0;
  let malformed = 0;
  let chunk = `${HISTORY_CSV_HEADER}\n`;
  const start = Date.UTC(2024, 0, 1);
  for (let i = 1; i <= count; i++) {
    const day = new Date(start + rng.int(0, 730) * 86_400_000).toISOString().slice(0, 10);
    const fields = [
      String(i),
      String(rng.int(1, 200_000)),
      String(rng.int(1, 50_000)),
      day,
      String(rng.int(1, 40)),
      rng.chance(0.3) ? '' : String(rng.int(1, 5)),
      String(rng.int(10_000, 3_600_000)),
    ];
    if (i % MALFORMED_EVERY === 0) {
      chunk += `${BROKEN[(i / MALFORMED_EVERY) % BROKEN.length]?.(fields) ?? ''}\n`;
      malformed++;
    } else {
      chunk += `${fields.join(',')}\n`;
      valid++;
    }
    if (chunk.length > 64 * 1024) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { valid, malformed };
}
