/**
 * The one way a key may go back within its producer's order without a bug: an item a failed run reported in
 * doubt (its partition could not be sealed) applied late, after the run ended, and the producer's resume, a
 * newer epoch **on another client**, then sent it again with the items after it, as the resume rules say.
 * Until the resume's later items land, the key shows the older value again. A resume on the same client does
 * not: the client remembers what it left in doubt, seals it first and does not send again what applied, so
 * that case is a violation. This module finds, from the history, which (producer, epoch, key, seq) were
 * reported in doubt, so `perKeyOrder` can tell the excused case from a real step back: the newer value must
 * have been written by the in-doubt run, and the older one by a newer epoch of the same producer on another
 * client. Anything else that goes back is still a violation.
 */
import type { ApplyEvent, HistoryLike } from '../history/history-event.js';

/** `(producer, epoch, key, seq)` of every item a rejected run reported in doubt. */
export class ResumedDoubts {
  readonly #doubts = new Set<string>();
  /** The client of each run, by `producer|epoch`. */
  readonly #clients = new Map<string, string>();

  constructor(history: HistoryLike) {
    const runs = new Map<string, { readonly producerId: string; readonly epoch: number }>();
    const inDoubt = new Map<string, ReadonlySet<number>>();
    for (const event of history.events) {
      if (event.type === 'settled' && event.producerId !== undefined && event.epoch !== undefined) {
        runs.set(streamId(event.client, event.stream), { producerId: event.producerId, epoch: event.epoch });
        this.#clients.set(`${event.producerId}|${event.epoch}`, event.client);
      } else if (event.type === 'fail' && event.inDoubt !== undefined && event.inDoubt.length > 0) {
        inDoubt.set(streamId(event.client, event.stream), new Set(event.inDoubt));
      }
    }
    if (inDoubt.size === 0) return;
    for (const event of history.events) {
      if (event.type !== 'submit') continue;
      const stream = streamId(event.client, event.stream);
      const run = runs.get(stream);
      if (run === undefined || inDoubt.get(stream)?.has(event.index) !== true) continue;
      this.#doubts.add(doubtId(run.producerId, run.epoch, event.key, event.seq));
    }
  }

  /**
   * Whether `older` (an apply of `olderSeq` committed after `newer`, an apply of `newerSeq` of the same key)
   * is a resume sending again an item its producer's earlier run reported in doubt: `newer` was written by
   * that earlier run, for an item it reported in doubt, and `older` by a newer epoch of the same producer, run
   * by another client (a run whose client is not known is taken as another one).
   */
  excuses(key: string, newer: ApplyEvent, newerSeq: number, older: ApplyEvent): boolean {
    const from = newer.batch;
    const by = older.batch;
    if (from === undefined || by === undefined) return false;
    if (from.producerId !== by.producerId || by.epoch <= from.epoch) return false;
    const resumedOn = this.#clients.get(`${by.producerId}|${by.epoch}`);
    if (resumedOn !== undefined && resumedOn === this.#clients.get(`${from.producerId}|${from.epoch}`)) {
      return false;
    }
    return this.#doubts.has(doubtId(from.producerId, from.epoch, key, newerSeq));
  }
}

function streamId(client: string, stream: number): string {
  return `${client}#${stream}`;
}

function doubtId(producerId: string, epoch: number, key: string, seq: number): string {
  return `${producerId}|${epoch}|${key}|${seq}`;
}
