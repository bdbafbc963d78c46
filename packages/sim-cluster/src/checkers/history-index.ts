/**
 * One pass over a history that every checker shares: the table being judged, the submitted items by stream
 * and by key, the applies by key, each row's sequence number and producer, acks, fails and settled streams.
 * Building it also rejects a history that contradicts itself (an item submitted twice, an ack or a fail of an
 * item never submitted), because no verdict on such a history would mean anything.
 *
 * It does not judge anything, and does not order applies by commit (`key-timelines.ts` does).
 */
import { canonicalKey } from '../history/canonical-key.js';
import { formatEvent } from '../history/format-event.js';
import type {
  AckEvent,
  ApplyEvent,
  FailEvent,
  HistoryEvent,
  HistoryLike,
  HistoryRow,
  SettledEvent,
  SubmitEvent,
} from '../history/history-event.js';
import type { AtLeastOnceOptions } from './check-options.js';
import { CheckerError } from './checker-error.js';

/** What the index needs of the options: the union of what the row-reading checkers take. */
export type IndexOptions<Row extends object> = AtLeastOnceOptions<Row>;

/** Map key of one stream. */
export function streamId(client: string, stream: number): string {
  return `${client}\u0000${stream}`;
}

/** Map key of one item of one stream. */
export function itemId(client: string, stream: number, index: number): string {
  return `${client}\u0000${stream}\u0000${index}`;
}

/** Map key of a key and a sequence number. */
export function keySeqId(key: string, seq: number): string {
  return `${key}\u0000${seq}`;
}

/** An apply that wrote a row (not a tombstone). */
export type RowApply = ApplyEvent & { readonly row: HistoryRow };

/** Whether `apply` wrote a row. */
export function hasRow(apply: ApplyEvent): apply is RowApply {
  return apply.row !== null;
}

/** The producer a submitted item belongs to. */
export function producerOf(submit: SubmitEvent): string {
  return submit.producer ?? submit.client;
}

/** The submitted items and applies of one history, for one table. */
export class HistoryIndex<Row extends object> {
  readonly events: readonly HistoryEvent[];
  /** The table judged; `undefined` when the history names none. */
  readonly table: string | undefined;
  /** Every submit (of any table), by stream then index: acks and fails are checked against it. */
  readonly submitsByStream = new Map<string, Map<number, SubmitEvent>>();
  /** Submits of the judged table, in order. */
  readonly submits: SubmitEvent[] = [];
  /** PUT submits of the judged table by key and seq, in order. */
  readonly putSubmits = new Map<string, SubmitEvent[]>();
  /** REMOVE submits of the judged table by key, in order. */
  readonly removeSubmits = new Map<string, SubmitEvent[]>();
  /** Applies to the judged table, in order. */
  readonly applies: ApplyEvent[] = [];
  /** Applies by key, in history order. */
  readonly appliesByKey = new Map<string, ApplyEvent[]>();
  /** Row applies by key and seq, in order. */
  readonly putApplies = new Map<string, ApplyEvent[]>();
  readonly acks: AckEvent[] = [];
  readonly fails: FailEvent[] = [];
  /** The first settled event of each stream. */
  readonly settled = new Map<string, SettledEvent>();
  /** Keys of `preexisting` rows. */
  readonly preexistingKeys = new Set<string>();
  /** `preexisting` rows by key and seq. */
  readonly preexistingVersions = new Set<string>();

  readonly #options: IndexOptions<Row>;
  /** seq(row) of each row apply, by `n`. */
  readonly #seqs = new Map<number, number>();
  #userKeys: Map<string, string> | undefined;

  constructor(history: HistoryLike, options: IndexOptions<Row>) {
    this.events = history.events;
    this.#options = options;
    this.table = chooseTable(history.events, options.table);
    for (const event of history.events) {
      switch (event.type) {
        case 'submit':
          this.#addSubmit(event);
          break;
        case 'apply':
          if (event.table === this.table) this.#addApply(event);
          break;
        case 'ack':
          this.acks.push(event);
          break;
        case 'fail':
          this.fails.push(event);
          break;
        case 'settled': {
          const id = streamId(event.client, event.stream);
          if (!this.settled.has(id)) this.settled.set(id, event);
          break;
        }
        default:
          break;
      }
    }
    for (const event of [...this.acks, ...this.fails]) {
      for (const index of event.indexes) this.submitOf(event, index);
    }
    for (const row of options.preexisting ?? []) {
      const key = this.historyKeyOfRow(row);
      this.preexistingKeys.add(key);
      const seq = this.#trySeq(row);
      if (seq !== undefined) this.preexistingVersions.add(keySeqId(key, seq));
    }
  }

  /** Whether a submitted item belongs to the judged table. */
  includes(submit: SubmitEvent): boolean {
    return submit.table === undefined || submit.table === this.table;
  }

  /**
   * The item `index` of the stream an ack or fail is about.
   *
   * @throws CheckerError `INVALID_ARGUMENT` when it was never submitted.
   */
  submitOf(event: AckEvent | FailEvent, index: number): SubmitEvent {
    const submit = this.submitsByStream.get(streamId(event.client, event.stream))?.get(index);
    if (submit === undefined) {
      throw new CheckerError(
        'INVALID_ARGUMENT',
        `the history contradicts itself: ${formatEvent(event)} names item ${index}, which was never submitted`,
      );
    }
    return submit;
  }

  /** The row `apply` wrote, as the user's functions see it. */
  rowOf(apply: RowApply): Row {
    // The history keeps rows as decoded column maps; `Row` is the caller's name for their shape.
    return apply.row as unknown as Row;
  }

  /**
   * seq(row) of a row apply.
   *
   * @throws CheckerError `INVALID_ARGUMENT` when the user's `seq` throws or gives no usable number.
   */
  seqOf(apply: RowApply): number {
    let seq = this.#seqs.get(apply.n);
    if (seq === undefined) {
      seq = this.readSeq(this.rowOf(apply), formatEvent(apply));
      this.#seqs.set(apply.n, seq);
    }
    return seq;
  }

  /**
   * The user's `seq` of `row` as a number.
   *
   * @param where names the row in the error.
   * @throws CheckerError `INVALID_ARGUMENT` when `seq` throws or gives no finite number or safe bigint.
   */
  readSeq(row: Row, where: string): number {
    const seq = this.#call('seq', () => this.#options.seq(row), where);
    if (typeof seq === 'number' && Number.isFinite(seq)) return seq;
    if (typeof seq === 'bigint' && seq >= Number.MIN_SAFE_INTEGER && seq <= Number.MAX_SAFE_INTEGER) {
      return Number(seq);
    }
    throw new CheckerError(
      'INVALID_ARGUMENT',
      `seq(row) of ${where} gave ${String(seq)}; expected a finite number or a bigint in the safe range`,
    );
  }

  /** producer(row) of a row apply, or `undefined` without a `producer` option. */
  rowProducer(apply: RowApply): string | undefined {
    return this.#options.producer === undefined
      ? undefined
      : this.readProducer(this.rowOf(apply), formatEvent(apply));
  }

  /**
   * The user's `producer` of `row`, or `undefined` without a `producer` option.
   *
   * @param where names the row in the error.
   * @throws CheckerError `INVALID_ARGUMENT` when `producer` throws or gives no string.
   */
  readProducer(row: Row, where: string): string | undefined {
    const producer = this.#options.producer;
    if (producer === undefined) return undefined;
    const name = this.#call('producer', () => producer(row), where);
    if (typeof name !== 'string') {
      throw new CheckerError('INVALID_ARGUMENT', `producer(row) of ${where} gave ${String(name)}`);
    }
    return name;
  }

  /** Whether the `producer` option is given (rows then name their producer). */
  get rowsNameProducers(): boolean {
    return this.#options.producer !== undefined;
  }

  /**
   * The history's key string for a row given by the user (final or preexisting): the key of the applies
   * whose rows have the same `key(row)`, else `canonicalKey(key(row))` itself. So the history may spell keys
   * its own way (e.g. from the key columns) while the user's `key` picks the same key differently.
   *
   * @throws CheckerError `INVALID_ARGUMENT` without a `key` option, when `key` throws or gives a value
   *   `canonicalKey` rejects, or when it gives one value for rows of two different history keys.
   */
  historyKeyOfRow(row: Row): string {
    const userKey = this.#userKey(row, 'a given row');
    return this.#userKeyMap().get(userKey) ?? userKey;
  }

  #userKeyMap(): Map<string, string> {
    if (this.#userKeys !== undefined) return this.#userKeys;
    const map = new Map<string, string>();
    for (const apply of this.applies) {
      if (!hasRow(apply)) continue;
      const userKey = this.#userKey(this.rowOf(apply), formatEvent(apply));
      const known = map.get(userKey);
      if (known !== undefined && known !== apply.key) {
        throw new CheckerError(
          'INVALID_ARGUMENT',
          `key(row) gives ${userKey} for rows of keys ${known} and ${apply.key}: it must identify the key`,
        );
      }
      map.set(userKey, apply.key);
    }
    this.#userKeys = map;
    return map;
  }

  #userKey(row: Row, where: string): string {
    const key = this.#options.key;
    if (key === undefined) {
      throw new CheckerError('INVALID_ARGUMENT', 'option key is required to find the keys of given rows');
    }
    const value = this.#call('key', () => key(row), where);
    try {
      return canonicalKey(value);
    } catch (err) {
      throw new CheckerError('INVALID_ARGUMENT', `key(row) of ${where} gave a value with no canonical key`, {
        cause: err,
      });
    }
  }

  #trySeq(row: Row): number | undefined {
    try {
      return this.readSeq(row, 'a preexisting row');
    } catch {
      // A preexisting row need not carry a sequence number (it was not produced by a streamer).
      return undefined;
    }
  }

  #call<T>(name: string, fn: () => T, where: string): T {
    try {
      return fn();
    } catch (err) {
      throw new CheckerError('INVALID_ARGUMENT', `${name}(row) threw on ${where}`, { cause: err });
    }
  }

  #addSubmit(submit: SubmitEvent): void {
    const id = streamId(submit.client, submit.stream);
    let stream = this.submitsByStream.get(id);
    if (stream === undefined) {
      stream = new Map();
      this.submitsByStream.set(id, stream);
    }
    const earlier = stream.get(submit.index);
    if (earlier !== undefined) {
      throw new CheckerError(
        'INVALID_ARGUMENT',
        `the history contradicts itself: item ${submit.index} of ${submit.client} stream ${submit.stream} ` +
          `was submitted twice (#${earlier.n} and #${submit.n})`,
      );
    }
    stream.set(submit.index, submit);
    if (!this.includes(submit)) return;
    this.submits.push(submit);
    if (submit.op === 'PUT') push(this.putSubmits, keySeqId(submit.key, submit.seq), submit);
    else push(this.removeSubmits, submit.key, submit);
  }

  #addApply(apply: ApplyEvent): void {
    this.applies.push(apply);
    push(this.appliesByKey, apply.key, apply);
    if (hasRow(apply)) push(this.putApplies, keySeqId(apply.key, this.seqOf(apply)), apply);
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function chooseTable(events: readonly HistoryEvent[], table: string | undefined): string | undefined {
  if (table !== undefined) return table;
  const tables = new Set<string>();
  for (const event of events) {
    if (event.type === 'apply') tables.add(event.table);
    else if (event.type === 'submit' && event.table !== undefined) tables.add(event.table);
  }
  if (tables.size > 1) {
    throw new CheckerError(
      'INVALID_ARGUMENT',
      `the history writes to several tables (${[...tables].sort().join(', ')}): option table must name one`,
    );
  }
  return tables.values().next().value;
}
