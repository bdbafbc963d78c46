/**
 * The exact-outcomes checker: what a stream reported when it failed is true, and a resume with the same
 * producer ends with the resumed writes. It needs what the cluster records of producers: each apply names the
 * streamer batch that wrote it (producer id, epoch, batch number) and each settled stream its producer id and
 * epoch. A rejected stream that names no epoch (it failed before registering) is not judged.
 *
 * For every rejected stream S (producer P, epoch E):
 * - Failed, not in doubt, yet applied. An item S reported in `failedItems` but not in `inDoubtItems` was
 *   certainly not applied, then or later: no apply by (P, E) may write it. A PUT is written by an apply of
 *   (P, E) with its key and seq. REMOVEs leave tombstones without a seq, so they are counted: per key, the
 *   tombstones (P, E) committed may not outnumber the REMOVEs of S on that key that were not reported
 *   certainly failed (not failed, or failed in doubt; each tombstone of a batch stands for at least one of
 *   its REMOVEs).
 * - Reported applied, yet not applied. An item of S neither acknowledged nor in `failedItems` was reported
 *   applied (its batch's answer was lost; the seal said it applied): (P, E) must have written its key at or
 *   after it: for a PUT, a row of that key with a seq at least its own, or a tombstone committed after its
 *   submit (a later REMOVE of the same batch may have won); for a REMOVE that follows a row (P, E) wrote of
 *   the key, a tombstone or a row of a later item after that row (a REMOVE of an absent key writes nothing,
 *   so one without such a row is not judged). (Acknowledged items are `atLeastOnce`'s to judge.)
 *
 * For every producer with two streams or more (a resume), whose last stream (the highest epoch) resolved:
 * - Final state. Each key only that producer's streams submitted ends as the last stream's last item of that
 *   key left it: the key's last apply in commit order is a row with that item's seq, or, when that item is a
 *   REMOVE, a tombstone or no apply at all. A late attempt of a failed run landing after the resume would
 *   break it.
 */
import { formatEvent } from '../history/format-event.js';
import type {
  ApplyEvent,
  FailEvent,
  HistoryLike,
  HistoryRow,
  SettledEvent,
  SubmitEvent,
} from '../history/history-event.js';
import { type PerKeyOrderOptions, validateOptions } from './check-options.js';
import { buildReport, type CheckerResult } from './checker-result.js';
import { HistoryIndex, hasRow, streamId } from './history-index.js';
import { buildKeyTimelines, type KeyTimelines } from './key-timelines.js';
import { ResumedDoubts } from './resumed-doubts.js';

/** The kinds of exact-outcome violation. */
export const ExactOutcomeKinds = {
  /** A failed item not in doubt was applied by its own run. */
  failedButApplied: 'failed-but-applied',
  /** An item reported applied (neither acknowledged nor failed) was not applied by its run. */
  reportedButNotApplied: 'reported-but-not-applied',
  /** After a resume by the same producer, a key does not hold the resumed run's last write. */
  resumeOverwritten: 'resume-overwritten',
} as const;

export type ExactOutcomeKind = (typeof ExactOutcomeKinds)[keyof typeof ExactOutcomeKinds];

/** One violation. */
export interface ExactOutcomeViolation {
  readonly kind: ExactOutcomeKind;
  readonly key: string;
  /** The item the violation is about (for a REMOVE count, the first failed REMOVE of the key). */
  readonly submit: SubmitEvent;
  /** The apply that shows it, when one does. */
  readonly apply: ApplyEvent | undefined;
  readonly reason: string;
}

/** What `exactOutcomes` found. */
export interface ExactOutcomesResult extends CheckerResult<'exactOutcomes'> {
  readonly violations: readonly ExactOutcomeViolation[];
  /** Rejected streams judged (they named their epoch). */
  readonly rejectedStreams: number;
  /** Producers judged for a resume (two streams or more, the last one resolved). */
  readonly resumes: number;
  /** Items judged: failed and not in doubt, reported applied, and keys judged after a resume. */
  readonly counts: {
    readonly failed: number;
    readonly reportedApplied: number;
    readonly resumedKeys: number;
  };
}

/** A stream's run as its settled event names it. */
interface Run {
  readonly settled: SettledEvent;
  readonly producerId: string;
  readonly epoch: number;
}

/**
 * Judges `history` for exact outcomes (see the module header).
 *
 * @throws CheckerError `INVALID_ARGUMENT` for a bad option, a `seq` function that throws or gives an
 *   unusable value, or a history that contradicts itself.
 */
export function exactOutcomes<Row extends object = HistoryRow>(
  history: HistoryLike,
  options: PerKeyOrderOptions<Row>,
): ExactOutcomesResult {
  validateOptions(options, ['seq']);
  const index = new HistoryIndex(history, options);
  return judgeExactOutcomes(index, buildKeyTimelines(index, new ResumedDoubts(history)));
}

/** {@link exactOutcomes} over a built index and timelines (the composition shares them). */
export function judgeExactOutcomes<Row extends object>(
  index: HistoryIndex<Row>,
  timelines: KeyTimelines,
): ExactOutcomesResult {
  const runs = runsOf(index);
  const byRun = appliesByRun(index);
  const violations: ExactOutcomeViolation[] = [];
  let failedCount = 0;
  let reportedCount = 0;
  let rejectedStreams = 0;
  for (const [id, run] of runs) {
    if (run.settled.outcome !== 'rejected') continue;
    rejectedStreams++;
    const submits = [...(index.submitsByStream.get(id)?.values() ?? [])].filter((s) => index.includes(s));
    const failed = failedIndexes(index.fails, run.settled);
    const acked = ackedIndexes(index, run.settled);
    const applies = byRun.get(runId(run.producerId, run.epoch)) ?? [];
    const notFailedRemoves = new Map<string, number>();
    for (const submit of submits) {
      // A REMOVE reported in doubt may have written its tombstone as much as one not reported failed.
      if (submit.op === 'REMOVE' && failed.get(submit.index) !== 'failed') {
        notFailedRemoves.set(submit.key, (notFailedRemoves.get(submit.key) ?? 0) + 1);
      }
    }
    const countedKeys = new Set<string>();
    for (const submit of submits) {
      const state = failed.get(submit.index);
      if (state === 'failed') {
        failedCount++;
        const found = failedButApplied(index, submit, applies, notFailedRemoves, countedKeys);
        if (found !== undefined) violations.push(found);
      } else if (state === undefined && !acked.has(submit.index)) {
        reportedCount++;
        const found = reportedButNotApplied(index, submit, applies);
        if (found !== undefined) violations.push(found);
      }
    }
  }
  const resumed = judgeResumes(index, timelines, runs);
  violations.push(...resumed.violations);
  const valid = violations.length === 0;
  const report = buildReport(
    'exactOutcomes',
    valid,
    `${violations.length} violations over ${rejectedStreams} rejected streams and ${resumed.producers} resumes; ` +
      `${failedCount} failed items, ${reportedCount} reported applied, ${resumed.keys} resumed keys`,
    [
      section(violations, ExactOutcomeKinds.failedButApplied, 'failed (not in doubt) yet applied by its run'),
      section(violations, ExactOutcomeKinds.reportedButNotApplied, 'reported applied yet not applied'),
      section(violations, ExactOutcomeKinds.resumeOverwritten, "a resume's last write overwritten"),
    ],
  );
  return {
    checker: 'exactOutcomes',
    valid,
    report,
    violations,
    rejectedStreams,
    resumes: resumed.producers,
    counts: { failed: failedCount, reportedApplied: reportedCount, resumedKeys: resumed.keys },
  };
}

function section(violations: readonly ExactOutcomeViolation[], kind: ExactOutcomeKind, title: string) {
  return {
    title,
    findings: violations
      .filter((v) => v.kind === kind)
      .map((v) => [
        v.reason,
        formatEvent(v.submit),
        ...(v.apply === undefined ? [] : [formatEvent(v.apply)]),
      ]),
  };
}

function runId(producerId: string, epoch: number): string {
  return `${producerId}\u0000${epoch}`;
}

/** Every settled stream that named its producer and epoch, by stream id. */
function runsOf<Row extends object>(index: HistoryIndex<Row>): Map<string, Run> {
  const runs = new Map<string, Run>();
  for (const [id, settled] of index.settled) {
    if (settled.producerId !== undefined && settled.epoch !== undefined) {
      runs.set(id, { settled, producerId: settled.producerId, epoch: settled.epoch });
    }
  }
  return runs;
}

/** The judged table's applies by the run (producer and epoch) that wrote them. */
function appliesByRun<Row extends object>(index: HistoryIndex<Row>): Map<string, ApplyEvent[]> {
  const out = new Map<string, ApplyEvent[]>();
  for (const apply of index.applies) {
    if (apply.batch === undefined) continue;
    const id = runId(apply.batch.producerId, apply.batch.epoch);
    let list = out.get(id);
    if (list === undefined) {
      list = [];
      out.set(id, list);
    }
    list.push(apply);
  }
  return out;
}

/** The stream's failed item indexes, each `failed` or `in-doubt`, from fail events before it settled. */
function failedIndexes(
  fails: readonly FailEvent[],
  settled: SettledEvent,
): Map<number, 'failed' | 'in-doubt'> {
  const out = new Map<number, 'failed' | 'in-doubt'>();
  for (const fail of fails) {
    if (fail.client !== settled.client || fail.stream !== settled.stream || fail.n > settled.n) continue;
    const doubt = new Set(fail.inDoubt ?? []);
    for (const i of fail.indexes) out.set(i, doubt.has(i) ? 'in-doubt' : 'failed');
  }
  return out;
}

function ackedIndexes<Row extends object>(index: HistoryIndex<Row>, settled: SettledEvent): Set<number> {
  const out = new Set<number>();
  for (const ack of index.acks) {
    if (ack.client === settled.client && ack.stream === settled.stream)
      for (const i of ack.indexes) out.add(i);
  }
  return out;
}

function failedButApplied<Row extends object>(
  index: HistoryIndex<Row>,
  submit: SubmitEvent,
  applies: readonly ApplyEvent[],
  notFailedRemoves: ReadonlyMap<string, number>,
  countedKeys: Set<string>,
): ExactOutcomeViolation | undefined {
  if (submit.op === 'PUT') {
    const apply = applies.find((a) => a.key === submit.key && hasRow(a) && index.seqOf(a) === submit.seq);
    if (apply === undefined) return undefined;
    return {
      kind: ExactOutcomeKinds.failedButApplied,
      key: submit.key,
      submit,
      apply,
      reason: `${describe(submit)} was reported failed and not in doubt, yet its run applied it`,
    };
  }
  if (countedKeys.has(submit.key)) return undefined;
  countedKeys.add(submit.key);
  const tombstones = applies.filter((a) => a.key === submit.key && !hasRow(a));
  const allowed = notFailedRemoves.get(submit.key) ?? 0;
  if (tombstones.length <= allowed) return undefined;
  return {
    kind: ExactOutcomeKinds.failedButApplied,
    key: submit.key,
    submit,
    apply: tombstones[allowed],
    reason:
      `its run committed ${tombstones.length} tombstone(s) of key ${submit.key} but only ${allowed} of its ` +
      `REMOVEs of that key were not reported certainly failed: ${describe(submit)} (failed, not in doubt) or a later ` +
      'failed REMOVE was applied',
  };
}

function reportedButNotApplied<Row extends object>(
  index: HistoryIndex<Row>,
  submit: SubmitEvent,
  applies: readonly ApplyEvent[],
): ExactOutcomeViolation | undefined {
  let written: boolean;
  if (submit.op === 'PUT') {
    written = applies.some(
      (a) => a.key === submit.key && a.n > submit.n && (!hasRow(a) || index.seqOf(a) >= submit.seq),
    );
  } else {
    // A REMOVE of an absent key writes nothing, so a REMOVE is judged only after a row its run wrote of the
    // key before it: then it must be followed by a tombstone, or by a row of a later item of its batch.
    const before = applies
      .filter((a) => a.key === submit.key && hasRow(a) && index.seqOf(a) < submit.seq)
      .at(-1);
    if (before === undefined) return undefined;
    written = applies.some(
      (a) => a.key === submit.key && a.n > before.n && (!hasRow(a) || index.seqOf(a) > submit.seq),
    );
  }
  if (written) return undefined;
  return {
    kind: ExactOutcomeKinds.reportedButNotApplied,
    key: submit.key,
    submit,
    apply: undefined,
    reason: `${describe(submit)} was neither acknowledged nor reported failed (so reported applied), yet its run never wrote it`,
  };
}

/** The final-state rule after resumes (see the module header). */
function judgeResumes<Row extends object>(
  index: HistoryIndex<Row>,
  timelines: KeyTimelines,
  runs: ReadonlyMap<string, Run>,
): { violations: ExactOutcomeViolation[]; producers: number; keys: number } {
  const byProducer = new Map<string, { id: string; run: Run }[]>();
  const producerOfStream = new Map<string, string>();
  for (const [id, run] of runs) {
    const list = byProducer.get(run.producerId) ?? [];
    list.push({ id, run });
    byProducer.set(run.producerId, list);
    producerOfStream.set(id, run.producerId);
  }
  // Keys submitted by streams of more than one producer (or of a stream that named none) are not judged.
  const writers = new Map<string, Set<string>>();
  for (const submit of index.submits) {
    const id = streamId(submit.client, submit.stream);
    const set = writers.get(submit.key) ?? new Set<string>();
    set.add(producerOfStream.get(id) ?? `stream ${id}`);
    writers.set(submit.key, set);
  }
  const violations: ExactOutcomeViolation[] = [];
  let producers = 0;
  let keys = 0;
  for (const [producerId, list] of byProducer) {
    if (list.length < 2) continue;
    const last = list.reduce((a, b) => (b.run.epoch > a.run.epoch ? b : a));
    if (last.run.settled.outcome !== 'resolved') continue;
    producers++;
    const lastItem = new Map<string, SubmitEvent>();
    for (const submit of index.submitsByStream.get(last.id)?.values() ?? []) {
      if (index.includes(submit)) lastItem.set(submit.key, submit);
    }
    for (const [key, item] of lastItem) {
      if (writers.get(key)?.size !== 1) continue;
      keys++;
      const entries = timelines.byKey.get(key) ?? [];
      const final = entries.at(-1)?.apply;
      // A REMOVE of a key that never existed writes nothing: no apply at all is its end state too.
      const ok =
        item.op === 'REMOVE'
          ? final === undefined || !hasRow(final)
          : final !== undefined && hasRow(final) && index.seqOf(final) === item.seq;
      if (ok) continue;
      violations.push({
        kind: ExactOutcomeKinds.resumeOverwritten,
        key,
        submit: item,
        apply: final,
        reason:
          `producer "${producerId}" resumed and its last run (epoch ${last.run.epoch}) resolved, but key ${key} ` +
          `does not end as its last item left it (${describe(item)})`,
      });
    }
  }
  return { violations, producers, keys };
}

function describe(submit: SubmitEvent): string {
  return `item ${submit.index} of ${submit.client} stream ${submit.stream} (${submit.op} key ${submit.key} seq ${submit.seq})`;
}
