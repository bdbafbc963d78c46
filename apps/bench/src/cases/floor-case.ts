/**
 * The `floor` case: the least any in-process serialize-and-store path costs, independent of our code. The
 * same rows as the streaming cases are packed with msgpackr in pages of 1000, unpacked, and inserted into a
 * `Map` by key. No network, no partitions, no transactions, no validation: a lower bound, not a competitor.
 */
import { Packr } from 'msgpackr';
import type { CaseOutput } from './case-result.js';
import { figures } from './case-result.js';
import { type TrackEvent, uniformTrackEvent } from './track-events.js';

const PAGE_SIZE = 1000;

/** Packs, unpacks and stores `rows` rows; the result counts the rows found in the map afterwards. */
export function runFloor(rows: number): CaseOutput {
  const packr = new Packr();
  const store = new Map<number, TrackEvent>();
  const page: TrackEvent[] = [];
  const start = performance.now();
  for (let first = 0; first < rows; first += PAGE_SIZE) {
    const end = Math.min(first + PAGE_SIZE, rows);
    page.length = 0;
    for (let i = first; i < end; i++) page.push(uniformTrackEvent(i));
    const unpacked = packr.unpack(packr.pack(page)) as TrackEvent[];
    for (const row of unpacked) store.set(row.EventId, row);
  }
  const seconds = (performance.now() - start) / 1000;
  if (store.size !== rows) throw new Error(`floor stored ${store.size} rows, expected ${rows}`);
  return figures(rows, seconds);
}
