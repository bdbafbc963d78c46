/**
 * The operations a streamed item can carry, PUT and REMOVE: one table for the client (what a user's
 * `DataStreamerItem` says), the node (what a batch item applies) and the simulation's history (what a submit
 * recorded). On the wire a batch says which of its rows are REMOVEs with its `deleted` bit set
 * (streamer-messages.ts); these names never travel as strings.
 *
 * It only names the operations; it does not encode or apply them.
 */

/** The operations a streamed item can carry. */
export const StreamerOperationTypes = {
  /** Insert or overwrite the row. */
  PUT: 'PUT',
  /** Delete the row with this key; a missing row is a no-op. Only the key columns are read. */
  REMOVE: 'REMOVE',
} as const;

/** `'PUT' | 'REMOVE'`. */
export type StreamerOperationType = keyof typeof StreamerOperationTypes;
