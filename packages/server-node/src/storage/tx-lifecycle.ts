/**
 * The transaction lifecycle as one explicit transition table (after kafkajs's transaction state machine):
 *
 *     PENDING --read/write--> PENDING
 *     PENDING --prepare-->    PREPARED      (the participant promises it can commit)
 *     PREPARED --commit-->    COMMITTED
 *     PENDING | PREPARED --abort--> ABORTED
 *
 * COMMITTED and ABORTED are final. Every pair not listed is illegal and refused with a `TX_NOT_ACTIVE` error
 * naming the state and the action. Both a whole transaction and each of its per-partition participants move
 * through this table. This module decides what is legal; it does not carry out any effect. It sits in storage/
 * because a partition's share (partition-tx.ts) moves through it; tx/ builds on it.
 */
import { ServerError } from '../errors/server-error.js';

/** The states of a transaction, or of one partition's share of it. */
export const TxStates = {
  /** Running: reads and writes allowed. */
  PENDING: 'PENDING',
  /** Checked and promised to commit; waits for the commit timestamp. */
  PREPARED: 'PREPARED',
  /** Its writes are committed versions. Final. */
  COMMITTED: 'COMMITTED',
  /** Its writes are gone. Final. */
  ABORTED: 'ABORTED',
} as const;

export type TxState = (typeof TxStates)[keyof typeof TxStates];

/** What can be asked of a transaction. */
export const TxActions = {
  READ: 'read',
  WRITE: 'write',
  PREPARE: 'prepare',
  COMMIT: 'commit',
  ABORT: 'abort',
} as const;

export type TxAction = (typeof TxActions)[keyof typeof TxActions];

/** For each state and action, the state the action leads to, or `null` when the action is illegal there. */
export const TX_TRANSITIONS: { readonly [S in TxState]: { readonly [A in TxAction]: TxState | null } } = {
  PENDING: { read: 'PENDING', write: 'PENDING', prepare: 'PREPARED', commit: null, abort: 'ABORTED' },
  PREPARED: { read: null, write: null, prepare: null, commit: 'COMMITTED', abort: 'ABORTED' },
  COMMITTED: { read: null, write: null, prepare: null, commit: null, abort: null },
  ABORTED: { read: null, write: null, prepare: null, commit: null, abort: null },
};

const STATE_NAMES = Object.keys(TX_TRANSITIONS) as TxState[];

/**
 * The state that `action` leads to from `state`. Cheap on the legal path (one table lookup): the error
 * message is only built when the action is refused.
 *
 * @param txId names the transaction in the error.
 * @param partition names the partition in the error when the state is a participant's. Default: none.
 * @throws ServerError `TX_NOT_ACTIVE` when the table does not allow `action` in `state`; the message names
 *   both, and the states the action is allowed in.
 */
export function nextTxState(state: TxState, action: TxAction, txId: string, partition?: string): TxState {
  const next = TX_TRANSITIONS[state][action];
  if (next !== null) return next;
  const from = STATE_NAMES.filter((s) => TX_TRANSITIONS[s][action] !== null);
  const where = partition === undefined ? '' : ` on partition ${partition}`;
  throw new ServerError(
    'TX_NOT_ACTIVE',
    `transaction ${txId}${where} cannot ${action} in state ${state}: ${action} is allowed only in ` +
      `${from.join(' or ')}${isFinalTxState(state) ? ` (${state} is final)` : ''}`,
    { extensions: { txId, state, action } },
  );
}

/** Whether no action is allowed in `state` any more. */
export function isFinalTxState(state: TxState): boolean {
  switch (state) {
    case 'PENDING':
    case 'PREPARED':
      return false;
    case 'COMMITTED':
    case 'ABORTED':
      return true;
    default:
      return unknownTxState(state);
  }
}

/** Exhaustiveness guard for `switch` statements over {@link TxState}. */
export function unknownTxState(state: never): never {
  throw new ServerError('INTERNAL', `unknown transaction state ${String(state)}`);
}
