/**
 * Test support for the streamer tests: a fake `StreamerSink` that records every attempt (partition, items,
 * attempt number, batch number, virtual time), applies a batch only when its attempt resolves (or when a test
 * says an attempt applied although its answer was lost) and only in its turn (a batch that overtook an earlier
 * one of its partition is refused with a retryable `OUT_OF_ORDER_BATCH`, as a node's fence does), counts
 * batches of one partition in flight at once, and answers seals with the highest batch number applied per
 * partition. Responses and seals are
 * scripted. Plus small helpers: a gate to stall the sink, a settled-state probe for promises, and a counting
 * source.
 */
import { setMaxListeners } from 'node:events';
import { type Clock, InvalidValueError, ProtocolError } from '@datastreamer/protocol';
import { SimClock } from '../../sim-cluster/src/clock/sim-clock.js';
import { ClientError } from '../src/errors/client-error.js';
import type { InDoubtScope } from '../src/streamer/in-doubt-ledger.js';
import type {
  BatchAck,
  BatchAttempt,
  PreparedItem,
  StreamerSink,
  StreamerTopology,
} from '../src/streamer/streamer-sink.js';

/** The item the tests stream: `id` is its position in the source, `key` decides its partition. */
export interface TestItem {
  readonly id: number;
  readonly key: number;
  /** `prepare` refuses the item, naming column `Bad`. */
  readonly bad?: boolean;
}

export function items(count: number, keyOf: (id: number) => number = (id) => id): TestItem[] {
  return Array.from({ length: count }, (_, id) => ({ id, key: keyOf(id) }));
}

export interface SendCall<T> {
  readonly partition: number;
  readonly items: readonly T[];
  readonly attempt: number;
  /** The batch's number within its partition, as the core numbered it. */
  readonly batchSeq: number;
  /** Virtual time at which the attempt started. */
  readonly at: number;
  readonly signal: AbortSignal;
}

/** Scripts one attempt: resolve with an ack (or nothing, for a default ack) or throw to fail it. */
export type Responder<T, R> = (call: SendCall<T>) => Promise<Partial<BatchAck<R>> | undefined> | undefined;

export interface FakeSinkOptions<T, R> {
  readonly clock: Clock;
  readonly partitions?: number;
  readonly partitionOf?: (item: T) => number;
  /** Virtual ms each attempt takes before the responder is asked. Default 10. */
  readonly latencyMs?: number;
  readonly respond?: Responder<T, R>;
  /** Bytes an item takes in a batch. Default 10. */
  readonly bytesOf?: (item: T) => number;
  /**
   * Scripts a seal (of this run's epoch, or of `epoch` an earlier run's): resolve with the applied batch
   * number, or throw. Default: what the fake applied.
   */
  readonly seal?: (partition: number, applied: number, epoch: number) => Promise<number> | number;
  /** The epoch `open` reports. Default 1. */
  readonly epoch?: number;
  /** The client's ledger of items in doubt, as a table sink offers it. Default: none. */
  readonly inDoubt?: InDoubtScope;
  /** Whether an attempt counts as sent (it left). Default: every attempt. */
  readonly sent?: (call: SendCall<T>) => boolean;
}

/** Items the default partitioning and refusal read: `key` and `bad` when present. */
type Keyed = { readonly key?: unknown; readonly bad?: unknown };

export class FakeSink<T, R = never> implements StreamerSink<T, T, R> {
  readonly calls: SendCall<T>[] = [];
  /** Batches whose attempt resolved, in acknowledgement order. */
  readonly appliedBatches: SendCall<T>[] = [];
  opened = 0;
  prepared = 0;
  /** How often a send started while the same partition already had one in flight. */
  overlaps = 0;
  /** The most attempts of one partition in flight at once. */
  maxInFlight = 0;
  /** Partitions sealed, in order. */
  readonly sealed: number[] = [];
  /** The epoch of each seal, in the same order. */
  readonly sealedEpochs: number[] = [];
  /** Per partition, the highest batch number applied. */
  readonly #appliedSeq = new Map<number, number>();
  readonly #busy = new Map<number, number>();
  readonly #options: FakeSinkOptions<T, R>;
  readonly partitions: number;

  constructor(options: FakeSinkOptions<T, R>) {
    this.#options = options;
    this.partitions = options.partitions ?? 4;
  }

  get inDoubt(): InDoubtScope | undefined {
    return this.#options.inDoubt;
  }

  get applied(): T[] {
    return this.appliedBatches.flatMap((call) => call.items);
  }

  async open(): Promise<StreamerTopology> {
    this.opened++;
    return { partitions: this.partitions, epoch: this.#options.epoch ?? 1, requestTimeoutMs: 1000 };
  }

  /** Marks `call`'s batch applied (e.g. its answer is then lost: the responder throws after this). */
  markApplied(call: SendCall<T>): void {
    if ((this.#appliedSeq.get(call.partition) ?? 0) < call.batchSeq)
      this.#appliedSeq.set(call.partition, call.batchSeq);
  }

  async seal(partition: number, epoch = this.#options.epoch ?? 1): Promise<number> {
    this.sealed.push(partition);
    this.sealedEpochs.push(epoch);
    const applied = this.#appliedSeq.get(partition) ?? 0;
    return this.#options.seal === undefined ? applied : await this.#options.seal(partition, applied, epoch);
  }

  prepare(item: T, out: PreparedItem<T>): void {
    this.prepared++;
    const keyed = item as Keyed;
    if (keyed.bad === true) {
      throw new InvalidValueError('Bad', "column 'Bad': not a valid value");
    }
    out.partition = this.#options.partitionOf?.(item) ?? Number(keyed.key) % this.partitions;
    out.entry = item;
    out.bytes = this.#options.bytesOf?.(item) ?? 10;
  }

  async send(batch: BatchAttempt<T>): Promise<BatchAck<R>> {
    const { partition, entries, attempt, batchSeq, signal } = batch;
    const call: SendCall<T> = {
      partition,
      items: [...entries],
      attempt,
      batchSeq,
      at: this.#options.clock.now(),
      signal,
    };
    this.calls.push(call);
    if (this.#options.sent?.(call) ?? true) batch.sent();
    const busy = (this.#busy.get(partition) ?? 0) + 1;
    if (busy > 1) this.overlaps++;
    this.maxInFlight = Math.max(this.maxInFlight, busy);
    this.#busy.set(partition, busy);
    try {
      // Like a connection's request: a cancelled stream stops waiting at once, whatever the node does.
      const ack = await untilAborted(signal, async () => {
        await this.#options.clock.sleep(this.#options.latencyMs ?? 10);
        const applied = this.#appliedSeq.get(partition) ?? 0;
        if (batchSeq > applied + 1) {
          throw new ProtocolError('OUT_OF_ORDER_BATCH', `batch ${batchSeq} before ${applied + 1}`);
        }
        return this.#options.respond?.(call);
      });
      this.appliedBatches.push(call);
      this.markApplied(call);
      return { node: 'node-1', bytes: call.items.length * 10, ...ack };
    } finally {
      this.#busy.set(partition, (this.#busy.get(partition) ?? 1) - 1);
    }
  }
}

/** `work()`, or a `CANCELLED` rejection as soon as `signal` aborts. */
function untilAborted<V>(signal: AbortSignal, work: () => Promise<V>): Promise<V> {
  return new Promise<V>((resolve, reject) => {
    const onAbort = () =>
      reject(new ClientError('CANCELLED', 'the attempt was cancelled', { cause: signal.reason }));
    if (signal.aborted) {
      onAbort();
      return;
    }
    // Every attempt of a stream carries the stream's one signal: many listeners on it here are expected.
    setMaxListeners(0, signal);
    signal.addEventListener('abort', onAbort, { once: true });
    work().then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** A latch: `wait()` resolves once `open()` was called. */
export class Gate {
  #open = false;
  #waiters: (() => void)[] = [];

  get isOpen(): boolean {
    return this.#open;
  }

  wait(): Promise<void> {
    return this.#open ? Promise.resolve() : new Promise((resolve) => this.#waiters.push(resolve));
  }

  open(): void {
    this.#open = true;
    for (const waiter of this.#waiters.splice(0)) {
      waiter();
    }
  }
}

/** Tracks whether a promise settled, without consuming its rejection. */
export function probe<T>(promise: Promise<T>): { readonly settled: boolean; readonly result: Promise<T> } {
  const state = { settled: false, result: promise };
  void promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

/** An iterable over `source` that counts how many items were pulled from it. */
export class CountingSource<T> implements Iterable<T> {
  pulled = 0;
  readonly #source: Iterable<T>;

  constructor(source: Iterable<T>) {
    this.#source = source;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const item of this.#source) {
      this.pulled++;
      yield item;
    }
  }
}

const clocks: SimClock[] = [];

/** A fresh auto-advancing virtual clock; `stopClocks()` (in `afterEach`) stops every one made. */
export function simClock(): SimClock {
  const clock = new SimClock();
  clocks.push(clock);
  return clock;
}

export function stopClocks(): void {
  for (const clock of clocks.splice(0)) {
    clock.stop();
  }
}
