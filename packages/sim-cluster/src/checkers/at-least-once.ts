/**
 * The at-least-once checker: nothing acknowledged is lost, nothing is applied that nobody submitted, and
 * nothing submitted to a finished stream goes unreported. Duplicate applies are counted, not failures.
 *
 * Lost. An ack names the source indexes of one batch, and the node commits the batch before it answers, so
 * each ack must be preceded by its batch's apply. Inside a batch only the last item per key is written
 * ("last wins"), so the items of an ack are grouped by key and the group's last item (highest index) must
 * have been applied after it was submitted and before the ack:
 * - a PUT by an apply of that key whose `seq(row)` is the item's seq (and, with a `producer` option, whose
 *   `producer(row)` is the item's producer);
 * - a REMOVE by the key being absent at some point of its window. Its window starts at the later of its
 *   submit and the last row its own producer applied for the key with a smaller seq (a REMOVE takes effect
 *   after what its producer sent before it) and ends at the ack. The key is absent in the window when it
 *   was absent at the start (the server treats a REMOVE of an absent key as a no-op: no tombstone) or a
 *   tombstone of the key was committed inside it.
 * When the last item of a group was not applied, every item of the group is lost (the earlier ones only
 * ever existed as part of that write). An item is judged at its first ack only. An ack for items an earlier
 * run of the producer applied (`earlierRun`: a resume found them applied and did not send them again) is
 * judged the same way, its window starting at the producer's first submit of the item instead.
 *
 * Unexpected. A row apply needs a PUT of that key and seq (and producer, with the option) submitted before
 * it; a tombstone needs a REMOVE of the key submitted before it. Rows listed as `preexisting` are expected.
 *
 * Unaccounted. Once a stream settled: if it resolved, every item it submitted must have been acknowledged
 * before; if it rejected without naming its epoch, acknowledged or reported failed before. A rejected stream
 * that names its epoch reports an item neither acknowledged nor failed as applied (its batch's answer was
 * lost, its seal said it applied): `exactOutcomes` judges those. Streams that never settled are left to
 * `liveness`.
 *
 * Duplicates: row applies of one (producer, key, seq) beyond the first, plus, per key, tombstones beyond the
 * number of distinct REMOVEs submitted for it (a lower bound: tombstones do not say which REMOVE they are).
 */
import { formatEvent } from '../history/format-event.js';
import type {
  AckEvent,
  ApplyEvent,
  HistoryLike,
  HistoryRow,
  SettledEvent,
  SubmitEvent,
} from '../history/history-event.js';
import { type AtLeastOnceOptions, validateOptions } from './check-options.js';
import { buildReport, type CheckerResult } from './checker-result.js';
import { HistoryIndex, hasRow, itemId, keySeqId, producerOf, streamId } from './history-index.js';
import { buildKeyTimelines, type KeyTimelines } from './key-timelines.js';
import { ResumedDoubts } from './resumed-doubts.js';

/** An acknowledged item that was not applied. */
export interface LostItem {
  /** The item. */
  readonly submit: SubmitEvent;
  /** The ack that claimed it applied. */
  readonly ack: AckEvent;
  /** The last item of its key in that ack: the one that had to be written (the item itself, or a later one). */
  readonly winner: SubmitEvent;
  readonly reason: string;
}

/** An apply of something nobody submitted. */
export interface UnexpectedApply {
  readonly apply: ApplyEvent;
  readonly reason: string;
}

/** An item of a settled stream that was neither acknowledged nor (for a rejected stream) reported failed. */
export interface UnaccountedItem {
  readonly submit: SubmitEvent;
  readonly settled: SettledEvent;
  readonly reason: string;
}

/** What `atLeastOnce` found. */
export interface AtLeastOnceResult extends CheckerResult<'atLeastOnce'> {
  readonly lost: readonly LostItem[];
  readonly unexpected: readonly UnexpectedApply[];
  readonly unaccounted: readonly UnaccountedItem[];
  /** Applies beyond the first of one item (see the module header): counted, not a failure. */
  readonly duplicated: number;
  /** Items submitted to the judged table, items acknowledged, and applies to it. */
  readonly counts: { readonly submitted: number; readonly acknowledged: number; readonly applied: number };
}

/**
 * Judges `history` for at-least-once delivery (see the module header).
 *
 * @throws CheckerError `INVALID_ARGUMENT` for a bad option, a `seq`/`producer`/`key` function that throws or
 *   gives an unusable value, or a history that contradicts itself (an ack of an item never submitted).
 */
export function atLeastOnce<Row extends object = HistoryRow>(
  history: HistoryLike,
  options: AtLeastOnceOptions<Row>,
): AtLeastOnceResult {
  validateOptions(options, ['seq']);
  const index = new HistoryIndex(history, options);
  return judgeAtLeastOnce(index, buildKeyTimelines(index, new ResumedDoubts(history)));
}

/** {@link atLeastOnce} over a built index (the composition shares one). */
export function judgeAtLeastOnce<Row extends object>(
  index: HistoryIndex<Row>,
  timelines: KeyTimelines,
): AtLeastOnceResult {
  const firstAck = new Map<string, number>();
  const lost = findLost(index, timelines, firstAck);
  const unexpected = findUnexpected(index);
  const unaccounted = findUnaccounted(index, firstAck);
  const duplicated = countDuplicates(index, timelines);
  const valid = lost.length === 0 && unexpected.length === 0 && unaccounted.length === 0;
  const counts = {
    submitted: index.submits.length,
    acknowledged: firstAck.size,
    applied: index.applies.length,
  };
  const summary =
    `${lost.length} lost, ${unexpected.length} unexpected, ${unaccounted.length} unaccounted; ` +
    `${duplicated} duplicate applies; ${counts.submitted} submitted, ${counts.acknowledged} acknowledged, ` +
    `${counts.applied} applies`;
  const report = buildReport('atLeastOnce', valid, summary, [
    {
      title: 'lost (acknowledged, never applied)',
      findings: lost.map((l) => [
        l.reason,
        formatEvent(l.submit),
        ...(l.winner === l.submit ? [] : [formatEvent(l.winner)]),
        formatEvent(l.ack),
      ]),
    },
    {
      title: 'unexpected (applied, never submitted)',
      findings: unexpected.map((u) => [u.reason, formatEvent(u.apply)]),
    },
    {
      title: 'unaccounted (neither acknowledged nor reported failed)',
      findings: unaccounted.map((u) => [u.reason, formatEvent(u.submit), formatEvent(u.settled)]),
    },
  ]);
  return { checker: 'atLeastOnce', valid, report, lost, unexpected, unaccounted, duplicated, counts };
}

/** `item 3 of client-1 stream 0 (PUT key 7 seq 2)`. */
function describeItem(submit: SubmitEvent): string {
  return `item ${submit.index} of ${submit.client} stream ${submit.stream} (${submit.op} key ${submit.key} seq ${submit.seq})`;
}

function findLost<Row extends object>(
  index: HistoryIndex<Row>,
  timelines: KeyTimelines,
  firstAck: Map<string, number>,
): LostItem[] {
  const lost: LostItem[] = [];
  let firstSubmits: Map<string, number> | undefined;
  for (const ack of withEarlierRunsMerged(index.acks)) {
    // The ack's items not judged before, by key, in index order.
    const groups = new Map<string, SubmitEvent[]>();
    for (const i of ack.indexes) {
      const submit = index.submitOf(ack, i);
      if (!index.includes(submit)) continue;
      const id = itemId(submit.client, submit.stream, submit.index);
      if (firstAck.has(id)) continue;
      firstAck.set(id, ack.n);
      const group = groups.get(submit.key);
      if (group === undefined) groups.set(submit.key, [submit]);
      else group.push(submit);
    }
    for (const group of groups.values()) {
      let winner = group[0] as SubmitEvent;
      for (const submit of group) if (submit.index > winner.index) winner = submit;
      let since = winner.n;
      if (ack.earlierRun !== undefined) {
        firstSubmits ??= firstSubmitsOf(index.submits);
        since = firstSubmits.get(submitKey(winner)) ?? winner.n;
      }
      const missing =
        winner.op === 'PUT'
          ? putMissing(index, winner, ack, since)
          : removeMissing(index, timelines, winner, ack, since);
      if (missing === undefined) continue;
      for (const submit of group) {
        const reason =
          submit === winner
            ? `${describeItem(submit)} was acknowledged but not applied: ${missing}`
            : `${describeItem(submit)} was acknowledged, but the batch's last item of its key, ` +
              `${describeItem(winner)}, was not applied: ${missing}`;
        lost.push({ submit, ack, winner, reason });
      }
    }
  }
  return lost;
}

/** Why a PUT winner was not applied within its window, or `undefined` when it was. */
/**
 * `acks`, with the `earlierRun` acks of one stream for one earlier batch merged into one (at the last of
 * them): they report, item by item, one batch of the earlier run, inside which only the last item per key
 * was written.
 */
function withEarlierRunsMerged(acks: readonly AckEvent[]): AckEvent[] {
  const merged = new Map<string, AckEvent>();
  const out: AckEvent[] = [];
  for (const ack of acks) {
    const earlier = ack.earlierRun;
    if (earlier === undefined) {
      out.push(ack);
      continue;
    }
    const id = `${ack.client}#${ack.stream}#${earlier.epoch}#${earlier.batchSeq}`;
    const before = merged.get(id);
    merged.set(id, before === undefined ? ack : { ...ack, indexes: [...before.indexes, ...ack.indexes] });
  }
  out.push(...merged.values());
  return out.sort((a, b) => a.n - b.n);
}

/** Per producer, key and seq: the event number of the first submit of that item. */
function firstSubmitsOf(submits: readonly SubmitEvent[]): Map<string, number> {
  const first = new Map<string, number>();
  for (const submit of submits) {
    const key = submitKey(submit);
    if (!first.has(key)) first.set(key, submit.n);
  }
  return first;
}

function submitKey(submit: SubmitEvent): string {
  return `${producerOf(submit)}|${submit.op}|${keySeqId(submit.key, submit.seq)}`;
}

function putMissing<Row extends object>(
  index: HistoryIndex<Row>,
  winner: SubmitEvent,
  ack: AckEvent,
  since: number,
): string | undefined {
  const applies = index.putApplies.get(keySeqId(winner.key, winner.seq)) ?? [];
  const producer = producerOf(winner);
  let late: ApplyEvent | undefined;
  for (const apply of applies) {
    if (apply.n < since || !hasRow(apply)) continue;
    if (index.rowsNameProducers && index.rowProducer(apply) !== producer) continue;
    if (apply.n < ack.n) return undefined;
    late ??= apply;
  }
  return late === undefined
    ? `no apply of key ${winner.key} with seq ${winner.seq} followed its submit (#${since})`
    : `it was applied only after the ack (#${late.n})`;
}

/** Why a REMOVE winner did not take effect within its window, or `undefined` when it did. */
function removeMissing<Row extends object>(
  index: HistoryIndex<Row>,
  timelines: KeyTimelines,
  winner: SubmitEvent,
  ack: AckEvent,
  since: number,
): string | undefined {
  const applies = index.appliesByKey.get(winner.key) ?? [];
  const producer = producerOf(winner);
  // Only applies inside the window matter, so the scans start from binary searches: a hot key's history
  // is long, a window short.
  const beforeAck = firstAtOrAfter(applies, ack.n);
  let start = since;
  for (let i = beforeAck - 1; i >= 0 && (applies[i] as ApplyEvent).n > since; i--) {
    const entry = timelines.byApply.get((applies[i] as ApplyEvent).n);
    if (
      entry?.op === 'PUT' &&
      entry.producer === producer &&
      entry.seq !== undefined &&
      entry.seq < winner.seq
    ) {
      start = entry.apply.n;
      break;
    }
  }
  const afterStart = firstAtOrAfter(applies, start + 1);
  for (let i = afterStart; i < beforeAck; i++) if ((applies[i] as ApplyEvent).row === null) return undefined;
  // Present or absent at `start`: the last apply at or before it decides.
  const last = applies[afterStart - 1];
  const present = last === undefined ? index.preexistingKeys.has(winner.key) : last.row !== null;
  if (!present) return undefined;
  return start === since
    ? `key ${winner.key} was present at its submit (#${since}) and no tombstone was committed before the ack`
    : `key ${winner.key} was present after its producer's earlier row (#${start}) and no tombstone was committed before the ack`;
}

function findUnexpected<Row extends object>(index: HistoryIndex<Row>): UnexpectedApply[] {
  const unexpected: UnexpectedApply[] = [];
  for (const apply of index.applies) {
    if (hasRow(apply)) {
      const seq = index.seqOf(apply);
      const producer = index.rowProducer(apply);
      let submittedLater = false;
      let otherProducer = false;
      let found = false;
      for (const submit of index.putSubmits.get(keySeqId(apply.key, seq)) ?? []) {
        if (submit.n > apply.n) submittedLater = true;
        else if (producer !== undefined && producerOf(submit) !== producer) otherProducer = true;
        else found = true;
        if (found) break;
      }
      if (found || index.preexistingVersions.has(keySeqId(apply.key, seq))) continue;
      const what = `a row of key ${apply.key} with seq ${seq}`;
      const reason = submittedLater
        ? `${what} was applied before any such PUT was submitted`
        : otherProducer
          ? `${what} was applied as producer ${producer}'s, but only other producers submitted that key and seq`
          : `${what} was applied but no PUT of that key and seq was ever submitted`;
      unexpected.push({ apply, reason });
    } else {
      const removes = index.removeSubmits.get(apply.key) ?? [];
      if (removes.length > 0 && (removes[0] as SubmitEvent).n < apply.n) continue;
      unexpected.push({
        apply,
        reason:
          removes.length > 0
            ? `a tombstone of key ${apply.key} was committed before any REMOVE of it was submitted`
            : `a tombstone of key ${apply.key} was committed but no REMOVE of it was ever submitted`,
      });
    }
  }
  return unexpected;
}

function findUnaccounted<Row extends object>(
  index: HistoryIndex<Row>,
  firstAck: ReadonlyMap<string, number>,
): UnaccountedItem[] {
  const firstFail = new Map<string, number>();
  for (const fail of index.fails) {
    for (const i of fail.indexes) {
      const submit = index.submitOf(fail, i);
      const id = itemId(submit.client, submit.stream, submit.index);
      if (!firstFail.has(id)) firstFail.set(id, fail.n);
    }
  }
  const unaccounted: UnaccountedItem[] = [];
  for (const submit of index.submits) {
    const settled = index.settled.get(streamId(submit.client, submit.stream));
    if (settled === undefined) continue;
    const id = itemId(submit.client, submit.stream, submit.index);
    const acked = firstAck.get(id);
    const failed = firstFail.get(id);
    const ackedInTime = acked !== undefined && acked < settled.n;
    const failedInTime = failed !== undefined && failed < settled.n;
    let reason: string | undefined;
    if (settled.outcome === 'resolved' && !ackedInTime) {
      reason =
        acked !== undefined
          ? `the stream resolved before ${describeItem(submit)} was acknowledged (#${acked})`
          : failed !== undefined
            ? `the stream resolved but ${describeItem(submit)} was reported failed (#${failed}), never acknowledged`
            : `the stream resolved but ${describeItem(submit)} was never acknowledged`;
    } else if (
      settled.outcome === 'rejected' &&
      !ackedInTime &&
      !failedInTime &&
      settled.epoch === undefined
    ) {
      reason =
        acked !== undefined || failed !== undefined
          ? `the stream rejected before ${describeItem(submit)} was acknowledged or reported failed`
          : `the stream rejected but ${describeItem(submit)} was neither acknowledged nor reported failed`;
    }
    if (reason !== undefined) unaccounted.push({ submit, settled, reason });
  }
  return unaccounted;
}

function countDuplicates<Row extends object>(index: HistoryIndex<Row>, timelines: KeyTimelines): number {
  let duplicated = 0;
  const seen = new Set<string>();
  for (const [key, entries] of timelines.byKey) {
    let tombstones = 0;
    for (const entry of entries) {
      if (entry.op === 'REMOVE') {
        tombstones++;
        continue;
      }
      const id = `${entry.producer ?? ''}\u0000${keySeqId(key, entry.seq ?? Number.NaN)}`;
      if (seen.has(id)) duplicated++;
      else seen.add(id);
    }
    if (tombstones > 0) {
      const removes = new Set<string>();
      for (const remove of index.removeSubmits.get(key) ?? [])
        removes.add(`${producerOf(remove)}\u0000${remove.seq}`);
      duplicated += Math.max(0, tombstones - removes.size);
    }
  }
  return duplicated;
}

/** The position of the first of `applies` (in history order) whose `n` is at least `n`. */
function firstAtOrAfter(applies: readonly ApplyEvent[], n: number): number {
  let lo = 0;
  let hi = applies.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((applies[mid] as ApplyEvent).n < n) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
