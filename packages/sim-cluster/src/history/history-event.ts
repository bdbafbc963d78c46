/**
 * The events a simulated run records, as plain data: what producers submitted, what the client reported
 * (acknowledged batches, failed items, settled streams), what the nodes committed, which faults and topology
 * changes happened, and the single-key operations of the register workload (invocations and completions). Each event carries `n`, its position in the history (0, 1, 2, ...), and `atMs`,
 * the virtual time it happened at. The history's order is the order things happened in the one simulation
 * thread, so `n` orders cause before effect (a submit before its ack, a commit before its response's ack).
 *
 * Keys are canonical strings computed by the recorder (see `canonicalKey`); the same key must give the same
 * string in `submit` and `apply` events. It does not record message traffic (the network's counters do).
 */
import type { ErrorCode, StreamerOperationType } from '@datastreamer/protocol';

/** A decoded row as the history keeps it: column name to value. */
export type HistoryRow = { readonly [column: string]: unknown };

/** The kinds of topology change. `heal` marks the end of a run's fault phase (see SIMULATION.md). */
export const TopologyKinds = {
  /** The cluster started; `details.nodes`: its members, in join order (the checkers' first membership). */
  start: 'start',
  join: 'join',
  leave: 'leave',
  crash: 'crash',
  restart: 'restart',
  pause: 'pause',
  move: 'move',
  heal: 'heal',
  /** A node was destroyed with its disk (it never comes back). */
  destroy: 'destroy',
  /** A replica of a replicated partition won an election (`details`: table, partition, node, term). */
  election: 'election',
  /**
   * A replicated partition's lease was granted to a replica, or to its holder for a new term (renewals are
   * not recorded); `details`: table, partition, node, term, startMs, expiresAtMs.
   */
  lease: 'lease',
  /**
   * A replicated partition's group committed a new configuration (a step of a move); `details`: table,
   * partition, voters, learners, index (of the config entry), replicas (the table's replica count).
   */
  membership: 'membership',
} as const;

export type TopologyKind = (typeof TopologyKinds)[keyof typeof TopologyKinds];

/** How a stream (one `streamData` call) finished. */
export const StreamOutcomes = {
  resolved: 'resolved',
  rejected: 'rejected',
} as const;

export type StreamOutcome = (typeof StreamOutcomes)[keyof typeof StreamOutcomes];

/** The single-key operations of the register workload. */
export const RegisterKinds = {
  get: 'get',
  upsert: 'upsert',
  delete: 'delete',
} as const;

export type RegisterKind = (typeof RegisterKinds)[keyof typeof RegisterKinds];

/** How a single-key operation ended: answered, refused, or not known. */
export const OperationOutcomes = {
  ok: 'ok',
  /** Refused with an error that says nothing was applied (a conflict, a node that is not the primary). */
  fail: 'fail',
  /** No answer, or an error that leaves it open: the operation may or may not have taken effect. */
  unknown: 'unknown',
} as const;

export type OperationOutcome = (typeof OperationOutcomes)[keyof typeof OperationOutcomes];

/** The kinds of event, in the order their fields are documented. */
export const HistoryEventTypes = {
  submit: 'submit',
  ack: 'ack',
  fail: 'fail',
  apply: 'apply',
  fault: 'fault',
  topology: 'topology',
  settled: 'settled',
  invoke: 'invoke',
  complete: 'complete',
} as const;

export type HistoryEventType = (typeof HistoryEventTypes)[keyof typeof HistoryEventTypes];

/** Fields every event has. */
interface EventBase {
  /** Position in the history, from 0. */
  readonly n: number;
  /** Virtual time, in milliseconds. */
  readonly atMs: number;
}

/** A producer handed an item to a streamer (one per source item, when the streamer accepts it). */
export interface SubmitEvent extends EventBase {
  readonly type: 'submit';
  /** The client that streams it (`client-1`, ...). */
  readonly client: string;
  /** Which `streamData` call of that client; unique per client. */
  readonly stream: number;
  /** The item's position in its source, from 0. */
  readonly index: number;
  readonly op: StreamerOperationType;
  /** The canonical string of the item's key. */
  readonly key: string;
  /** The producer's sequence number for this key: it grows with each item the producer makes for the key. */
  readonly seq: number;
  /** The table the stream writes to, when the recorder knows it. */
  readonly table?: string;
  /** Who produced the item, when it is not simply the client (default: `client`). */
  readonly producer?: string;
}

/** The client learned that a batch was applied: the source indexes of the batch's items. */
export interface AckEvent extends EventBase {
  readonly type: 'ack';
  readonly client: string;
  readonly stream: number;
  readonly partition: number;
  /** The node that answered (empty for an `earlierRun` ack). */
  readonly node: string;
  readonly indexes: readonly number[];
  /**
   * Set when the items were applied by an earlier run of the producer, not by this stream: a resume sent them
   * again and its seal found the earlier run's batch applied (`StreamerBatchInfo.earlierRun`).
   */
  readonly earlierRun?: { readonly epoch: number; readonly batchSeq: number };
}

/** The client reported items as failed (they are in the stream error's `failedItems`). */
export interface FailEvent extends EventBase {
  readonly type: 'fail';
  readonly client: string;
  readonly stream: number;
  readonly indexes: readonly number[];
  readonly code: ErrorCode;
  /** The subset of `indexes` reported in doubt (`inDoubtItems`); absent when none is. */
  readonly inDoubt?: readonly number[];
}

/** The streamer batch a commit belonged to: its producer, the run's epoch and the batch's number. */
export interface ApplyOrigin {
  readonly producerId: string;
  readonly epoch: number;
  readonly batchSeq: number;
}

/** A commit in a partition's MVCC store wrote one key: a row, or a tombstone (`row: null`). */
export interface ApplyEvent extends EventBase {
  readonly type: 'apply';
  readonly node: string;
  readonly table: string;
  readonly partition: number;
  /** The canonical string of the key. */
  readonly key: string;
  readonly row: HistoryRow | null;
  /** The commit's hybrid timestamp. */
  readonly commitTs: bigint;
  /** The streamer batch that wrote it; absent for any other write. */
  readonly batch?: ApplyOrigin;
}

/** A fault was injected or cleared (`kind: 'heal'` for the network's heal); `details` as reported. */
export interface FaultEvent extends EventBase {
  readonly type: 'fault';
  readonly kind: string;
  readonly details: Readonly<Record<string, unknown>>;
}

/**
 * The cluster started, a node joined, left, crashed, restarted, paused or was destroyed, a partition moved, a replicated
 * partition elected a leader or changed its lease, or the fault phase ended.
 */
export interface TopologyEvent extends EventBase {
  readonly type: 'topology';
  readonly kind: TopologyKind;
  readonly details: Readonly<Record<string, unknown>>;
}

/** A stream's promise settled. */
export interface SettledEvent extends EventBase {
  readonly type: 'settled';
  readonly client: string;
  readonly stream: number;
  readonly outcome: StreamOutcome;
  /** The error code of a rejected stream, when known. */
  readonly code?: ErrorCode;
  /** The producer the run wrote as, when the stream reported it. */
  readonly producerId?: string;
  /** The run's epoch, when the stream reported it (a stream that failed before registering has none). */
  readonly epoch?: number;
}

/** A client began a single-key operation (the register workload's; the `linearizable` checker's input). */
export interface InvokeEvent extends EventBase {
  readonly type: 'invoke';
  /** The client that runs it (a process, in Jepsen's words: one operation at a time). */
  readonly client: string;
  /** The operation's number, unique per client. */
  readonly op: number;
  readonly table: string;
  /** The canonical string of the key. */
  readonly key: string;
  readonly kind: RegisterKind;
  /** An upsert's value (as text). */
  readonly value?: string;
}

/** A single-key operation ended: its answer, or that none came. */
export interface CompleteEvent extends EventBase {
  readonly type: 'complete';
  readonly client: string;
  /** The `op` of its invocation. */
  readonly op: number;
  readonly outcome: OperationOutcome;
  /** A get's answer: the value read, `null` for an absent key. */
  readonly value?: string | null;
  /** A delete's answer: whether there was a row to delete. */
  readonly deleted?: boolean;
  /** Why an operation has no answer, when an error said so. */
  readonly code?: ErrorCode;
}

/** Every event a history holds. */
export type HistoryEvent =
  | SubmitEvent
  | AckEvent
  | FailEvent
  | ApplyEvent
  | FaultEvent
  | TopologyEvent
  | SettledEvent
  | InvokeEvent
  | CompleteEvent;

/** The event of one type. */
export type EventOf<T extends HistoryEventType> = Extract<HistoryEvent, { readonly type: T }>;

/** Anything that holds events in history order: a `History`, or a plain list of its events. */
export interface HistoryLike {
  readonly events: readonly HistoryEvent[];
}
