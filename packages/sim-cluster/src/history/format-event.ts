/**
 * One history event as one line a person can read in a checker's report:
 *
 *     #12 @40ms submit client-1 stream 0 item 3: PUT key 7 seq 2
 *     #30 @52ms apply node-2 T partition 5 key 7: row {"id":7,"seq":2} commitTs 3407872
 *
 * Long index lists and rows are shortened. It is for people, not for parsing (JSON lines are for that).
 */
import { canonicalKey } from './canonical-key.js';
import type { HistoryEvent } from './history-event.js';

const MAX_INDEXES_SHOWN = 16;
const MAX_VALUE_CHARS = 160;

/** `event` as one line (no newline). */
export function formatEvent(event: HistoryEvent): string {
  const head = `#${event.n} @${event.atMs}ms ${event.type}`;
  switch (event.type) {
    case 'submit': {
      const extra =
        (event.table === undefined ? '' : ` table ${event.table}`) +
        (event.producer === undefined ? '' : ` producer ${event.producer}`);
      return `${head} ${event.client} stream ${event.stream} item ${event.index}: ${event.op} key ${event.key} seq ${event.seq}${extra}`;
    }
    case 'ack':
      return event.earlierRun === undefined
        ? `${head} ${event.client} stream ${event.stream} from ${event.node} partition ${event.partition}: items ${formatIndexes(event.indexes)}`
        : `${head} ${event.client} stream ${event.stream} partition ${event.partition}: items ${formatIndexes(event.indexes)} applied by epoch ${event.earlierRun.epoch} batch ${event.earlierRun.batchSeq}`;
    case 'fail':
      return `${head} ${event.client} stream ${event.stream} (${event.code}): items ${formatIndexes(event.indexes)}`;
    case 'apply': {
      const what = event.row === null ? 'tombstone' : `row ${shorten(safeCanonical(event.row))}`;
      return `${head} ${event.node} ${event.table} partition ${event.partition} key ${event.key}: ${what} commitTs ${event.commitTs}`;
    }
    case 'fault':
    case 'topology':
      return `${head} ${event.kind} ${shorten(safeCanonical(event.details))}`;
    case 'settled':
      return `${head} ${event.client} stream ${event.stream}: ${event.outcome}${event.code === undefined ? '' : ` (${event.code})`}`;
    case 'invoke':
      return `${head} ${event.client} op ${event.op}: ${event.kind} ${event.table} key ${event.key}${event.value === undefined ? '' : ` value ${shorten(event.value)}`}`;
    case 'complete': {
      const answer =
        event.value !== undefined
          ? ` -> ${event.value === null ? 'absent' : shorten(event.value)}`
          : event.deleted !== undefined
            ? ` -> ${event.deleted ? 'deleted' : 'absent'}`
            : '';
      return `${head} ${event.client} op ${event.op}: ${event.outcome}${answer}${event.code === undefined ? '' : ` (${event.code})`}`;
    }
  }
}

/** Indexes as `0,1,2`, the first few only when there are many. */
export function formatIndexes(indexes: readonly number[]): string {
  if (indexes.length <= MAX_INDEXES_SHOWN) return indexes.join(',');
  return `${indexes.slice(0, MAX_INDEXES_SHOWN).join(',')},... (${indexes.length} items)`;
}

function safeCanonical(value: unknown): string {
  // A report must not fail on a value it cannot print canonically: it is printed as well as it can be.
  try {
    return canonicalKey(value);
  } catch {
    return String(value);
  }
}

function shorten(text: string): string {
  return text.length <= MAX_VALUE_CHARS ? text : `${text.slice(0, MAX_VALUE_CHARS)}...`;
}
