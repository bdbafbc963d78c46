/**
 * fast-check arbitraries for every request and every result of every op, with random contents, limited to
 * what round-trips exactly (trimmed bit sets, well-formed strings, lower-case UUIDs, column definitions
 * with `nullable` set and no null default, bigints outside the safe range in error extensions).
 */
import fc from 'fast-check';
import { type ErrorCode, ErrorCodes } from '../../src/errors/error-codes.js';
import { type ErrorExtensions, ProtocolError } from '../../src/errors/protocol-error.js';
import type { ErrorResponse, OkResponse, RequestMap, ResultMap } from '../../src/messages/message-types.js';
import { OP_NAMES, type OpName } from '../../src/messages/op-codes.js';
import type { TableDefinition } from '../../src/messages/schema-codec.js';
import type { ReceiverBatch, StreamerBatch } from '../../src/messages/streamer-messages.js';
import { type TxState, TxStates } from '../../src/messages/tx-messages.js';
import { COLUMN_TYPE_NAMES } from '../../src/schema/column-types.js';
import type { ColumnDef, TableSchema } from '../../src/schema/table-schema.js';
import type { WireValue } from '../../src/values/wire-value.js';
import {
  raftAppendArgs,
  raftAppendResult,
  raftSnapshotArgs,
  raftSnapshotResult,
  raftVoteArgs,
  raftVoteResult,
} from './raft-arbitraries.js';

const int32 = fc.integer();
const safe = fc.maxSafeInteger();
const long = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const text = fc.string({ unit: 'grapheme', maxLength: 24 });
const bytes = fc.uint8Array({ maxLength: 40 });
const uuid = fc.uuid();

/** A bit set as the wire gives it back: no trailing zero bytes. */
const bitmask = fc.uint8Array({ maxLength: 5 }).map((mask) => {
  let end = mask.length;
  while (end > 0 && mask[end - 1] === 0) end--;
  return mask.slice(0, end);
});

export const { value: wireValue } = fc.letrec<{ value: WireValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    long,
    text,
    bytes,
    fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
}));

/** A column default: any non-null value a column could take. */
const columnDefault = fc.oneof(
  fc.integer(),
  long,
  text,
  fc.boolean(),
  bytes,
  fc.date({ noInvalidDate: true }),
);

export const columnDef: fc.Arbitrary<ColumnDef> = fc
  .record({
    name: text,
    type: fc.constantFrom(...COLUMN_TYPE_NAMES),
    nullable: fc.boolean(),
    default: fc.option(columnDefault, { nil: undefined }),
    precision: fc.option(int32, { nil: undefined }),
    scale: fc.option(int32, { nil: undefined }),
  })
  .map(({ default: defaultValue, precision, scale, ...column }) => ({
    ...column,
    ...(defaultValue === undefined ? {} : { default: defaultValue }),
    ...(precision === undefined ? {} : { precision }),
    ...(scale === undefined ? {} : { scale }),
  }));

export const tableSchema: fc.Arbitrary<TableSchema> = fc
  .array(columnDef, { minLength: 1, maxLength: 5 })
  .chain((columns) =>
    fc.record({
      tableId: int32,
      tableName: text,
      version: int32,
      partitions: int32,
      columns: fc.constant(columns),
      keyColumns: fc.array(fc.nat(columns.length - 1), { maxLength: 3 }),
      colocationColumns: fc.array(fc.nat(columns.length - 1), { maxLength: 3 }),
    }),
  );

const tableDefinition: fc.Arbitrary<TableDefinition> = fc
  .record({
    name: text,
    columns: fc.array(columnDef, { maxLength: 4 }),
    primaryKey: fc.array(text, { maxLength: 3 }),
    colocateBy: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
    partitions: fc.option(int32, { nil: undefined }),
  })
  .map(({ colocateBy, partitions, ...definition }) => ({
    ...definition,
    ...(colocateBy === undefined ? {} : { colocateBy }),
    ...(partitions === undefined ? {} : { partitions }),
  }));

const tableInfo = fc.record({ tableId: int32, name: text, latestSchemaVersion: int32 });
const partitionKey = fc.record({ partition: int32, key: bytes });
const partitionRow = fc.record({ partition: int32, noValueSet: bitmask, row: bytes });
const rowResult = fc.option(fc.record({ schemaVersion: int32, row: bytes }), { nil: null });
const keyedRow = fc.record({ key: bytes, row: fc.option(bytes, { nil: null }) });
const txPartitions = fc.array(fc.record({ tableId: int32, partitionId: int32 }), { maxLength: 4 });

const positive = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const producerId = fc.string({ minLength: 1, maxLength: 40 });

/** A batch's producer fields: all set (a streamer run's batch) or `null` (unfenced). */
const batchProducer = fc.option(fc.record({ producerId, epoch: positive, batchSeq: positive }), {
  nil: null,
});

const streamerSeal = fc.record({
  op: fc.constant('STREAMER_SEAL' as const),
  tableId: int32,
  partitionId: int32,
  targetNode: text,
  assignmentVersion: safe,
  producerId,
  epoch: positive,
});

const streamerBatch: fc.Arbitrary<StreamerBatch> = fc
  .tuple(fc.array(fc.record({ noValueSet: bitmask, tuple: bytes }), { maxLength: 12 }), batchProducer)
  .chain(([rows, producer]) =>
    fc.record({
      op: fc.constant('STREAMER_BATCH_SEND' as const),
      tableId: int32,
      partitionId: int32,
      deleted: fc.option(
        fc.subarray(rows.map((_, i) => i)).map((indexes) => {
          const mask = new Uint8Array(indexes.length === 0 ? 0 : ((indexes.at(-1) ?? 0) >> 3) + 1);
          for (const i of indexes) mask[i >> 3] = (mask[i >> 3] ?? 0) | (1 << (i & 7));
          return mask;
        }),
        { nil: null },
      ),
      schemaVersion: int32,
      rows: fc.constant(rows),
      targetNode: text,
      assignmentVersion: safe,
      producer: fc.constant(producer),
    }),
  );

const receiverBatch: fc.Arbitrary<ReceiverBatch> = fc.record({
  op: fc.constant('STREAMER_WITH_RECEIVER_BATCH_SEND' as const),
  tableId: int32,
  partitionId: int32,
  targetNode: text,
  assignmentVersion: safe,
  receiver: text,
  receiveResults: fc.boolean(),
  arg: wireValue,
  payloads: fc.array(wireValue, { maxLength: 5 }),
  producer: batchProducer,
  transactional: fc.boolean(),
});

/** The payload fields of each op's request (everything but `op` and `requestId`). */
const payloads: { [K in OpName]: fc.Arbitrary<Omit<RequestMap[K], 'op' | 'requestId'>> } = {
  HEARTBEAT: fc.constant({}),
  TABLES_GET: fc.constant({}),
  TABLE_GET: fc.record({ name: text }),
  SCHEMAS_GET: fc.record({
    tableId: int32,
    versions: fc.option(fc.array(int32, { maxLength: 5 }), { nil: null }),
  }),
  TUPLE_UPSERT: fc.record({
    tableId: int32,
    schemaVersion: int32,
    partition: int32,
    noValueSet: bitmask,
    row: bytes,
  }),
  TUPLE_GET: fc.record({ tableId: int32, schemaVersion: int32, partition: int32, key: bytes }),
  TUPLE_UPSERT_ALL: fc.record({
    tableId: int32,
    schemaVersion: int32,
    rows: fc.array(partitionRow, { maxLength: 5 }),
  }),
  TUPLE_GET_ALL: fc.record({
    tableId: int32,
    schemaVersion: int32,
    keys: fc.array(partitionKey, { maxLength: 5 }),
  }),
  TUPLE_DELETE: fc.record({ tableId: int32, schemaVersion: int32, partition: int32, key: bytes }),
  TUPLE_DELETE_ALL: fc.record({
    tableId: int32,
    schemaVersion: int32,
    keys: fc.array(partitionKey, { maxLength: 5 }),
  }),
  PARTITION_ASSIGNMENT_GET: fc.record({ tableId: int32 }),
  STREAMER_BATCH_SEND: streamerBatch.map(({ op: _op, ...batch }) => batch),
  STREAMER_WITH_RECEIVER_BATCH_SEND: receiverBatch.map(({ op: _op, ...batch }) => batch),
  TABLE_CREATE: fc.record({ definition: tableDefinition }),
  COLUMN_ADD: fc.record({ tableName: text, column: columnDef }),
  PRODUCER_REGISTER: fc.record({ producerId, runId: uuid }),
  STREAMER_SEAL: streamerSeal.map(({ op: _op, ...seal }) => seal),
  BATCH_FORWARD: fc.record({
    hops: int32,
    origin: text,
    batch: fc.oneof(streamerBatch, receiverBatch, streamerSeal),
  }),
  PARTITION_TRANSFER: fc.record({
    tableId: int32,
    partitionId: int32,
    assignmentVersion: safe,
    rows: fc.array(keyedRow, { maxLength: 5 }),
  }),
  TX_PREPARE: fc.record({ txId: uuid, coordinator: text, partitions: txPartitions }),
  TX_COMMIT: fc.record({ txId: uuid, commitTimestamp: long, partitions: txPartitions }),
  TX_ABORT: fc.record({ txId: uuid, partitions: txPartitions }),
  TX_STATE_GET: fc.record({ txId: uuid }),
  TX_ROWS_GET: fc.record({
    txId: uuid,
    coordinator: text,
    startTimestamp: long,
    tableId: int32,
    partitionId: int32,
    schemaVersion: int32,
    keys: fc.array(bytes, { maxLength: 5 }),
  }),
  TX_ROWS_WRITE: fc.record({
    txId: uuid,
    coordinator: text,
    startTimestamp: long,
    tableId: int32,
    partitionId: int32,
    schemaVersion: int32,
    rows: fc.array(keyedRow, { maxLength: 5 }),
  }),
  RAFT_VOTE: raftVoteArgs,
  RAFT_APPEND: raftAppendArgs,
  RAFT_SNAPSHOT: raftSnapshotArgs,
  NODE_AUTHENTICATE: fc.record({ proof: bytes }),
  META_PROPOSE: fc.record({ command: bytes }),
  META_WATCH: fc.record({
    prefix: text,
    fromRevision: fc.maxSafeNat(),
    waitMs: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  }),
};

/** A random request of op `op`. */
export function requestOf<K extends OpName>(op: K): fc.Arbitrary<RequestMap[K]> {
  const payload = payloads[op] as fc.Arbitrary<object>;
  return fc
    .tuple(safe, payload)
    .map(([requestId, fields]) => ({ ...fields, op, requestId }) as RequestMap[K]);
}

/** The result of each op. */
export const results: { [K in OpName]: fc.Arbitrary<ResultMap[K]> } = {
  HEARTBEAT: fc.constant(null),
  TABLES_GET: fc.array(tableInfo, { maxLength: 4 }),
  TABLE_GET: fc.option(tableInfo, { nil: null }),
  SCHEMAS_GET: fc.array(tableSchema, { maxLength: 3 }),
  TUPLE_UPSERT: fc.constant(null),
  TUPLE_GET: rowResult,
  TUPLE_UPSERT_ALL: fc.constant(null),
  TUPLE_GET_ALL: fc.array(rowResult, { maxLength: 5 }),
  TUPLE_DELETE: fc.boolean(),
  TUPLE_DELETE_ALL: fc.array(fc.boolean(), { maxLength: 5 }),
  // The member list is there only when both sides have TOPOLOGY_DISCOVERY: both shapes round-trip.
  PARTITION_ASSIGNMENT_GET: fc.record(
    {
      assignmentVersion: safe,
      owners: fc.array(fc.option(text, { nil: null }), { maxLength: 8 }),
      nodes: fc.array(fc.record({ name: text, endpoint: text }), { maxLength: 5 }),
    },
    { requiredKeys: ['assignmentVersion', 'owners'] },
  ),
  STREAMER_BATCH_SEND: fc.record({ schemaVersion: int32 }),
  STREAMER_WITH_RECEIVER_BATCH_SEND: fc.record({
    results: fc.option(fc.array(wireValue, { maxLength: 4 }), { nil: null }),
  }),
  TABLE_CREATE: tableSchema,
  COLUMN_ADD: tableSchema,
  PRODUCER_REGISTER: fc.record({ epoch: positive }),
  STREAMER_SEAL: fc.record({ appliedSeq: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }),
  BATCH_FORWARD: fc.oneof(
    fc.record({ op: fc.constant('STREAMER_BATCH_SEND' as const), schemaVersion: int32 }),
    fc.record({ op: fc.constant('STREAMER_SEAL' as const), appliedSeq: fc.nat() }),
    fc.record({
      op: fc.constant('STREAMER_WITH_RECEIVER_BATCH_SEND' as const),
      results: fc.option(fc.array(wireValue, { maxLength: 4 }), { nil: null }),
    }),
  ),
  PARTITION_TRANSFER: fc.constant(null),
  TX_PREPARE: fc.constant(null),
  TX_COMMIT: fc.constant(null),
  TX_ABORT: fc.constant(null),
  TX_STATE_GET: fc.record({
    state: fc.constantFrom(...(Object.keys(TxStates) as TxState[])),
    commitTimestamp: fc.option(long, { nil: null }),
  }),
  TX_ROWS_GET: fc.array(rowResult, { maxLength: 5 }),
  TX_ROWS_WRITE: fc.constant(null),
  RAFT_VOTE: raftVoteResult,
  RAFT_APPEND: raftAppendResult,
  RAFT_SNAPSHOT: raftSnapshotResult,
  NODE_AUTHENTICATE: fc.constant(null),
  META_PROPOSE: fc.record({ succeeded: fc.boolean(), revision: fc.maxSafeNat() }),
  META_WATCH: fc.record({
    revision: fc.maxSafeNat(),
    reset: fc.boolean(),
    events: fc.array(
      fc.record({ revision: fc.maxSafeNat(), key: text, value: fc.option(bytes, { nil: null }) }),
      {
        maxLength: 4,
      },
    ),
  }),
};

const header = fc.record({
  requestId: safe,
  observableTimestamp: long,
  assignmentVersion: fc.option(safe, { nil: undefined }),
});

/** A random successful response to op `op`. */
export function okResponseOf(op: OpName): fc.Arbitrary<OkResponse> {
  return fc.tuple(header, results[op] as fc.Arbitrary<unknown>).map(
    ([{ assignmentVersion, ...rest }, result]) =>
      ({
        kind: 'ok',
        op,
        ...rest,
        ...(assignmentVersion === undefined ? {} : { assignmentVersion }),
        result,
      }) as OkResponse,
  );
}

const extensionValue = fc.oneof(
  text,
  fc.maxSafeInteger(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.oneof(
    fc.bigInt({ min: -(2n ** 63n), max: BigInt(Number.MIN_SAFE_INTEGER) - 1n }),
    fc.bigInt({ min: BigInt(Number.MAX_SAFE_INTEGER) + 1n, max: 2n ** 63n - 1n }),
  ),
);

/** A random error response. */
export const errorResponse: fc.Arbitrary<ErrorResponse> = fc
  .record({
    header,
    code: fc.constantFrom(...(Object.keys(ErrorCodes) as ErrorCode[])),
    message: text,
    extensions: fc.dictionary(text, extensionValue, { maxKeys: 4 }),
    traceId: uuid,
    className: text,
    stackTrace: fc.option(text, { nil: null }),
  })
  .map(({ header: { assignmentVersion, ...rest }, code, message, extensions, ...info }) => ({
    kind: 'error',
    ...rest,
    ...(assignmentVersion === undefined ? {} : { assignmentVersion }),
    error: new ProtocolError(code, message, { extensions: extensions as ErrorExtensions }),
    ...info,
  }));

export { OP_NAMES };
