/**
 * The metastorage's state machine: a versioned key-value store. Every command that changes something makes
 * one new revision (1, 2, 3, ...); each key remembers the revision of its last change (`modRevision`), and
 * the changes since the oldest revision still kept (`compactedRevision`) are kept as events, so a watcher
 * that asks "everything under this prefix after revision R" gets each change once, in revision order. A
 * watcher whose R is older than what is kept gets the whole content instead (`reset`), and goes on from there.
 *
 * Like every Raft state machine here it is volatile: a restarted replica rebuilds it from its snapshot (which
 * keeps the keys, the revision and the remembered proposal results, not the events: a snapshot compacts) and
 * its log. It does not talk to anyone: the group (metastorage-group.ts) proposes, watches and answers.
 */
import { MsgPackReader, MsgPackWriter } from '@datastreamer/protocol';
import type { AppliedCommand, RaftStateMachine } from '../raft/raft-types.js';
import { decodeMetaTxn, type MetaEvent, type MetaTxnResult } from './meta-command.js';

/** Proposal results remembered for answering a proposal sent again (the newest ones). */
export const RESULTS_REMEMBERED = 4096;
/** Events kept for watchers; older ones are dropped and a watcher behind them gets a reset. */
export const DEFAULT_EVENTS_KEPT = 4096;

export interface MetaEntry {
  readonly key: string;
  readonly value: Uint8Array;
  readonly modRevision: number;
}

/** What a watcher asking after a revision gets: the events after it, or (too far behind) the whole content. */
export type MetaWatchBatch =
  | { readonly kind: 'events'; readonly revision: number; readonly events: readonly MetaEvent[] }
  | { readonly kind: 'reset'; readonly revision: number; readonly entries: readonly MetaEntry[] };

/** Told of every applied command: its place in the log, its result, the events it made. */
export type MetaApplyListener = (
  command: AppliedCommand,
  result: MetaTxnResult,
  events: readonly MetaEvent[],
) => void;

/** The entries whose key starts with `prefix`, in key order. */
export function entriesUnder(entries: Iterable<MetaEntry>, prefix: string): MetaEntry[] {
  return [...entries]
    .filter((entry) => entry.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export class MetaKv implements RaftStateMachine {
  readonly #entries = new Map<string, MetaEntry>();
  readonly #results = new Map<string, MetaTxnResult>();
  #events: MetaEvent[] = [];
  #revision = 0;
  #compactedRevision = 0;
  readonly #eventsKept: number;
  readonly #onApply: MetaApplyListener;
  readonly #onRestore: () => void;

  constructor(options: {
    readonly onApply?: MetaApplyListener;
    readonly onRestore?: () => void;
    readonly eventsKept?: number;
  }) {
    this.#onApply = options.onApply ?? (() => {});
    this.#onRestore = options.onRestore ?? (() => {});
    this.#eventsKept = options.eventsKept ?? DEFAULT_EVENTS_KEPT;
  }

  /** The revision of the newest change (0: none yet). */
  get revision(): number {
    return this.#revision;
  }

  /** Events after this revision are kept; a watch from before it is answered with a reset. */
  get compactedRevision(): number {
    return this.#compactedRevision;
  }

  get(key: string): MetaEntry | undefined {
    return this.#entries.get(key);
  }

  apply(command: AppliedCommand): void {
    const txn = decodeMetaTxn(command.command);
    const known = this.#results.get(txn.id);
    if (known !== undefined) {
      this.#onApply(command, known, []);
      return;
    }
    const succeeded = txn.compares.every(
      (compare) => (this.#entries.get(compare.key)?.modRevision ?? 0) === compare.modRevision,
    );
    const events: MetaEvent[] = [];
    // One change per key per revision: the last put of a key wins, and a key both put and deleted is put.
    const puts = new Map(txn.puts.map((put) => [put.key, put.value]));
    const deletes = [...new Set(txn.deletes)].filter((key) => this.#entries.has(key) && !puts.has(key));
    if (succeeded && puts.size + deletes.length > 0) {
      const revision = ++this.#revision;
      for (const key of deletes) {
        this.#entries.delete(key);
        events.push({ revision, key, value: null });
      }
      for (const [key, value] of puts) {
        this.#entries.set(key, { key, value, modRevision: revision });
        events.push({ revision, key, value });
      }
      this.#keep(events);
    }
    const result = { succeeded, revision: this.#revision };
    // Only a change needs its result kept: a command sent again that changed nothing may be evaluated again.
    if (events.length > 0) this.#remember(txn.id, result);
    this.#onApply(command, result, events);
  }

  /** Everything under `prefix` after `fromRevision` (see the module header). */
  since(prefix: string, fromRevision: number): MetaWatchBatch {
    if (fromRevision < this.#compactedRevision) {
      return { kind: 'reset', revision: this.#revision, entries: this.range(prefix) };
    }
    const events: MetaEvent[] = [];
    // Events are in revision order: skip to the first one after `fromRevision`.
    let low = 0;
    let high = this.#events.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.#events[mid] as MetaEvent).revision <= fromRevision) low = mid + 1;
      else high = mid;
    }
    for (let i = low; i < this.#events.length; i++) {
      const event = this.#events[i] as MetaEvent;
      if (event.key.startsWith(prefix)) events.push(event);
    }
    return { kind: 'events', revision: this.#revision, events };
  }

  /** Every entry whose key starts with `prefix`, in key order. */
  range(prefix: string): MetaEntry[] {
    return entriesUnder(this.#entries.values(), prefix);
  }

  snapshot(): Uint8Array {
    const writer = new MsgPackWriter({ initialCapacity: 1024 });
    writer.writeInt(this.#revision, 'revision');
    const entries = this.range('');
    writer.writeArrayHeader(entries.length);
    for (const entry of entries) {
      writer.writeString(entry.key);
      writer.writeBinary(entry.value);
      writer.writeInt(entry.modRevision, 'modRevision');
    }
    writer.writeArrayHeader(this.#results.size);
    for (const [id, result] of this.#results) {
      writer.writeString(id);
      writer.writeBool(result.succeeded);
      writer.writeInt(result.revision, 'revision');
    }
    return writer.toBytes();
  }

  restore(snapshot: Uint8Array): void {
    const reader = new MsgPackReader(snapshot);
    this.#entries.clear();
    this.#results.clear();
    this.#revision = reader.readSafeInteger('revision');
    for (let i = reader.readArrayHeader('entries'); i > 0; i--) {
      const key = reader.readString('key');
      const value = reader.readBinary('value').slice();
      this.#entries.set(key, { key, value, modRevision: reader.readSafeInteger('modRevision') });
    }
    for (let i = reader.readArrayHeader('results'); i > 0; i--) {
      const id = reader.readString('id');
      const succeeded = reader.readBool('succeeded');
      this.#results.set(id, { succeeded, revision: reader.readSafeInteger('revision') });
    }
    reader.expectEnd('metastorage snapshot');
    this.#events = [];
    this.#compactedRevision = this.#revision;
    this.#onRestore();
  }

  #keep(events: readonly MetaEvent[]): void {
    this.#events.push(...events);
    if (this.#events.length <= this.#eventsKept * 2) return;
    // Drop whole revisions only, so a watcher never gets half of one.
    const drop = this.#events.length - this.#eventsKept;
    let cut = drop;
    const boundary = (this.#events[drop - 1] as MetaEvent).revision;
    while (cut < this.#events.length && (this.#events[cut] as MetaEvent).revision === boundary) cut++;
    this.#compactedRevision = boundary;
    this.#events = this.#events.slice(cut);
  }

  #remember(id: string, result: MetaTxnResult): void {
    this.#results.set(id, result);
    if (this.#results.size <= RESULTS_REMEMBERED) return;
    const oldest = this.#results.keys().next();
    if (oldest.done !== true) this.#results.delete(oldest.value);
  }
}
