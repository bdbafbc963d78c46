/**
 * Golden messages: for every op, a typed request and a typed response, each with the exact body bytes the
 * protocol specifies, assembled by hand from the independent builder in `wire-builder.ts` (never by the
 * production writer). docs/PROTOCOL.md shows these same bytes under `<!-- golden: NAME -->` markers, and a
 * test checks that the document and this table agree.
 */

import { ProtocolError } from '../../src/errors/protocol-error.js';
import type { HandshakeRequest, HandshakeResponse } from '../../src/frame/handshake.js';
import type { TableSchema } from '../../src/schema/table-schema.js';
import {
  type Bytes,
  bin,
  bitmask,
  bool,
  cat,
  float64,
  int,
  map,
  nil,
  str,
  timestamp,
  uuid,
} from './wire-builder.js';
import { type GoldenRequest, type GoldenResponse, HLC, ok, okResponse } from './wire-golden-envelope.js';
import { GOLDEN_META_REQUESTS, GOLDEN_META_RESPONSES } from './wire-golden-meta.js';
import { GOLDEN_RAFT_REQUESTS, GOLDEN_RAFT_RESPONSES } from './wire-golden-raft.js';

export type { GoldenRequest, GoldenResponse };

// ---------------------------------------------------------------------------------------------------------
// Sample data. Tuples are real BinaryTuples (WIRE.md): KEY is (INT32 33), ROW is (INT32 33, INT32 -71).

export const KEY = Uint8Array.of(0x00, 0x01, 0x21);
export const KEY2 = Uint8Array.of(0x00, 0x01, 0x22);
export const ROW = Uint8Array.of(0x00, 0x01, 0x02, 0x21, 0xb9);
const KEY_BYTES = [...KEY];
const KEY2_BYTES = [...KEY2];
const ROW_BYTES = [...ROW];

export const TRACE_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
export const TX_ID = '123e4567-e89b-12d3-a456-426614174000';

export { HLC };
export const COMMIT_TS = (1_700_000_000_123n << 16n) | 1n;
/** A node's handshake challenge (16 bytes from its Rng) and a proof over it (32 bytes of HMAC-SHA256). */
const NONCE = [
  0x9c, 0x41, 0x0e, 0x77, 0x2a, 0xd5, 0x63, 0x18, 0xe0, 0x5b, 0x94, 0x3f, 0xc7, 0x06, 0x88, 0xb1,
];
const PROOF = Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);

const EVENTS_V1: TableSchema = {
  tableId: 7,
  tableName: 'TrackEvents',
  version: 1,
  partitions: 16,
  columns: [
    { name: 'EventId', type: 'INT64', nullable: false },
    { name: 'EventType', type: 'STRING', nullable: false },
    { name: 'EventTime', type: 'TIMESTAMP', nullable: false, precision: 3 },
    { name: 'Duration', type: 'INT64', nullable: true, default: 0 },
    { name: 'Price', type: 'DECIMAL', nullable: true, default: '9.99', precision: 10, scale: 2 },
  ],
  keyColumns: [0],
  colocationColumns: [0],
};

const EVENTS_V2: TableSchema = {
  ...EVENTS_V1,
  version: 2,
  columns: [...EVENTS_V1.columns, { name: 'Metadata', type: 'STRING', nullable: true }],
};

/** column: name, type id, nullable, default, precision, scale. */
function column(
  name: string,
  typeId: number,
  nullable: boolean,
  defaultValue: Bytes,
  precision: Bytes,
  scale: Bytes,
) {
  return cat(str(name), int(typeId), bool(nullable), defaultValue, precision, scale);
}

const EVENTS_COLUMNS_V1: Bytes[] = [
  column('EventId', 5, false, nil(), nil(), nil()),
  column('EventType', 15, false, nil(), nil(), nil()),
  column('EventTime', 12, false, nil(), int(3), nil()),
  column('Duration', 5, true, int(0), nil(), nil()),
  column('Price', 8, true, str('9.99'), int(10), int(2)),
];
const METADATA_COLUMN = column('Metadata', 15, true, nil(), nil(), nil());

function schemaBytes(version: number, columns: Bytes[]): Bytes {
  return cat(
    int(7),
    str('TrackEvents'),
    int(version),
    int(16),
    int(columns.length),
    ...columns,
    int(1),
    int(0),
    int(1),
    int(0),
  );
}

const SCHEMA_V1_BYTES = schemaBytes(1, EVENTS_COLUMNS_V1);
const SCHEMA_V2_BYTES = schemaBytes(2, [...EVENTS_COLUMNS_V1, METADATA_COLUMN]);

const STREAMER_BATCH = {
  op: 'STREAMER_BATCH_SEND',
  tableId: 7,
  partitionId: 3,
  deleted: Uint8Array.of(0b10),
  schemaVersion: 2,
  rows: [
    { noValueSet: Uint8Array.of(0b1000), tuple: ROW },
    { noValueSet: new Uint8Array(0), tuple: KEY },
  ],
  targetNode: 'node-2',
  assignmentVersion: 5,
  producer: { producerId: 'album-import', epoch: 3, batchSeq: 300 },
} as const;

const STREAMER_BATCH_BYTES = cat(
  int(7),
  int(3),
  bitmask(1),
  int(2),
  int(2),
  bitmask(3),
  bin(ROW_BYTES),
  bitmask(),
  bin(KEY_BYTES),
  str('node-2'),
  int(5),
  str('album-import'),
  int(3),
  int(300),
);

const RECEIVER_BATCH = {
  op: 'STREAMER_WITH_RECEIVER_BATCH_SEND',
  tableId: 7,
  partitionId: 3,
  targetNode: 'node-2',
  assignmentVersion: 5,
  receiver: 'TrackStats',
  receiveResults: true,
  arg: { minPlays: 2 },
  payloads: [{ trackId: 42, at: new Date(1_700_000_000_000) }, 'skip'],
  producer: { producerId: 'stats', epoch: 1, batchSeq: 2 },
  transactional: true,
} as const;

const RECEIVER_BATCH_BYTES = cat(
  int(7),
  int(3),
  str('node-2'),
  int(5),
  str('TrackStats'),
  bool(true),
  map(1),
  str('minPlays'),
  int(2),
  int(2),
  map(2),
  str('trackId'),
  int(42),
  str('at'),
  timestamp(1_700_000_000_000),
  str('skip'),
  str('stats'),
  int(1),
  int(2),
  bool(true),
);

const SEAL = {
  op: 'STREAMER_SEAL',
  tableId: 7,
  partitionId: 3,
  targetNode: 'node-2',
  assignmentVersion: 5,
  producerId: 'album-import',
  epoch: 3,
} as const;

const SEAL_BYTES = cat(int(7), int(3), str('node-2'), int(5), str('album-import'), int(3));

const TX_PARTITIONS_BYTES = cat(int(2), int(7), int(3), int(7), int(4));
const TX_PARTITIONS = [
  { tableId: 7, partitionId: 3 },
  { tableId: 7, partitionId: 4 },
];

// ---------------------------------------------------------------------------------------------------------
// Requests: `opCode: int, requestId: long, payload`.

export const GOLDEN_REQUESTS: readonly GoldenRequest[] = [
  { name: 'HEARTBEAT request', request: { op: 'HEARTBEAT', requestId: 1 }, bytes: cat(int(1), int(1)) },
  { name: 'TABLES_GET request', request: { op: 'TABLES_GET', requestId: 2 }, bytes: cat(int(3), int(2)) },
  {
    name: 'TABLE_GET request',
    request: { op: 'TABLE_GET', requestId: 3, name: 'TrackEvents' },
    bytes: cat(int(4), int(3), str('TrackEvents')),
  },
  {
    name: 'SCHEMAS_GET request',
    request: { op: 'SCHEMAS_GET', requestId: 4, tableId: 7, versions: [1, 2] },
    bytes: cat(int(5), int(4), int(7), int(2), int(1), int(2)),
  },
  {
    name: 'SCHEMAS_GET request for the latest version',
    request: { op: 'SCHEMAS_GET', requestId: 4, tableId: 7, versions: null },
    bytes: cat(int(5), int(4), int(7), nil()),
  },
  {
    name: 'PARTITION_ASSIGNMENT_GET request',
    request: { op: 'PARTITION_ASSIGNMENT_GET', requestId: 5, tableId: 7 },
    bytes: cat(int(53), int(5), int(7)),
  },
  {
    name: 'TABLE_CREATE request',
    request: {
      op: 'TABLE_CREATE',
      requestId: 6,
      definition: {
        name: 'TrackEvents',
        columns: [
          { name: 'EventId', type: 'INT64', nullable: false },
          { name: 'Duration', type: 'INT64', nullable: true, default: 0 },
        ],
        primaryKey: ['EventId'],
        colocateBy: ['EventId'],
        partitions: 16,
        replicas: 3,
      },
    },
    bytes: cat(
      int(200),
      int(6),
      str('TrackEvents'),
      int(2),
      column('EventId', 5, false, nil(), nil(), nil()),
      column('Duration', 5, true, int(0), nil(), nil()),
      int(1),
      str('EventId'),
      int(1),
      str('EventId'),
      int(16),
      int(3),
    ),
  },
  {
    name: 'TABLE_CREATE request with defaults left out',
    request: {
      op: 'TABLE_CREATE',
      requestId: 6,
      definition: { name: 'T', columns: [{ name: 'K', type: 'UUID', nullable: false }], primaryKey: ['K'] },
    },
    bytes: cat(
      int(200),
      int(6),
      str('T'),
      int(1),
      column('K', 13, false, nil(), nil(), nil()),
      int(1),
      str('K'),
      nil(),
      nil(),
      nil(),
    ),
  },
  {
    name: 'COLUMN_ADD request',
    request: {
      op: 'COLUMN_ADD',
      requestId: 7,
      tableName: 'TrackEvents',
      column: { name: 'Metadata', type: 'STRING', nullable: true },
    },
    bytes: cat(int(201), int(7), str('TrackEvents'), METADATA_COLUMN),
  },
  {
    name: 'PRODUCER_REGISTER request',
    request: {
      op: 'PRODUCER_REGISTER',
      requestId: 30,
      producerId: 'album-import',
      runId: '6f1c2e3a-9b8d-4c7e-a5f4-0123456789ab',
    },
    bytes: cat(int(202), int(30), str('album-import'), uuid('6f1c2e3a-9b8d-4c7e-a5f4-0123456789ab')),
  },
  {
    name: 'STREAMER_SEAL request',
    request: { ...SEAL, requestId: 31 },
    bytes: cat(int(203), int(31), SEAL_BYTES),
  },
  {
    name: 'TUPLE_UPSERT request',
    request: {
      op: 'TUPLE_UPSERT',
      requestId: 8,
      tableId: 7,
      schemaVersion: 1,
      partition: 3,
      noValueSet: Uint8Array.of(0b1000),
      row: ROW,
    },
    bytes: cat(int(10), int(8), int(7), int(1), int(3), bitmask(3), bin(ROW_BYTES)),
  },
  {
    name: 'TUPLE_GET request',
    request: { op: 'TUPLE_GET', requestId: 9, tableId: 7, schemaVersion: 1, partition: 3, key: KEY },
    bytes: cat(int(12), int(9), int(7), int(1), int(3), bin(KEY_BYTES)),
  },
  {
    name: 'TUPLE_UPSERT_ALL request',
    request: {
      op: 'TUPLE_UPSERT_ALL',
      requestId: 10,
      tableId: 7,
      schemaVersion: 1,
      rows: [
        { partition: 3, noValueSet: new Uint8Array(0), row: ROW },
        { partition: 11, noValueSet: Uint8Array.of(0, 1), row: ROW },
      ],
    },
    bytes: cat(
      int(13),
      int(10),
      int(7),
      int(1),
      int(2),
      int(3),
      bitmask(),
      bin(ROW_BYTES),
      int(11),
      bitmask(8),
      bin(ROW_BYTES),
    ),
  },
  {
    name: 'TUPLE_GET_ALL request',
    request: {
      op: 'TUPLE_GET_ALL',
      requestId: 11,
      tableId: 7,
      schemaVersion: 1,
      keys: [
        { partition: 3, key: KEY },
        { partition: 12, key: KEY2 },
      ],
    },
    bytes: cat(int(15), int(11), int(7), int(1), int(2), int(3), bin(KEY_BYTES), int(12), bin(KEY2_BYTES)),
  },
  {
    name: 'TUPLE_DELETE request',
    request: { op: 'TUPLE_DELETE', requestId: 12, tableId: 7, schemaVersion: 1, partition: 3, key: KEY },
    bytes: cat(int(28), int(12), int(7), int(1), int(3), bin(KEY_BYTES)),
  },
  {
    name: 'TUPLE_DELETE_ALL request',
    request: {
      op: 'TUPLE_DELETE_ALL',
      requestId: 13,
      tableId: 7,
      schemaVersion: 1,
      keys: [
        { partition: 3, key: KEY },
        { partition: 12, key: KEY2 },
      ],
    },
    bytes: cat(int(29), int(13), int(7), int(1), int(2), int(3), bin(KEY_BYTES), int(12), bin(KEY2_BYTES)),
  },
  {
    name: 'STREAMER_BATCH_SEND request',
    request: { ...STREAMER_BATCH, requestId: 14 },
    bytes: cat(int(62), int(14), STREAMER_BATCH_BYTES),
  },
  {
    name: 'STREAMER_BATCH_SEND request without removes',
    request: {
      op: 'STREAMER_BATCH_SEND',
      requestId: 300,
      tableId: 7,
      partitionId: 0,
      deleted: null,
      schemaVersion: 1,
      rows: [{ noValueSet: new Uint8Array(0), tuple: ROW }],
      targetNode: 'node-1',
      assignmentVersion: 70000,
      producer: null,
    },
    bytes: cat(
      int(62),
      int(300),
      int(7),
      int(0),
      nil(),
      int(1),
      int(1),
      bitmask(),
      bin(ROW_BYTES),
      str('node-1'),
      int(70000),
      nil(),
      nil(),
      nil(),
    ),
  },
  {
    name: 'STREAMER_WITH_RECEIVER_BATCH_SEND request',
    request: { ...RECEIVER_BATCH, requestId: 15 },
    bytes: cat(int(66), int(15), RECEIVER_BATCH_BYTES),
  },
  {
    name: 'BATCH_FORWARD request of a streamer batch',
    request: { op: 'BATCH_FORWARD', requestId: 16, hops: 0, origin: 'node-1', batch: STREAMER_BATCH },
    bytes: cat(int(210), int(16), int(0), str('node-1'), int(62), STREAMER_BATCH_BYTES),
  },
  {
    name: 'BATCH_FORWARD request of a receiver batch',
    request: { op: 'BATCH_FORWARD', requestId: 17, hops: 0, origin: 'node-1', batch: RECEIVER_BATCH },
    bytes: cat(int(210), int(17), int(0), str('node-1'), int(66), RECEIVER_BATCH_BYTES),
  },
  {
    name: 'BATCH_FORWARD request of a seal',
    request: { op: 'BATCH_FORWARD', requestId: 32, hops: 0, origin: 'node-1', batch: SEAL },
    bytes: cat(int(210), int(32), int(0), str('node-1'), int(203), SEAL_BYTES),
  },
  {
    name: 'PARTITION_TRANSFER request',
    request: {
      op: 'PARTITION_TRANSFER',
      requestId: 18,
      tableId: 7,
      partitionId: 3,
      assignmentVersion: 6,
      rows: [
        { key: KEY, row: ROW },
        { key: KEY2, row: null },
      ],
    },
    bytes: cat(
      int(211),
      int(18),
      int(7),
      int(3),
      int(6),
      int(2),
      bin(KEY_BYTES),
      bin(ROW_BYTES),
      bin(KEY2_BYTES),
      nil(),
    ),
  },
  {
    name: 'TX_PREPARE request',
    request: {
      op: 'TX_PREPARE',
      requestId: 19,
      txId: TX_ID,
      coordinator: 'node-1',
      partitions: TX_PARTITIONS,
    },
    bytes: cat(int(220), int(19), uuid(TX_ID), str('node-1'), TX_PARTITIONS_BYTES),
  },
  {
    name: 'TX_COMMIT request',
    request: {
      op: 'TX_COMMIT',
      requestId: 20,
      txId: TX_ID,
      commitTimestamp: COMMIT_TS,
      partitions: TX_PARTITIONS,
    },
    bytes: cat(int(221), int(20), uuid(TX_ID), int(COMMIT_TS), TX_PARTITIONS_BYTES),
  },
  {
    name: 'TX_ABORT request',
    request: { op: 'TX_ABORT', requestId: 21, txId: TX_ID, partitions: TX_PARTITIONS },
    bytes: cat(int(222), int(21), uuid(TX_ID), TX_PARTITIONS_BYTES),
  },
  {
    name: 'TX_STATE_GET request',
    request: { op: 'TX_STATE_GET', requestId: 22, txId: TX_ID },
    bytes: cat(int(223), int(22), uuid(TX_ID)),
  },
  {
    name: 'TX_ROWS_GET request',
    request: {
      op: 'TX_ROWS_GET',
      requestId: 23,
      txId: TX_ID,
      coordinator: 'node-1',
      startTimestamp: HLC,
      tableId: 7,
      partitionId: 3,
      schemaVersion: 1,
      keys: [KEY, KEY2],
    },
    bytes: cat(
      int(224),
      int(23),
      uuid(TX_ID),
      str('node-1'),
      int(HLC),
      int(7),
      int(3),
      int(1),
      int(2),
      bin(KEY_BYTES),
      bin(KEY2_BYTES),
    ),
  },
  {
    name: 'TX_ROWS_WRITE request',
    request: {
      op: 'TX_ROWS_WRITE',
      requestId: 24,
      txId: TX_ID,
      coordinator: 'node-1',
      startTimestamp: HLC,
      tableId: 7,
      partitionId: 3,
      schemaVersion: 1,
      rows: [
        { key: KEY, row: ROW },
        { key: KEY2, row: null },
      ],
    },
    bytes: cat(
      int(225),
      int(24),
      uuid(TX_ID),
      str('node-1'),
      int(HLC),
      int(7),
      int(3),
      int(1),
      int(2),
      bin(KEY_BYTES),
      bin(ROW_BYTES),
      bin(KEY2_BYTES),
      nil(),
    ),
  },
  ...GOLDEN_RAFT_REQUESTS,
  ...GOLDEN_META_REQUESTS,
  {
    name: 'NODE_AUTHENTICATE request',
    request: { op: 'NODE_AUTHENTICATE', requestId: 40, proof: Uint8Array.from(PROOF) },
    bytes: cat(int(240), int(40), bin(PROOF)),
  },
];

// ---------------------------------------------------------------------------------------------------------
// Responses: `requestId: long, flags: int, observableTimestamp: long, [assignmentVersion: long],
// error | payload`.

export const GOLDEN_RESPONSES: readonly GoldenResponse[] = [
  { name: 'HEARTBEAT response', op: 'HEARTBEAT', response: okResponse('HEARTBEAT', 1, null), bytes: ok(1) },
  {
    name: 'TABLES_GET response',
    op: 'TABLES_GET',
    response: okResponse('TABLES_GET', 2, [
      { tableId: 7, name: 'TrackEvents', latestSchemaVersion: 2 },
      { tableId: 8, name: 'Users', latestSchemaVersion: 1 },
    ]),
    bytes: ok(2, int(2), int(7), str('TrackEvents'), int(2), int(8), str('Users'), int(1)),
  },
  {
    name: 'TABLE_GET response',
    op: 'TABLE_GET',
    response: okResponse('TABLE_GET', 3, { tableId: 7, name: 'TrackEvents', latestSchemaVersion: 2 }),
    bytes: ok(3, int(7), str('TrackEvents'), int(2)),
  },
  {
    name: 'TABLE_GET response for no such table',
    op: 'TABLE_GET',
    response: okResponse('TABLE_GET', 3, null),
    bytes: ok(3, nil()),
  },
  {
    name: 'SCHEMAS_GET response',
    op: 'SCHEMAS_GET',
    response: okResponse('SCHEMAS_GET', 4, [EVENTS_V1]),
    bytes: ok(4, int(1), SCHEMA_V1_BYTES),
  },
  {
    name: 'PARTITION_ASSIGNMENT_GET response',
    op: 'PARTITION_ASSIGNMENT_GET',
    response: okResponse('PARTITION_ASSIGNMENT_GET', 5, {
      assignmentVersion: 5,
      owners: ['node-1', 'node-2', null, 'node-1'],
    }),
    bytes: ok(5, int(5), int(4), str('node-1'), str('node-2'), nil(), str('node-1')),
  },
  {
    name: 'PARTITION_ASSIGNMENT_GET response with the cluster members',
    op: 'PARTITION_ASSIGNMENT_GET',
    response: okResponse('PARTITION_ASSIGNMENT_GET', 5, {
      assignmentVersion: 9,
      owners: ['node-4', 'node-5'],
      nodes: [
        { name: 'node-4', endpoint: 'node-4' },
        { name: 'node-5', endpoint: '10.0.0.5:10800' },
      ],
    }),
    bytes: ok(
      5,
      int(9),
      int(2),
      str('node-4'),
      str('node-5'),
      int(2),
      str('node-4'),
      str('node-4'),
      str('node-5'),
      str('10.0.0.5:10800'),
    ),
    // requestId, flags, timestamp (9 bytes), version, count, two owners of 7 bytes each.
    optionalTailAt: 1 + 1 + 9 + 1 + 1 + 14,
  },
  {
    name: 'TABLE_CREATE response',
    op: 'TABLE_CREATE',
    response: okResponse('TABLE_CREATE', 6, EVENTS_V1),
    bytes: ok(6, SCHEMA_V1_BYTES),
  },
  {
    name: 'COLUMN_ADD response',
    op: 'COLUMN_ADD',
    response: okResponse('COLUMN_ADD', 7, EVENTS_V2),
    bytes: ok(7, SCHEMA_V2_BYTES),
  },
  {
    name: 'PRODUCER_REGISTER response',
    op: 'PRODUCER_REGISTER',
    response: okResponse('PRODUCER_REGISTER', 30, { epoch: 4 }),
    bytes: ok(30, int(4)),
  },
  {
    name: 'STREAMER_SEAL response',
    op: 'STREAMER_SEAL',
    response: okResponse('STREAMER_SEAL', 31, { appliedSeq: 299 }),
    bytes: ok(31, int(299)),
  },
  {
    name: 'TUPLE_UPSERT response',
    op: 'TUPLE_UPSERT',
    response: okResponse('TUPLE_UPSERT', 8, null),
    bytes: ok(8),
  },
  {
    name: 'TUPLE_GET response',
    op: 'TUPLE_GET',
    response: okResponse('TUPLE_GET', 9, { schemaVersion: 1, row: ROW }),
    bytes: ok(9, int(1), bin(ROW_BYTES)),
  },
  {
    name: 'TUPLE_GET response for no such row',
    op: 'TUPLE_GET',
    response: okResponse('TUPLE_GET', 9, null),
    bytes: ok(9, nil()),
  },
  {
    name: 'TUPLE_UPSERT_ALL response',
    op: 'TUPLE_UPSERT_ALL',
    response: okResponse('TUPLE_UPSERT_ALL', 10, null),
    bytes: ok(10),
  },
  {
    name: 'TUPLE_GET_ALL response',
    op: 'TUPLE_GET_ALL',
    response: okResponse('TUPLE_GET_ALL', 11, [{ schemaVersion: 1, row: ROW }, null]),
    bytes: ok(11, int(2), int(1), bin(ROW_BYTES), nil()),
  },
  {
    name: 'TUPLE_DELETE response',
    op: 'TUPLE_DELETE',
    response: okResponse('TUPLE_DELETE', 12, true),
    bytes: ok(12, bool(true)),
  },
  {
    name: 'TUPLE_DELETE_ALL response',
    op: 'TUPLE_DELETE_ALL',
    response: okResponse('TUPLE_DELETE_ALL', 13, [true, false]),
    bytes: ok(13, int(2), bool(true), bool(false)),
  },
  {
    name: 'STREAMER_BATCH_SEND response',
    op: 'STREAMER_BATCH_SEND',
    response: okResponse('STREAMER_BATCH_SEND', 14, { schemaVersion: 2 }),
    bytes: ok(14, int(2)),
  },
  {
    name: 'STREAMER_WITH_RECEIVER_BATCH_SEND response',
    op: 'STREAMER_WITH_RECEIVER_BATCH_SEND',
    response: okResponse('STREAMER_WITH_RECEIVER_BATCH_SEND', 15, {
      results: [{ trackId: 42, plays: 3n }, 0.5],
    }),
    bytes: ok(
      15,
      int(2),
      map(2),
      str('trackId'),
      int(42),
      str('plays'),
      [0xd3, 0, 0, 0, 0, 0, 0, 0, 3],
      float64(0.5),
    ),
  },
  {
    name: 'STREAMER_WITH_RECEIVER_BATCH_SEND response without results',
    op: 'STREAMER_WITH_RECEIVER_BATCH_SEND',
    response: okResponse('STREAMER_WITH_RECEIVER_BATCH_SEND', 15, { results: null }),
    bytes: ok(15, nil()),
  },
  {
    name: 'BATCH_FORWARD response of a streamer batch',
    op: 'BATCH_FORWARD',
    response: okResponse('BATCH_FORWARD', 16, { op: 'STREAMER_BATCH_SEND', schemaVersion: 2 }),
    bytes: ok(16, int(62), int(2)),
  },
  {
    name: 'BATCH_FORWARD response of a receiver batch',
    op: 'BATCH_FORWARD',
    response: okResponse('BATCH_FORWARD', 17, { op: 'STREAMER_WITH_RECEIVER_BATCH_SEND', results: ['done'] }),
    bytes: ok(17, int(66), int(1), str('done')),
  },
  {
    name: 'BATCH_FORWARD response of a seal',
    op: 'BATCH_FORWARD',
    response: okResponse('BATCH_FORWARD', 32, { op: 'STREAMER_SEAL', appliedSeq: 299 }),
    bytes: ok(32, int(203), int(299)),
  },
  {
    name: 'PARTITION_TRANSFER response',
    op: 'PARTITION_TRANSFER',
    response: okResponse('PARTITION_TRANSFER', 18, null),
    bytes: ok(18),
  },
  {
    name: 'TX_PREPARE response',
    op: 'TX_PREPARE',
    response: okResponse('TX_PREPARE', 19, null),
    bytes: ok(19),
  },
  { name: 'TX_COMMIT response', op: 'TX_COMMIT', response: okResponse('TX_COMMIT', 20, null), bytes: ok(20) },
  { name: 'TX_ABORT response', op: 'TX_ABORT', response: okResponse('TX_ABORT', 21, null), bytes: ok(21) },
  {
    name: 'TX_STATE_GET response',
    op: 'TX_STATE_GET',
    response: okResponse('TX_STATE_GET', 22, { state: 'COMMITTED', commitTimestamp: COMMIT_TS }),
    bytes: ok(22, int(3), int(COMMIT_TS)),
  },
  {
    name: 'TX_STATE_GET response for a pending transaction',
    op: 'TX_STATE_GET',
    response: okResponse('TX_STATE_GET', 22, { state: 'PENDING', commitTimestamp: null }),
    bytes: ok(22, int(1), nil()),
  },
  {
    name: 'TX_ROWS_GET response',
    op: 'TX_ROWS_GET',
    response: okResponse('TX_ROWS_GET', 23, [{ schemaVersion: 1, row: ROW }, null]),
    bytes: ok(23, int(2), int(1), bin(ROW_BYTES), nil()),
  },
  {
    name: 'TX_ROWS_WRITE response',
    op: 'TX_ROWS_WRITE',
    response: okResponse('TX_ROWS_WRITE', 24, null),
    bytes: ok(24),
  },
  ...GOLDEN_RAFT_RESPONSES,
  ...GOLDEN_META_RESPONSES,
  {
    name: 'NODE_AUTHENTICATE response',
    op: 'NODE_AUTHENTICATE',
    response: okResponse('NODE_AUTHENTICATE', 40, null),
    bytes: ok(40),
  },
  {
    name: 'assignment-changed response',
    op: 'STREAMER_BATCH_SEND',
    response: {
      kind: 'ok',
      op: 'STREAMER_BATCH_SEND',
      requestId: 14,
      observableTimestamp: HLC,
      assignmentVersion: 6,
      result: { schemaVersion: 2 },
    },
    bytes: cat(int(14), int(1), int(HLC), int(6), int(2)),
  },
  {
    name: 'error response with extensions',
    op: 'STREAMER_BATCH_SEND',
    response: {
      kind: 'error',
      requestId: 14,
      observableTimestamp: HLC,
      error: new ProtocolError('SCHEMA_VERSION_MISMATCH', 'schema version 2 is stale, expected 3', {
        extensions: { 'expected-schema-ver': 3 },
      }),
      traceId: TRACE_ID,
      className: 'ProtocolError',
      stackTrace: null,
    },
    bytes: cat(
      int(14),
      int(4),
      int(HLC),
      uuid(TRACE_ID),
      int(11),
      str('ProtocolError'),
      str('schema version 2 is stale, expected 3'),
      nil(),
      map(1),
      str('expected-schema-ver'),
      int(3),
    ),
  },
  {
    name: 'error response with a changed assignment',
    op: 'TUPLE_GET',
    response: {
      kind: 'error',
      requestId: 9,
      observableTimestamp: HLC,
      assignmentVersion: 7,
      error: new ProtocolError('NOT_PRIMARY', 'node-2 is not the primary of partition 3'),
      traceId: TRACE_ID,
      className: 'ProtocolError',
      stackTrace: 'at handle (server.ts:1)',
    },
    bytes: cat(
      int(9),
      int(5),
      int(HLC),
      int(7),
      uuid(TRACE_ID),
      int(12),
      str('ProtocolError'),
      str('node-2 is not the primary of partition 3'),
      str('at handle (server.ts:1)'),
      nil(),
    ),
  },
];

// ---------------------------------------------------------------------------------------------------------
// Handshake (after the `IGNI` preamble, in a frame of its own).

export const GOLDEN_HANDSHAKE_REQUEST: { request: HandshakeRequest; bytes: Bytes } = {
  request: {
    version: { major: 1, minor: 0, patch: 0 },
    peerType: 'client',
    features: Uint8Array.of(7),
    name: 'client-1',
  },
  bytes: cat(int(1), int(0), int(0), int(2), bin([7]), str('client-1')),
};

export const GOLDEN_HANDSHAKE_ACCEPTED: { response: HandshakeResponse; bytes: Bytes } = {
  response: {
    kind: 'accepted',
    version: { major: 1, minor: 0, patch: 0 },
    features: Uint8Array.of(7),
    nodeName: 'node-1',
  },
  bytes: cat(int(1), int(0), int(0), nil(), bin([7]), str('node-1')),
};

export const GOLDEN_HANDSHAKE_BASIC_AUTH: { request: HandshakeRequest; bytes: Bytes } = {
  request: {
    version: { major: 1, minor: 0, patch: 0 },
    peerType: 'client',
    features: Uint8Array.of(7),
    name: 'client-1',
    extensions: new Map([
      ['authn-type', 'basic'],
      ['authn-identity', 'alice'],
      ['authn-secret', 'alice-password'],
    ]),
  },
  bytes: cat(
    int(1),
    int(0),
    int(0),
    int(2),
    bin([7]),
    str('client-1'),
    map(3),
    str('authn-type'),
    str('basic'),
    str('authn-identity'),
    str('alice'),
    str('authn-secret'),
    str('alice-password'),
  ),
};

export const GOLDEN_HANDSHAKE_CHALLENGE: { response: HandshakeResponse; bytes: Bytes } = {
  response: {
    kind: 'accepted',
    version: { major: 1, minor: 0, patch: 0 },
    features: Uint8Array.of(7),
    nodeName: 'node-1',
    extensions: new Map([['authn-challenge', Uint8Array.from(NONCE)]]),
  },
  bytes: cat(
    int(1),
    int(0),
    int(0),
    nil(),
    bin([7]),
    str('node-1'),
    map(1),
    str('authn-challenge'),
    bin(NONCE),
  ),
};

export const GOLDEN_HANDSHAKE_AUTH_REJECTED: { response: HandshakeResponse; bytes: Bytes } = {
  response: {
    kind: 'rejected',
    version: { major: 1, minor: 0, patch: 0 },
    error: new ProtocolError(
      'AUTHENTICATION_FAILED',
      'authentication failed: unknown user or wrong password',
    ),
    traceId: TRACE_ID,
    className: 'ServerError',
    stackTrace: null,
  },
  bytes: cat(
    int(1),
    int(0),
    int(0),
    uuid(TRACE_ID),
    int(31),
    str('ServerError'),
    str('authentication failed: unknown user or wrong password'),
    nil(),
    nil(),
  ),
};

export const GOLDEN_HANDSHAKE_REJECTED: { response: HandshakeResponse; bytes: Bytes } = {
  response: {
    kind: 'rejected',
    version: { major: 1, minor: 0, patch: 0 },
    error: new ProtocolError(
      'UNSUPPORTED_PROTOCOL',
      'unsupported protocol version 2.0.0: this node speaks 1.x (1.0.0)',
    ),
    traceId: TRACE_ID,
    className: 'ProtocolError',
    stackTrace: null,
  },
  bytes: cat(
    int(1),
    int(0),
    int(0),
    uuid(TRACE_ID),
    int(2),
    str('ProtocolError'),
    str('unsupported protocol version 2.0.0: this node speaks 1.x (1.0.0)'),
    nil(),
    nil(),
  ),
};

// ---------------------------------------------------------------------------------------------------------
// Value codec examples (receiver arguments, payloads and results; column defaults).

export interface GoldenValue {
  readonly name: string;
  readonly value: unknown;
  readonly bytes: Bytes;
}

export const GOLDEN_VALUES: readonly GoldenValue[] = [
  {
    name: 'value: a plain object',
    value: { trackId: 42, tags: ['rock', null], ratio: 0.5, on: true },
    bytes: cat(
      map(4),
      str('trackId'),
      int(42),
      str('tags'),
      [0x92],
      str('rock'),
      nil(),
      str('ratio'),
      float64(0.5),
      str('on'),
      bool(true),
    ),
  },
  { name: 'value: a bigint', value: 1n, bytes: [0xd3, 0, 0, 0, 0, 0, 0, 0, 1] },
  { name: 'value: an integer past 2^32', value: 2 ** 32, bytes: float64(2 ** 32) },
  { name: 'value: a Date', value: new Date(1_700_000_000_123), bytes: timestamp(1_700_000_000_123) },
  { name: 'value: bytes', value: Uint8Array.of(1, 2, 3), bytes: bin([1, 2, 3]) },
];

/** What a golden body is, so the document can label its envelope fields. */
export type GoldenKind = 'request' | 'response' | 'handshake request' | 'handshake response' | 'value';

/** Every golden body by name, for the document check. */
export function goldenBodies(): Map<string, { readonly bytes: Bytes; readonly kind: GoldenKind }> {
  const out = new Map<string, { readonly bytes: Bytes; readonly kind: GoldenKind }>();
  for (const g of GOLDEN_REQUESTS) out.set(g.name, { bytes: g.bytes, kind: 'request' });
  for (const g of GOLDEN_RESPONSES) out.set(g.name, { bytes: g.bytes, kind: 'response' });
  out.set('handshake request', { bytes: GOLDEN_HANDSHAKE_REQUEST.bytes, kind: 'handshake request' });
  out.set('handshake response', { bytes: GOLDEN_HANDSHAKE_ACCEPTED.bytes, kind: 'handshake response' });
  out.set('handshake rejection', { bytes: GOLDEN_HANDSHAKE_REJECTED.bytes, kind: 'handshake response' });
  out.set('handshake request with basic authentication', {
    bytes: GOLDEN_HANDSHAKE_BASIC_AUTH.bytes,
    kind: 'handshake request',
  });
  out.set('handshake response with a node challenge', {
    bytes: GOLDEN_HANDSHAKE_CHALLENGE.bytes,
    kind: 'handshake response',
  });
  out.set('handshake rejection for wrong credentials', {
    bytes: GOLDEN_HANDSHAKE_AUTH_REJECTED.bytes,
    kind: 'handshake response',
  });
  for (const g of GOLDEN_VALUES) out.set(g.name, { bytes: g.bytes, kind: 'value' });
  return out;
}
