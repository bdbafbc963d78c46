/**
 * A replicated partition's state machine: what every replica of the partition's Raft group builds from the
 * log, the same on each. Its state is the partition's committed versions (an MVCC store), its producer fence,
 * and the transactions prepared on it and not yet finished (two-phase commit's promises). Commands
 * (partition-command.ts) apply in log order:
 *
 * - `write`: the fence is asked again when the command says so, and its answer here is the authority (the
 *   primary's check before proposing is only a shortcut: another attempt of the batch, or of its predecessor,
 *   may have been proposed in between). A duplicate, a fenced attempt (`PRODUCER_FENCED`) or a batch before
 *   its turn (`OUT_OF_ORDER_BATCH`) applies nothing on any replica and says so; otherwise the writes become
 *   versions at the command's commit timestamp and the fence records the batch;
 * - `seal`: the fence seals an epoch (or refuses: a newer epoch wrote here);
 * - `prepare`: the transaction's writes are kept as a prepared record, unless the fence refuses its batch or
 *   another prepared transaction carries a record of the same producer (which would let two attempts of one
 *   batch both commit);
 * - `finish`: a prepared record's writes become versions at its commit timestamp (with its fence record), or
 *   are dropped (abort). A finish of a transaction not prepared here does nothing.
 *
 * The outcome of each command is returned to the replica that proposed it (through `LocalIntents`), and
 * depends only on the state, so every replica decides alike. Only the way writes reach the store differs:
 * the replica that proposed a command (the primary) holds the command's writes as intents of its own
 * transaction already, and commits or aborts that transaction; any other replica writes them afresh. Either
 * way the store ends with the same versions.
 *
 * Rows are not validated here: a command's rows passed the node's checks on write (rows/row-ingest.ts, the
 * ingest pass of a batch or a tuple op, or a peer's TX_ROWS_WRITE) on the primary before it proposed the
 * command, and the log carries them as they were checked, so every replica stores only checked values.
 *
 * It is volatile: a restarted replica rebuilds it from its snapshot (state-machine-snapshot.ts) and log.
 */
import type { BatchProducer } from '@datastreamer/protocol/internal';
import type { HybridClock } from '../clock/hlc.js';
import { ServerError } from '../errors/server-error.js';
import { type Admission, ProducerFence } from '../fence/producer-fence.js';
import type { AppliedCommand, RaftStateMachine } from '../raft/raft-types.js';
import type { MvccPartitionStore } from '../storage/mvcc-partition-store.js';
import type { PartitionSnapshot } from '../storage/partition-snapshot.js';
import type { PartitionTx } from '../storage/partition-tx.js';
import {
  type CommandRows,
  decodeCommand,
  type FenceOp,
  type PartitionCommand,
  type PreparedRecord,
} from './partition-command.js';
import { decodeMachineSnapshot, encodeMachineSnapshot } from './state-machine-snapshot.js';

/** What a command did, as its proposer learns it. */
export type CommandOutcome =
  | { readonly kind: 'applied'; readonly commitTs: bigint }
  /** A `write` or `prepare` whose batch the fence already applied: nothing applied. */
  | { readonly kind: 'duplicate' }
  /** A `write`, `seal` or `prepare` the fence refuses (`PRODUCER_FENCED`), or a `prepare` that must wait. */
  | { readonly kind: 'refused'; readonly error: ServerError }
  | { readonly kind: 'sealed'; readonly appliedSeq: number }
  | { readonly kind: 'prepared' }
  /** A `finish` of a transaction that is not prepared here (finished already): nothing to do. */
  | { readonly kind: 'finished'; readonly committed: boolean | undefined };

/** The proposer's side of an apply: intents it holds for a command, and where the outcome goes. */
export interface LocalIntents {
  /** The intents this replica holds for the command at `index` proposed in `term`, if it proposed it. */
  bound(index: number, term: number): PartitionTx | undefined;
  /** The outcome of the command at `index` (proposed in `term`). */
  settle(index: number, term: number, outcome: CommandOutcome): void;
  /** Keeps `ptx` as the intents of prepared transaction `txId` (the primary's only). */
  hold(txId: string, ptx: PartitionTx): void;
  /** The intents held for prepared `txId`, handed back (and forgotten). */
  release(txId: string): PartitionTx | undefined;
}

export interface PartitionStateMachineOptions {
  /** Makes the partition's store: empty, or holding a snapshot's committed state. */
  readonly newStore: (snapshot: PartitionSnapshot | null) => MvccPartitionStore;
  /** Moved past every commit timestamp applied, so this replica's later timestamps order after them. */
  readonly hlc: HybridClock;
  /** Runs a commit telling the node's apply listeners its origin and log index. */
  readonly applying: <T>(origin: BatchProducer | null, index: number, commit: () => T) => T;
  readonly local: LocalIntents;
}

export class PartitionStateMachine implements RaftStateMachine {
  readonly #options: PartitionStateMachineOptions;
  #store: MvccPartitionStore;
  #fence = new ProducerFence();
  readonly #prepared = new Map<string, PreparedRecord>();
  /** Snapshots installed from a leader since this replica started. */
  restores = 0;

  constructor(options: PartitionStateMachineOptions) {
    this.#options = options;
    this.#store = options.newStore(null);
  }

  get store(): MvccPartitionStore {
    return this.#store;
  }

  get fence(): ProducerFence {
    return this.#fence;
  }

  /** Transactions prepared here and not finished, in the order they were prepared. */
  get prepared(): ReadonlyMap<string, PreparedRecord> {
    return this.#prepared;
  }

  /** Whether a prepared transaction holds a fence record of `producerId` (another attempt must wait). */
  preparedFenceOf(producerId: string): PreparedRecord | undefined {
    for (const record of this.#prepared.values()) {
      if (record.fence?.producer.producerId === producerId) return record;
    }
    return undefined;
  }

  apply(entry: AppliedCommand): void {
    const command = decodeCommand(entry.command);
    const outcome = this.#apply(command, entry.index, entry.term);
    this.#options.local.settle(entry.index, entry.term, outcome);
  }

  snapshot(): Uint8Array {
    return encodeMachineSnapshot({
      store: this.#store.exportCommitted(),
      fence: this.#fence.entries(),
      prepared: [...this.#prepared.values()],
    });
  }

  restore(snapshot: Uint8Array): void {
    const decoded = decodeMachineSnapshot(snapshot);
    this.#store = this.#options.newStore(decoded.store);
    this.#fence = new ProducerFence(decoded.fence);
    this.#prepared.clear();
    for (const record of decoded.prepared) this.#prepared.set(record.txId, record);
    this.restores++;
  }

  #apply(command: PartitionCommand, index: number, term: number): CommandOutcome {
    switch (command.kind) {
      case 'write': {
        const ptx = this.#options.local.bound(index, term);
        const refusal = command.fence === null ? undefined : this.#refusal(command.fence);
        if (refusal !== undefined) {
          if (ptx !== undefined) this.#store.abort(ptx);
          return refusal;
        }
        this.#commit(command.rows, command.commitTs, command.fence, ptx, index);
        return { kind: 'applied', commitTs: command.commitTs };
      }
      case 'seal':
        try {
          return { kind: 'sealed', appliedSeq: this.#fence.seal(command.producerId, command.epoch) };
        } catch (error) {
          if (error instanceof ServerError) return { kind: 'refused', error };
          throw error;
        }
      case 'prepare': {
        if (this.#prepared.has(command.txId)) return { kind: 'prepared' };
        if (command.fence !== null) {
          const refusal = this.#refusal(command.fence);
          if (refusal !== undefined) return refusal;
          const other = this.preparedFenceOf(command.fence.producer.producerId);
          if (other !== undefined) {
            return {
              kind: 'refused',
              error: new ServerError(
                'TX_CONFLICT',
                `transaction ${command.txId} carries a batch of producer "${command.fence.producer.producerId}" ` +
                  `while transaction ${other.txId} of the same producer awaits its outcome here; retry`,
                { extensions: { txId: command.txId } },
              ),
            };
          }
        }
        const { kind: _, ...record } = command;
        this.#prepared.set(command.txId, record);
        const ptx = this.#options.local.bound(index, term);
        if (ptx !== undefined) this.#options.local.hold(command.txId, ptx);
        return { kind: 'prepared' };
      }
      case 'finish': {
        const record = this.#prepared.get(command.txId);
        const ptx = this.#options.local.release(command.txId);
        if (record === undefined) return { kind: 'finished', committed: undefined };
        this.#prepared.delete(command.txId);
        if (command.commitTs === null) {
          if (ptx !== undefined) this.#store.abort(ptx);
          return { kind: 'finished', committed: false };
        }
        this.#commit(record.rows, command.commitTs, record.fence, ptx, index);
        return { kind: 'finished', committed: true };
      }
    }
  }

  /** What the fence says of `fence` when it must be asked: `undefined` to apply it. */
  #refusal(fence: FenceOp): CommandOutcome | undefined {
    if (!fence.admit) return undefined;
    const admission: Admission = this.#fence.admit(fence.producer);
    switch (admission.kind) {
      case 'apply':
        return undefined;
      case 'duplicate':
        return { kind: 'duplicate' };
      case 'refused':
        return { kind: 'refused', error: admission.error };
    }
  }

  /** Makes `rows` versions at `commitTs` (through `ptx` when this replica holds them as intents). */
  #commit(
    rows: CommandRows,
    commitTs: bigint,
    fence: FenceOp | null,
    ptx: PartitionTx | undefined,
    index: number,
  ): void {
    const store = this.#store;
    this.#options.applying(fence?.producer ?? null, index, () => {
      if (ptx !== undefined) {
        store.commit(ptx, commitTs);
        return;
      }
      if (rows.count > 0) store.applyDecided(rows, commitTs, `raft-${index}`);
    });
    if (fence !== null) this.#fence.record(fence.producer, fence.results);
    // Not `update`: a committed entry applies on every replica, however far its timestamp is ahead here.
    this.#options.hlc.advancePast(commitTs);
  }
}

/** Puts every write of `rows` as an intent of `ptx` on `store` (a delete where the row length is -1). */
export function writeRows(store: MvccPartitionStore, ptx: PartitionTx, rows: CommandRows): void {
  const { keyBytes, rowBytes, lengths } = rows;
  let keyAt = 0;
  let rowAt = 0;
  for (let i = 0; i < rows.count; i++) {
    const keyLength = lengths.getInt32(i * 8, true);
    const rowLength = lengths.getInt32(i * 8 + 4, true);
    store.writeRange(ptx, keyBytes, keyAt, keyLength, rowBytes, rowAt, rowLength);
    keyAt += keyLength;
    if (rowLength > 0) rowAt += rowLength;
  }
}
