/**
 * The op-code table. Ops that Ignite 3 has keep Ignite's codes (`ClientOp.java`); ours start at 200, so
 * they can never collide with an op Ignite adds later.
 *
 * Ignite's `TX_COMMIT` (44) commits a transaction a client holds; ours (`TX_COMMIT`, 221) is the commit step
 * of two-phase commit between nodes, a different op with a different payload, so it has its own code.
 */
export const OpCodes = {
  // Ignite 3's codes.
  HEARTBEAT: 1,
  TABLES_GET: 3,
  TABLE_GET: 4,
  SCHEMAS_GET: 5,
  TUPLE_UPSERT: 10,
  TUPLE_GET: 12,
  TUPLE_UPSERT_ALL: 13,
  TUPLE_GET_ALL: 15,
  TUPLE_DELETE: 28,
  TUPLE_DELETE_ALL: 29,
  PARTITION_ASSIGNMENT_GET: 53,
  STREAMER_BATCH_SEND: 62,
  STREAMER_WITH_RECEIVER_BATCH_SEND: 66,
  // Ours: catalog changes.
  TABLE_CREATE: 200,
  COLUMN_ADD: 201,
  // Ours: producers (exact stream outcomes).
  PRODUCER_REGISTER: 202,
  STREAMER_SEAL: 203,
  // Ours: node to node.
  BATCH_FORWARD: 210,
  PARTITION_TRANSFER: 211,
  TX_PREPARE: 220,
  TX_COMMIT: 221,
  TX_ABORT: 222,
  TX_STATE_GET: 223,
  TX_ROWS_GET: 224,
  TX_ROWS_WRITE: 225,
  // Ours: Raft replication between the replicas of a group.
  RAFT_VOTE: 230,
  RAFT_APPEND: 231,
  RAFT_SNAPSHOT: 232,
  // Ours: integrity.
  NODE_AUTHENTICATE: 240,
  // Ours: the metastorage (the replicated catalog and placement), node to node.
  META_PROPOSE: 250,
  META_WATCH: 251,
} as const;

/** The name of an op, e.g. `'STREAMER_BATCH_SEND'`. */
export type OpName = keyof typeof OpCodes;

/** Every op name, in table order. */
export const OP_NAMES = Object.keys(OpCodes) as readonly OpName[];

const byCode = new Map<number, OpName>(OP_NAMES.map((name) => [OpCodes[name], name]));

/** The op whose wire code is `code`, or `undefined` for a code this version does not know. */
export function opNameFromCode(code: number): OpName | undefined {
  return byCode.get(code);
}
