// Builds histories for the checker tests the way a correct cluster would record them, so each test can
// start from a good history and plant exactly one bug. Rows are `{ id, seq }` (plus `by`, the producer):
// the key is `id`, the producer's per-key sequence `seq`. The model store applies a batch as the server
// does: last operation per key wins, a REMOVE of an absent key writes nothing.

import type { StreamerOperationType } from '@datastreamer/protocol';
import { canonicalKey } from '../src/history/canonical-key.js';
import { History } from '../src/history/history.js';
import type { ApplyEvent, ApplyOrigin, SubmitEvent } from '../src/history/history-event.js';

export interface TestRow {
  readonly id: number;
  readonly seq: number;
  readonly by: string;
}

/** The options every checker test passes. */
export const rowFunctions = {
  key: (row: TestRow) => row.id,
  seq: (row: TestRow) => row.seq,
} as const;

export const TABLE = 'T';

/** A history under construction, with a manual clock and a model of the committed table. */
export class RunBuilder {
  now = 0;
  readonly history = new History({ clock: { now: () => this.now } });
  /** The committed rows, by id. */
  readonly table = new Map<number, TestRow>();
  #commitTs = 1000n;
  readonly #submits = new Map<string, SubmitEvent>();

  /** Advances the clock by `ms` (default 1). */
  tick(ms = 1): this {
    this.now += ms;
    return this;
  }

  submit(
    client: string,
    stream: number,
    index: number,
    op: StreamerOperationType,
    id: number,
    seq: number,
    producer?: string,
  ): SubmitEvent {
    this.tick();
    const event = this.history.recordSubmit({
      client,
      stream,
      index,
      op,
      key: canonicalKey(id),
      seq,
      table: TABLE,
      ...(producer === undefined ? {} : { producer }),
    });
    this.#submits.set(`${client}/${stream}/${index}`, event);
    return event;
  }

  /** A PUT submitted by `client`, as `producer` (default: the client). */
  put(
    client: string,
    stream: number,
    index: number,
    id: number,
    seq: number,
    producer?: string,
  ): SubmitEvent {
    return this.submit(client, stream, index, 'PUT', id, seq, producer);
  }

  remove(client: string, stream: number, index: number, id: number, seq: number): SubmitEvent {
    return this.submit(client, stream, index, 'REMOVE', id, seq);
  }

  /**
   * Records a raw apply (bypassing the model): a row `{ id, seq, by }`, or a tombstone when `seq` is null;
   * `batch` names the streamer batch that wrote it.
   */
  apply(id: number, seq: number | null, by = 'client-1', commitTs?: bigint, batch?: ApplyOrigin): ApplyEvent {
    this.tick();
    const ts = commitTs ?? this.#nextTs();
    const row = seq === null ? null : { id, seq, by };
    if (row === null) this.table.delete(id);
    else this.table.set(id, row);
    return this.history.recordApply({
      node: 'node-1',
      table: TABLE,
      partition: 0,
      key: canonicalKey(id),
      row,
      commitTs: ts,
      ...(batch === undefined ? {} : { batch }),
    });
  }

  /**
   * Commits the items `indexes` of a stream as one batch, as the server would (see the header), as the batch
   * `batch` (producer, epoch, number) when given.
   */
  commit(client: string, stream: number, indexes: readonly number[], batch?: ApplyOrigin): void {
    const last = new Map<number, SubmitEvent>();
    for (const index of indexes) {
      const submit = this.#submit(client, stream, index);
      const id = Number(submit.key);
      last.delete(id);
      last.set(id, submit);
    }
    const ts = this.#nextTs();
    for (const [id, submit] of last) {
      if (submit.op === 'PUT') this.apply(id, submit.seq, submit.producer ?? client, ts, batch);
      else if (this.table.has(id)) this.apply(id, null, client, ts, batch);
    }
  }

  ack(client: string, stream: number, indexes: readonly number[]): void {
    this.tick();
    this.history.recordAck({ client, stream, partition: 0, node: 'node-1', indexes: [...indexes] });
  }

  /** Commits a batch and acknowledges it. */
  batch(client: string, stream: number, indexes: readonly number[]): void {
    this.commit(client, stream, indexes);
    this.ack(client, stream, indexes);
  }

  /** Records failed items; `inDoubt`, the subset reported in doubt. */
  fail(client: string, stream: number, indexes: readonly number[], inDoubt: readonly number[] = []): void {
    this.tick();
    this.history.recordFail({
      client,
      stream,
      indexes: [...indexes],
      code: 'NODE_UNAVAILABLE',
      ...(inDoubt.length === 0 ? {} : { inDoubt: [...inDoubt] }),
    });
  }

  /** Records a stream's end; `run` names the producer and epoch it wrote as. */
  settle(
    client: string,
    stream: number,
    outcome: 'resolved' | 'rejected',
    run?: { readonly producerId: string; readonly epoch: number },
  ): void {
    this.tick();
    this.history.recordSettled({
      client,
      stream,
      outcome,
      ...(outcome === 'rejected' ? { code: 'NODE_UNAVAILABLE' as const } : {}),
      ...(run === undefined ? {} : { producerId: run.producerId, epoch: run.epoch }),
    });
  }

  heal(): void {
    this.tick();
    this.history.recordFault({ kind: 'heal' });
  }

  /** The model table's rows. */
  rows(): TestRow[] {
    return [...this.table.values()];
  }

  #submit(client: string, stream: number, index: number): SubmitEvent {
    const submit = this.#submits.get(`${client}/${stream}/${index}`);
    if (submit === undefined)
      throw new Error(`test bug: item ${index} of ${client}/${stream} was not submitted`);
    return submit;
  }

  #nextTs(): bigint {
    this.#commitTs += 10n;
    return this.#commitTs;
  }
}

/**
 * A good run: client-1 streams (key/seq) PUT 1/1, PUT 2/1, REMOVE 1/2, PUT 1/3, PUT 2/2, REMOVE 2/3 in
 * batches of two, then the stream resolves. In the second batch PUT 1/3 supersedes REMOVE 1/2 (one row
 * written); in the third REMOVE 2/3 supersedes PUT 2/2 (one tombstone written). Final: key 1 at seq 3.
 */
export function goodRun(): RunBuilder {
  const run = new RunBuilder();
  run.put('client-1', 0, 0, 1, 1);
  run.put('client-1', 0, 1, 2, 1);
  run.remove('client-1', 0, 2, 1, 2);
  run.put('client-1', 0, 3, 1, 3);
  run.put('client-1', 0, 4, 2, 2);
  run.remove('client-1', 0, 5, 2, 3);
  run.batch('client-1', 0, [0, 1]);
  run.batch('client-1', 0, [2, 3]);
  run.batch('client-1', 0, [4, 5]);
  run.settle('client-1', 0, 'resolved');
  return run;
}
