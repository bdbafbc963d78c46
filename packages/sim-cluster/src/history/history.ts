/**
 * The recorded history of a simulated run: events appended in the order they happen, each stamped with its
 * position `n` and the virtual time `atMs`. Recording is cheap (one plain object pushed per event, no copy of
 * the row or index list it is handed), because it runs for every item and every committed key. The history
 * dumps to JSON lines, reads them back for replay, and hashes them for determinism tests.
 *
 * It does not decide anything: checkers judge a history. The objects handed to `record*` become part of the
 * history and must not be changed afterwards.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '@datastreamer/protocol';
import { renderReport } from '../report/render-report.js';
import { HistoryError } from './history-error.js';
import type {
  AckEvent,
  ApplyEvent,
  CompleteEvent,
  EventOf,
  FailEvent,
  FaultEvent,
  HistoryEvent,
  HistoryEventType,
  HistoryLike,
  InvokeEvent,
  SettledEvent,
  SubmitEvent,
  TopologyEvent,
  TopologyKind,
} from './history-event.js';
import { decodeEvent, encodeEvent } from './history-json.js';
import { type HistoryReportOptions, historyReport } from './history-report.js';

/** What `recordSubmit` takes: a submit event without its stamp. */
export type SubmitRecord = Omit<SubmitEvent, 'type' | 'n' | 'atMs'>;
/** What `recordAck` takes. */
export type AckRecord = Omit<AckEvent, 'type' | 'n' | 'atMs'>;
/** What `recordFail` takes. */
export type FailRecord = Omit<FailEvent, 'type' | 'n' | 'atMs'>;
/** What `recordApply` takes. */
export type ApplyRecord = Omit<ApplyEvent, 'type' | 'n' | 'atMs'>;
/** What `recordSettled` takes. */
export type SettledRecord = Omit<SettledEvent, 'type' | 'n' | 'atMs'>;
/** What `recordInvoke` takes. */
export type InvokeRecord = Omit<InvokeEvent, 'type' | 'n' | 'atMs'>;
/** What `recordComplete` takes. */
export type CompleteRecord = Omit<CompleteEvent, 'type' | 'n' | 'atMs'>;

/** Where a history's `atMs` comes from. */
export interface HistoryOptions {
  /** The run's clock; only `now()` is read. */
  readonly clock: Pick<Clock, 'now'>;
}

/** The events of a run, in the order they happened. */
export class History implements HistoryLike {
  readonly #clock: Pick<Clock, 'now'>;
  readonly #events: HistoryEvent[] = [];

  constructor(options: HistoryOptions) {
    this.#clock = options.clock;
  }

  /**
   * A history holding `events`, e.g. ones filtered from another history or built by a test.
   *
   * @param options.clock stamps events recorded afterwards. Default: a clock stopped at the last event's time.
   * @throws HistoryError `INVALID_ARGUMENT` when the events' `n` are not 0, 1, 2, ... or their times go back.
   */
  static fromEvents(events: readonly HistoryEvent[], options: Partial<HistoryOptions> = {}): History {
    checkSequence(events, (i) => `event ${i}`);
    return History.#of(events, options);
  }

  /**
   * The history that {@link History.toJsonLines} wrote (for replay). Empty lines are skipped.
   *
   * @param options.clock stamps events recorded afterwards. Default: a clock stopped at the last event's time.
   * @throws HistoryError `INVALID_ARGUMENT` naming the line of a malformed event, an `n` out of sequence or a
   *   time that goes back.
   */
  static fromJsonLines(text: string, options: Partial<HistoryOptions> = {}): History {
    const events: HistoryEvent[] = [];
    const lineNumbers: number[] = [];
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.trim() === '') continue;
      events.push(decodeEvent(line, i + 1));
      lineNumbers.push(i + 1);
    }
    checkSequence(events, (i) => `line ${lineNumbers[i]}`);
    return History.#of(events, options);
  }

  static #of(events: readonly HistoryEvent[], options: Partial<HistoryOptions>): History {
    const lastMs = events.at(-1)?.atMs ?? 0;
    const history = new History({ clock: options.clock ?? { now: () => lastMs } });
    history.#events.push(...events);
    return history;
  }

  /** Every event, in order; `events[i].n === i`. */
  get events(): readonly HistoryEvent[] {
    return this.#events;
  }

  /** The number of events. */
  get length(): number {
    return this.#events.length;
  }

  /**
   * Records that a producer handed an item to a streamer.
   *
   * @throws HistoryError `INVALID_ARGUMENT` when `seq` is not a finite number or `key` not a string (the
   *   sequence comes from the user's `seq` function: a wrong one must not corrupt the history silently).
   */
  recordSubmit(item: SubmitRecord): SubmitEvent {
    if (typeof item.seq !== 'number' || !Number.isFinite(item.seq)) {
      throw new HistoryError(
        'INVALID_ARGUMENT',
        `item ${item.index} of ${item.client} stream ${item.stream}: seq must be a finite number, got ${String(item.seq)}`,
      );
    }
    if (typeof item.key !== 'string') {
      throw new HistoryError(
        'INVALID_ARGUMENT',
        `item ${item.index} of ${item.client} stream ${item.stream}: key must be a canonical string`,
      );
    }
    const event: { -readonly [F in keyof SubmitEvent]: SubmitEvent[F] } = {
      type: 'submit',
      n: this.#events.length,
      atMs: this.#clock.now(),
      client: item.client,
      stream: item.stream,
      index: item.index,
      op: item.op,
      key: item.key,
      // -0 would come back from JSON as 0; as a sequence number it is 0.
      seq: item.seq + 0,
    };
    if (item.table !== undefined) event.table = item.table;
    if (item.producer !== undefined) event.producer = item.producer;
    return this.#push(event);
  }

  /** Records that the client learned a batch was applied. `ack.indexes` is kept, not copied. */
  recordAck(ack: AckRecord): AckEvent {
    return this.#push({
      type: 'ack',
      n: this.#events.length,
      atMs: this.#clock.now(),
      client: ack.client,
      stream: ack.stream,
      partition: ack.partition,
      node: ack.node,
      indexes: ack.indexes,
      ...(ack.earlierRun === undefined ? {} : { earlierRun: ack.earlierRun }),
    });
  }

  /** Records items the client reported as failed. `fail.indexes` is kept, not copied. */
  recordFail(fail: FailRecord): FailEvent {
    return this.#push({
      type: 'fail',
      n: this.#events.length,
      atMs: this.#clock.now(),
      client: fail.client,
      stream: fail.stream,
      indexes: fail.indexes,
      code: fail.code,
      ...(fail.inDoubt === undefined || fail.inDoubt.length === 0 ? {} : { inDoubt: fail.inDoubt }),
    });
  }

  /** Records one key written by a commit (`row: null` for a tombstone). `apply.row` is kept, not copied. */
  recordApply(apply: ApplyRecord): ApplyEvent {
    return this.#push({
      type: 'apply',
      n: this.#events.length,
      atMs: this.#clock.now(),
      node: apply.node,
      table: apply.table,
      partition: apply.partition,
      key: apply.key,
      row: apply.row,
      commitTs: apply.commitTs,
      ...(apply.batch === undefined ? {} : { batch: apply.batch }),
    });
  }

  /**
   * Records a fault (a network event, a scheduled fault): `kind` and the other fields as `details`. A field
   * named `atMs` is left out of the details: the event's own time says when.
   */
  recordFault<F extends { readonly kind: string }>(fault: F): FaultEvent {
    const { kind, atMs: _ignored, ...details } = fault as { readonly kind: string; readonly atMs?: unknown };
    return this.#push({ type: 'fault', n: this.#events.length, atMs: this.#clock.now(), kind, details });
  }

  /** Records a topology change: `kind` and the other fields (node, partition, ...) as `details`. */
  recordTopology<C extends { readonly kind: TopologyKind }>(change: C): TopologyEvent {
    const {
      kind,
      atMs: _ignored,
      ...details
    } = change as {
      readonly kind: TopologyKind;
      readonly atMs?: unknown;
    };
    return this.#push({ type: 'topology', n: this.#events.length, atMs: this.#clock.now(), kind, details });
  }

  /** Records that a stream's promise settled. */
  recordSettled(settled: SettledRecord): SettledEvent {
    const event: { -readonly [F in keyof SettledEvent]: SettledEvent[F] } = {
      type: 'settled',
      n: this.#events.length,
      atMs: this.#clock.now(),
      client: settled.client,
      stream: settled.stream,
      outcome: settled.outcome,
    };
    if (settled.code !== undefined) event.code = settled.code;
    if (settled.producerId !== undefined) event.producerId = settled.producerId;
    if (settled.epoch !== undefined) event.epoch = settled.epoch;
    return this.#push(event);
  }

  /** Records that a client began a single-key operation. */
  recordInvoke(invoke: InvokeRecord): InvokeEvent {
    const event: { -readonly [F in keyof InvokeEvent]: InvokeEvent[F] } = {
      type: 'invoke',
      n: this.#events.length,
      atMs: this.#clock.now(),
      client: invoke.client,
      op: invoke.op,
      table: invoke.table,
      key: invoke.key,
      kind: invoke.kind,
    };
    if (invoke.value !== undefined) event.value = invoke.value;
    return this.#push(event);
  }

  /** Records how a single-key operation ended. */
  recordComplete(complete: CompleteRecord): CompleteEvent {
    const event: { -readonly [F in keyof CompleteEvent]: CompleteEvent[F] } = {
      type: 'complete',
      n: this.#events.length,
      atMs: this.#clock.now(),
      client: complete.client,
      op: complete.op,
      outcome: complete.outcome,
    };
    if (complete.value !== undefined) event.value = complete.value;
    if (complete.deleted !== undefined) event.deleted = complete.deleted;
    if (complete.code !== undefined) event.code = complete.code;
    return this.#push(event);
  }

  /** The events of one type, in order. */
  ofType<T extends HistoryEventType>(type: T): EventOf<T>[] {
    const out: EventOf<T>[] = [];
    for (const event of this.#events) {
      if (event.type === type) out.push(event as EventOf<T>);
    }
    return out;
  }

  /** The events `predicate` keeps, in order. */
  filter(predicate: (event: HistoryEvent) => boolean): HistoryEvent[] {
    return this.#events.filter(predicate);
  }

  /** The submit, ack, fail and settled events of one stream, in order. */
  forStream(client: string, stream: number): (SubmitEvent | AckEvent | FailEvent | SettledEvent)[] {
    const out: (SubmitEvent | AckEvent | FailEvent | SettledEvent)[] = [];
    for (const event of this.#events) {
      switch (event.type) {
        case 'submit':
        case 'ack':
        case 'fail':
        case 'settled':
          if (event.client === client && event.stream === stream) out.push(event);
          break;
        default:
          break;
      }
    }
    return out;
  }

  /** The submit and apply events of one key (canonical string), in order. */
  forKey(key: string): (SubmitEvent | ApplyEvent)[] {
    const out: (SubmitEvent | ApplyEvent)[] = [];
    for (const event of this.#events) {
      if ((event.type === 'submit' || event.type === 'apply') && event.key === key) out.push(event);
    }
    return out;
  }

  /**
   * The history as JSON lines: one event per line, each line ending in a newline (see `history-json.ts`).
   *
   * @throws HistoryError `VALUE_NOT_ENCODABLE` when a row or details hold a value JSON lines cannot keep.
   */
  toJsonLines(): string {
    let text = '';
    for (const event of this.#events) text += `${encodeEvent(event)}\n`;
    return text;
  }

  /**
   * The history as one self-contained HTML page (no network needed to open it): the seed and replay command
   * on top when given, each checker violation of `options.judgement` linked to the events that prove it, a
   * per-key timeline of submits, applies, acks and failures across clients and nodes, and faults and topology
   * changes as bands. See `HistoryReportOptions` for the options and their defaults.
   */
  toHtml(options: HistoryReportOptions = {}): string {
    return renderReport(historyReport(this.#events, options));
  }

  /**
   * The SHA-256 of {@link History.toJsonLines}, in hex: equal histories give equal hashes, on any machine;
   * any change to any event changes it.
   *
   * @throws HistoryError `VALUE_NOT_ENCODABLE` as `toJsonLines`.
   */
  hash(): string {
    const hash = createHash('sha256');
    for (const event of this.#events) {
      hash.update(encodeEvent(event));
      hash.update('\n');
    }
    return hash.digest('hex');
  }

  #push<E extends HistoryEvent>(event: E): E {
    this.#events.push(event);
    return event;
  }
}

/** Checks that events are numbered 0, 1, 2, ... and their times never go back. */
function checkSequence(events: readonly HistoryEvent[], where: (i: number) => string): void {
  let previousMs = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < events.length; i++) {
    const event = events[i] as HistoryEvent;
    if (event.n !== i) {
      throw new HistoryError(
        'INVALID_ARGUMENT',
        `${where(i)}: n must be ${i} (events in order), got ${event.n}`,
      );
    }
    if (!(event.atMs >= previousMs)) {
      throw new HistoryError(
        'INVALID_ARGUMENT',
        `${where(i)}: atMs ${event.atMs} is before the previous event's ${previousMs}`,
      );
    }
    previousMs = event.atMs;
  }
}
