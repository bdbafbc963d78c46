/**
 * One transaction's share of one partition store: its snapshot timestamp, its lifecycle state (moved only
 * through the table in tx-lifecycle.ts) and its intents, in first-write order, so commit and abort touch
 * exactly those keys without scanning the partition.
 *
 * An intent is the key's slot in the store plus its row as a byte range of a caller's buffer (buffer, start,
 * length; length -1 for a delete): a whole streamer batch's rows share one buffer, so an intent costs three
 * integers and a reference, and no object. The key bytes are the store's (the slot's), never kept here. The
 * buffers are the writers' until commit copies the rows in, so a writer must not change them while the
 * transaction is open.
 *
 * Handles are created by `MvccPartitionStore.begin` and mutated only by that store; callers read them. A
 * finished handle hands its emptied intent arrays back to its store, which gives them to the next handle it
 * begins: a partition taking one batch after another grows them once, not once per batch (a typed array
 * past 64 bytes costs V8 a backing store of its own, about as much as writing a few dozen intents).
 */

import type { IntentOwner } from './key-entry.js';
import { type TxState, TxStates } from './tx-lifecycle.js';

/** Per intent in `#fields`: the slot, the row's start in its buffer, the row's length (-1: delete). */
const SLOT = 0;
const START = 1;
const LENGTH = 2;
const STRIDE = 3;
/** Intents a new handle has room for before its arrays grow (doubling). */
const FIRST_INTENTS = 4;
/** Arrays of more intents than this are not handed on: one huge transaction must not pin its memory. */
const KEEP_INTENTS = 4096;
const EMPTY = new Uint8Array(0);
const NO_FIELDS = new Int32Array(0);

/** The arrays a handle keeps its intents in, emptied, as one finished handle hands them to the next. */
export interface IntentArrays {
  readonly fields: Int32Array;
  readonly buffers: Uint8Array[];
}

export class PartitionTx implements IntentOwner {
  /** The transaction's id. */
  readonly txId: string;
  /** Snapshot timestamp: the transaction sees versions committed at or before it. */
  readonly startTs: bigint;
  /** The store this handle belongs to; using it on another store is refused. */
  readonly store: object;
  /** Lifecycle state of this participant. Written by the store only. */
  state: TxState = TxStates.PENDING;
  #fields: Int32Array;
  #buffers: Uint8Array[];
  #count = 0;

  /** @param arrays a finished handle's emptied arrays (see {@link takeArrays}) to keep intents in. */
  constructor(store: object, txId: string, startTs: bigint, arrays?: IntentArrays) {
    this.store = store;
    this.txId = txId;
    this.startTs = startTs;
    this.#fields = arrays?.fields ?? new Int32Array(STRIDE * FIRST_INTENTS);
    this.#buffers = arrays?.buffers ?? [];
  }

  /** How many keys this transaction has written on the partition. */
  get writeCount(): number {
    return this.#count;
  }

  /** The store slot of intent `i` (0 <= i < {@link writeCount}). */
  slot(i: number): number {
    return this.#fields[i * STRIDE + SLOT] as number;
  }

  /** The buffer holding intent `i`'s row (an empty one for a delete). */
  buffer(i: number): Uint8Array {
    return this.#buffers[i] as Uint8Array;
  }

  /** Where intent `i`'s row starts in its {@link buffer}. */
  rowStart(i: number): number {
    return this.#fields[i * STRIDE + START] as number;
  }

  /** The length of intent `i`'s row, -1 for a delete. */
  rowLength(i: number): number {
    return this.#fields[i * STRIDE + LENGTH] as number;
  }

  /** Intent `i`'s row as a new view of its buffer, `null` for a delete. */
  row(i: number): Uint8Array | null {
    const length = this.rowLength(i);
    if (length < 0) return null;
    const start = this.rowStart(i);
    return (this.#buffers[i] as Uint8Array).subarray(start, start + length);
  }

  /** Adds an intent on `slot` (the store's bookkeeping) and returns its position. */
  add(slot: number, buffer: Uint8Array, start: number, length: number): number {
    const i = this.#count++;
    if ((i + 1) * STRIDE > this.#fields.length) {
      const grown = new Int32Array(Math.max(this.#fields.length * 2, STRIDE * FIRST_INTENTS));
      grown.set(this.#fields);
      this.#fields = grown;
    }
    this.#fields[i * STRIDE + SLOT] = slot;
    this.#set(i, buffer, start, length);
    return i;
  }

  /** Replaces the row of intent `i` (a later write of the same key: the last one wins). */
  replace(i: number, buffer: Uint8Array, start: number, length: number): void {
    this.#set(i, buffer, start, length);
  }

  /** Forgets every intent (after commit or abort), letting go of the writers' buffers. */
  clear(): void {
    this.#count = 0;
    this.#buffers.length = 0;
  }

  /**
   * Forgets every intent and gives up its arrays, for the store's next handle; `null` when they grew too large
   * to keep. The handle is finished: it keeps empty arrays of its own.
   */
  takeArrays(): IntentArrays | null {
    this.clear();
    const fields = this.#fields;
    const buffers = this.#buffers;
    this.#fields = NO_FIELDS;
    this.#buffers = [];
    return fields.length > STRIDE * KEEP_INTENTS ? null : { fields, buffers };
  }

  #set(i: number, buffer: Uint8Array, start: number, length: number): void {
    const fields = this.#fields;
    fields[i * STRIDE + START] = start;
    fields[i * STRIDE + LENGTH] = length;
    this.#buffers[i] = length < 0 ? EMPTY : buffer;
  }
}
