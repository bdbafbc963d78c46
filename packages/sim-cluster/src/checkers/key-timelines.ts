/**
 * Each key's applies in commit order (commit timestamp, then history order), each attributed to a producer
 * and a sequence number, with every step back in a producer's sequence marked. `perKeyOrder` reports those
 * steps, `finalState` reads the highest applied version, `atLeastOnce` the producer of each row.
 *
 * A row carries its sequence number (`seq(row)`); its producer is `producer(row)` when given, else the one
 * producer that submitted a PUT of that key and seq before the apply (none or several: unattributed).
 *
 * A tombstone carries neither, so they are inferred. Its candidates are the REMOVEs of the key submitted
 * before it. With one producer among them, the tombstone takes the smallest candidate seq at or above the
 * highest seq already applied for that producer and key (the same seq again is a duplicate apply of that
 * REMOVE). Choosing the smallest fitting candidate is the most charitable reading: if any assignment of
 * REMOVEs to tombstones keeps the sequence from going back, this one does, so a step back is reported only
 * when every reading has one. One reading comes first: when the producer's highest applied seq was written
 * by a run that reported it in doubt and the tombstone by a newer epoch (a resume sending again what it
 * left in doubt, see resumed-doubts.ts), the tombstone stands for the highest REMOVE below that seq, an
 * excused step back that leaves the highest seq where it was. When no candidate fits, the tombstone stands
 * for the newest candidate and is a step back. With several producers among the candidates, the tombstone goes to the one producer it
 * fits; if it fits several or none, it is unattributed. Unattributed applies are not order-checked.
 *
 * A step back is measured against the highest seq applied so far (not the previous apply), so a stale
 * overwrite is one violation, and what follows is judged against the newest version ever applied.
 */
import type { StreamerOperationType } from '@datastreamer/protocol';
import type { ApplyEvent, SubmitEvent } from '../history/history-event.js';
import { type HistoryIndex, hasRow, keySeqId, producerOf, type RowApply } from './history-index.js';
import type { ResumedDoubts } from './resumed-doubts.js';

/** One apply of a key, attributed. */
export interface TimelineEntry {
  readonly apply: ApplyEvent;
  /** `PUT` for a row, `REMOVE` for a tombstone. */
  readonly op: StreamerOperationType;
  /** The row's seq, or the seq of the REMOVE a tombstone stands for; `undefined` when unattributed. */
  readonly seq: number | undefined;
  /** Who wrote it; `undefined` when unattributed (then `seq` may still be known for a row). */
  readonly producer: string | undefined;
  /** Why it is unattributed, when it is. */
  readonly unattributed: 'no-submit' | 'ambiguous' | undefined;
  /** When this apply went back: the entry that holds the higher seq it went back from. */
  readonly wentBackFrom: TimelineEntry | undefined;
}

/** The attributed applies of every key, in commit order. */
export interface KeyTimelines {
  readonly byKey: ReadonlyMap<string, readonly TimelineEntry[]>;
  /** The entry of each apply, by its `n`. */
  readonly byApply: ReadonlyMap<number, TimelineEntry>;
}

const EMPTY: readonly never[] = [];

/** Builds the timelines of every key of `index`'s table. */
export function buildKeyTimelines<Row extends object>(
  index: HistoryIndex<Row>,
  doubts: ResumedDoubts,
): KeyTimelines {
  const byKey = new Map<string, TimelineEntry[]>();
  const byApply = new Map<number, TimelineEntry>();
  for (const [key, applies] of index.appliesByKey) {
    const ordered = [...applies].sort(byCommit);
    const removes = index.removeSubmits.get(key) ?? EMPTY;
    // The entry holding the highest seq applied so far, per producer.
    const highest = new Map<string, TimelineEntry>();
    const entries: TimelineEntry[] = [];
    for (const apply of ordered) {
      const attributed = hasRow(apply)
        ? attributeRow(index, apply)
        : attributeTombstone(apply, removes, highest, (top) =>
            doubts.excuses(key, top.apply, top.seq ?? 0, apply),
          );
      const top = attributed.producer === undefined ? undefined : highest.get(attributed.producer);
      const wentBack =
        top !== undefined &&
        attributed.seq !== undefined &&
        top.seq !== undefined &&
        attributed.seq < top.seq;
      const entry: TimelineEntry = {
        apply,
        op: hasRow(apply) ? 'PUT' : 'REMOVE',
        seq: attributed.seq,
        producer: attributed.producer,
        unattributed: attributed.unattributed,
        wentBackFrom: wentBack ? top : undefined,
      };
      if (entry.producer !== undefined && !wentBack) highest.set(entry.producer, entry);
      entries.push(entry);
      byApply.set(apply.n, entry);
    }
    byKey.set(key, entries);
  }
  return { byKey, byApply };
}

function byCommit(a: ApplyEvent, b: ApplyEvent): number {
  if (a.commitTs !== b.commitTs) return a.commitTs < b.commitTs ? -1 : 1;
  return a.n - b.n;
}

interface Attribution {
  readonly seq: number | undefined;
  readonly producer: string | undefined;
  readonly unattributed: TimelineEntry['unattributed'];
}

function attributeRow<Row extends object>(index: HistoryIndex<Row>, apply: RowApply): Attribution {
  const seq = index.seqOf(apply);
  if (index.rowsNameProducers) {
    return { seq, producer: index.rowProducer(apply), unattributed: undefined };
  }
  let producer: string | undefined;
  for (const submit of index.putSubmits.get(keySeqId(apply.key, seq)) ?? EMPTY) {
    if (submit.n > apply.n) break;
    const name = producerOf(submit);
    if (producer !== undefined && producer !== name)
      return { seq, producer: undefined, unattributed: 'ambiguous' };
    producer = name;
  }
  return producer === undefined
    ? { seq, producer: undefined, unattributed: 'no-submit' }
    : { seq, producer, unattributed: undefined };
}

function attributeTombstone(
  apply: ApplyEvent,
  removes: readonly SubmitEvent[],
  highest: ReadonlyMap<string, TimelineEntry>,
  excused: (top: TimelineEntry) => boolean,
): Attribution {
  // Per candidate producer: the smallest seq at or above its highest applied seq, and its largest seq.
  const fits = new Map<string, number | undefined>();
  const newest = new Map<string, number>();
  for (const remove of removes) {
    if (remove.n > apply.n) break;
    const producer = producerOf(remove);
    const floor = highest.get(producer)?.seq ?? Number.NEGATIVE_INFINITY;
    const fit = fits.get(producer);
    if (remove.seq >= floor && (fit === undefined || remove.seq < fit)) fits.set(producer, remove.seq);
    else if (!fits.has(producer)) fits.set(producer, undefined);
    const top = newest.get(producer);
    if (top === undefined || remove.seq > top) newest.set(producer, remove.seq);
  }
  if (newest.size === 0) return { seq: undefined, producer: undefined, unattributed: 'no-submit' };
  if (newest.size === 1) {
    const [producer, top] = newest.entries().next().value as [string, number];
    const resent = resentBelow(producer, apply, removes, highest, excused);
    return { seq: resent ?? fits.get(producer) ?? top, producer, unattributed: undefined };
  }
  let chosen: string | undefined;
  for (const [producer, fit] of fits) {
    if (fit === undefined) continue;
    if (chosen !== undefined) return { seq: undefined, producer: undefined, unattributed: 'ambiguous' };
    chosen = producer;
  }
  return chosen === undefined
    ? { seq: undefined, producer: undefined, unattributed: 'ambiguous' }
    : { seq: fits.get(chosen), producer: chosen, unattributed: undefined };
}

/**
 * A tombstone's reading as a resume sending again a REMOVE below the producer's highest applied seq, when
 * that step back is excused (the highest was written by an earlier run that reported it in doubt, and the
 * tombstone by a newer epoch): the highest REMOVE seq below it. An excused step back leaves the highest seq
 * where it was, so this reading is more charitable than any seq at or above it. `undefined` when there is none.
 */
function resentBelow(
  producer: string,
  apply: ApplyEvent,
  removes: readonly SubmitEvent[],
  highest: ReadonlyMap<string, TimelineEntry>,
  excused: (top: TimelineEntry) => boolean,
): number | undefined {
  const top = highest.get(producer);
  if (top?.seq === undefined || !excused(top)) return undefined;
  let below: number | undefined;
  for (const remove of removes) {
    if (remove.n > apply.n) break;
    if (producerOf(remove) !== producer || remove.seq >= top.seq) continue;
    if (below === undefined || remove.seq > below) below = remove.seq;
  }
  return below;
}
