/**
 * Prints every golden message as the Markdown blocks docs/PROTOCOL.md carries, from the independent
 * builder's bytes (never the production writer): one line per MessagePack value, `hex  # what it is`, with
 * the envelope's fields named. After a deliberate format change,
 *
 *   pnpm --filter @datastreamer/protocol golden:print            # prints every block
 *   pnpm --filter @datastreamer/protocol golden:print --write    # rewrites the blocks in docs/PROTOCOL.md
 *
 * `--write` replaces each block under a `<!-- golden: NAME -->` marker the document has; a new message needs
 * its marker placed by hand first. `message-golden-doc.test.ts` checks that the document's bytes and the
 * golden table agree.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { type Bytes, u8 } from './wire-builder.js';
import { dumpMsgPack } from './wire-dump.js';
import { type GoldenKind, goldenBodies } from './wire-golden.js';
import { META_PAYLOAD_LABELS } from './wire-golden-meta.js';
import { RAFT_PAYLOAD_LABELS } from './wire-golden-raft.js';

const ERROR_FIELDS = [
  'error.traceId',
  'error.code',
  'error.className',
  'error.message',
  'error.stackTrace',
  'error.extensions',
];

const TX_PARTITIONS = ['count', 'tableId', 'partitionId', 'tableId', 'partitionId'];
const STREAMER_BATCH = ['tableId', 'partitionId', 'deleted', 'schemaVersion', 'count'];
const PRODUCER = ['producerId', 'epoch', 'batchSeq'];
const STREAMER_TAIL = ['targetNode', 'assignmentVersion', ...PRODUCER];
const SEAL = ['tableId', 'partitionId', 'targetNode', 'assignmentVersion', 'producerId', 'epoch'];
const RECEIVER_BATCH = [
  'tableId',
  'partitionId',
  'targetNode',
  'assignmentVersion',
  'receiver',
  'receiveResults',
  'arg',
  'count',
  'payload 0',
  'payload 1',
  ...PRODUCER,
  'transactional',
];
const column = (name: string): string[] =>
  ['name', 'type', 'nullable', 'default', 'precision', 'scale'].map((field) => `${name}.${field}`);
const schema = (columns: readonly string[]): string[] => [
  'tableId',
  'tableName',
  'version',
  'partitions',
  'columns: count',
  ...columns.flatMap(column),
  'keyColumns: count',
  'key column index',
  'colocationColumns: count',
  'colocation column index',
];
const EVENTS_COLUMNS = ['EventId', 'EventType', 'EventTime', 'Duration', 'Price'];
const ROWS_TARGET = [
  'txId',
  'coordinator',
  'startTimestamp',
  'tableId',
  'partitionId',
  'schemaVersion',
  'count',
];

/** Names of the payload's top-level values, after the envelope, for the golden messages that have them. */
export const PAYLOAD_LABELS: Readonly<Record<string, readonly string[]>> = {
  'TABLE_GET request': ['name'],
  'TABLE_CREATE request': [
    'name',
    'columns: count',
    ...column('EventId'),
    ...column('Duration'),
    'primaryKey: count',
    'primaryKey column',
    'colocateBy: count',
    'colocateBy column',
    'partitions',
    'replicas',
  ],
  'TABLE_CREATE request with defaults left out': [
    'name',
    'columns: count',
    ...column('K'),
    'primaryKey: count',
    'primaryKey column',
    'colocateBy (default)',
    'partitions (default)',
    'replicas (default)',
  ],
  'COLUMN_ADD request': ['tableName', ...column('Metadata')],
  'SCHEMAS_GET response': ['count', ...schema(EVENTS_COLUMNS)],
  'TABLE_CREATE response': schema(EVENTS_COLUMNS),
  'COLUMN_ADD response': schema([...EVENTS_COLUMNS, 'Metadata']),
  'SCHEMAS_GET request': ['tableId', 'versions: count', 'version', 'version'],
  'SCHEMAS_GET request for the latest version': ['tableId', 'versions'],
  'PARTITION_ASSIGNMENT_GET request': ['tableId'],
  'TUPLE_UPSERT request': ['tableId', 'schemaVersion', 'partition', 'noValueSet', 'row'],
  'TUPLE_GET request': ['tableId', 'schemaVersion', 'partition', 'key'],
  'TUPLE_UPSERT_ALL request': [
    'tableId',
    'schemaVersion',
    'count',
    'partition',
    'noValueSet',
    'row',
    'partition',
    'noValueSet',
    'row',
  ],
  'TUPLE_GET_ALL request': ['tableId', 'schemaVersion', 'count', 'partition', 'key', 'partition', 'key'],
  'TUPLE_DELETE request': ['tableId', 'schemaVersion', 'partition', 'key'],
  'TUPLE_DELETE_ALL request': ['tableId', 'schemaVersion', 'count', 'partition', 'key', 'partition', 'key'],
  'STREAMER_BATCH_SEND request': [
    ...STREAMER_BATCH,
    'row 0 noValueSet',
    'row 0 tuple (PUT: full row)',
    'row 1 noValueSet',
    'row 1 tuple (REMOVE: key)',
    ...STREAMER_TAIL,
  ],
  'STREAMER_BATCH_SEND request without removes': [
    ...STREAMER_BATCH,
    'row 0 noValueSet',
    'row 0 tuple',
    ...STREAMER_TAIL,
  ],
  'STREAMER_WITH_RECEIVER_BATCH_SEND request': RECEIVER_BATCH,
  'BATCH_FORWARD request of a streamer batch': [
    'hops',
    'origin',
    'innerOp',
    ...STREAMER_BATCH,
    'row 0 noValueSet',
    'row 0 tuple',
    'row 1 noValueSet',
    'row 1 tuple',
    ...STREAMER_TAIL,
  ],
  'BATCH_FORWARD request of a receiver batch': ['hops', 'origin', 'innerOp', ...RECEIVER_BATCH],
  'BATCH_FORWARD request of a seal': ['hops', 'origin', 'innerOp', ...SEAL],
  'PRODUCER_REGISTER request': ['producerId', 'runId'],
  'STREAMER_SEAL request': SEAL,
  'PARTITION_TRANSFER request': [
    'tableId',
    'partitionId',
    'assignmentVersion',
    'count',
    'key',
    'row',
    'key',
    'row (tombstone)',
  ],
  'TX_PREPARE request': ['txId', 'coordinator', ...TX_PARTITIONS],
  'TX_COMMIT request': ['txId', 'commitTimestamp', ...TX_PARTITIONS],
  'TX_ABORT request': ['txId', ...TX_PARTITIONS],
  'TX_STATE_GET request': ['txId'],
  'TX_ROWS_GET request': [...ROWS_TARGET, 'key', 'key'],
  'TX_ROWS_WRITE request': [...ROWS_TARGET, 'key', 'row', 'key', 'row (delete)'],
  'TABLES_GET response': [
    'count',
    'tableId',
    'name',
    'latestSchemaVersion',
    'tableId',
    'name',
    'latestSchemaVersion',
  ],
  'TABLE_GET response': ['tableId', 'name', 'latestSchemaVersion'],
  'TABLE_GET response for no such table': ['no such table'],
  'PARTITION_ASSIGNMENT_GET response': [
    'assignmentVersion',
    'count',
    'partition 0',
    'partition 1',
    'partition 2',
    'partition 3',
  ],
  'PARTITION_ASSIGNMENT_GET response with the cluster members': [
    'assignmentVersion',
    'count',
    'partition 0',
    'partition 1',
    'nodes: count',
    'node 0 name',
    'node 0 endpoint',
    'node 1 name',
    'node 1 endpoint',
  ],
  'TUPLE_GET response': ['schemaVersion', 'row'],
  'TUPLE_GET response for no such row': ['no such row'],
  'TUPLE_GET_ALL response': ['count', 'schemaVersion', 'row', 'no such row'],
  'TUPLE_DELETE response': ['deleted'],
  'TUPLE_DELETE_ALL response': ['count', 'deleted', 'deleted'],
  'STREAMER_BATCH_SEND response': ['schemaVersion (latest)'],
  'STREAMER_WITH_RECEIVER_BATCH_SEND response': ['count', 'result 0', 'result 1'],
  'STREAMER_WITH_RECEIVER_BATCH_SEND response without results': ['no results'],
  'BATCH_FORWARD response of a streamer batch': ['innerOp', 'schemaVersion (latest)'],
  'BATCH_FORWARD response of a receiver batch': ['innerOp', 'count', 'result 0'],
  'BATCH_FORWARD response of a seal': ['innerOp', 'appliedSeq'],
  'PRODUCER_REGISTER response': ["epoch (the run's)"],
  'STREAMER_SEAL response': ['appliedSeq'],
  'TX_STATE_GET response': ['state (COMMITTED)', 'commitTimestamp'],
  'TX_STATE_GET response for a pending transaction': ['state (PENDING)', 'commitTimestamp'],
  'TX_ROWS_GET response': ['count', 'schemaVersion', 'row', 'no such row'],
  'assignment-changed response': ['schemaVersion (latest)'],
  ...RAFT_PAYLOAD_LABELS,
  ...META_PAYLOAD_LABELS,
  'NODE_AUTHENTICATE request': ['proof'],
};

/** Whether the body of a handshake ends with an extensions map (one follows the fixed fields). */
function hasExtensions(bytes: Bytes, fixedFields: number): boolean {
  return dumpMsgPack(u8(bytes)).filter((line) => /# \S/.test(line)).length > fixedFields;
}

/** Names of the leading top-level values of a body of `kind`. */
function envelopeLabels(kind: GoldenKind, bytes: Bytes): string[] {
  const version = ['version.major', 'version.minor', 'version.patch'];
  const extensions = (fixed: number): string[] => (hasExtensions(bytes, fixed) ? ['extensions'] : []);
  switch (kind) {
    case 'value':
      return [];
    case 'request':
      return ['opCode', 'requestId'];
    case 'handshake request':
      return [...version, 'peerType', 'features', 'name', ...extensions(6)];
    case 'handshake response':
      // The fourth value is nil when accepted, else the error structure's trace id.
      return bytes[3] === 0xc0
        ? [...version, 'no error', 'features', 'nodeName', ...extensions(6)]
        : [...version, ...ERROR_FIELDS];
    case 'response': {
      // requestId and flags are small ints in the golden set: one byte each, so the flags are bytes[1].
      const flags = bytes[1] ?? 0;
      const labels = ['requestId', 'flags', 'observableTimestamp'];
      if (flags & 1) labels.push('assignmentVersion');
      if (flags & 4) labels.push(...ERROR_FIELDS);
      return labels;
    }
  }
}

/** The Markdown block for the golden body `name`. */
export function goldenBlock(name: string, kind: GoldenKind, bytes: Bytes): string {
  const labels = [...envelopeLabels(kind, bytes), ...(PAYLOAD_LABELS[name] ?? [])];
  return [`<!-- golden: ${name} -->`, '```text', ...dumpMsgPack(u8(bytes), labels), '```'].join('\n');
}

/** Rewrites every marked block of the document at `path`; returns the names it has no marker for. */
function writeBlocks(path: URL): string[] {
  let doc = readFileSync(path, 'utf8');
  const missing: string[] = [];
  for (const [name, { bytes, kind }] of goldenBodies()) {
    // The block may be empty (a new marker): the closing fence is the first line that is just ```.
    const marker = `<!-- golden: ${name} -->\n\`\`\`text\n`;
    const start = doc.indexOf(marker);
    const end = start < 0 ? -1 : doc.indexOf('\n```', start + marker.length - 1);
    if (end < 0) {
      missing.push(name);
      continue;
    }
    doc = doc.slice(0, start) + goldenBlock(name, kind, bytes) + doc.slice(end + 4);
  }
  writeFileSync(path, doc);
  return missing;
}

if (process.argv[1]?.endsWith('wire-print-golden.ts')) {
  if (process.argv.includes('--write')) {
    const missing = writeBlocks(new URL('../../../../docs/PROTOCOL.md', import.meta.url));
    for (const name of missing) process.stderr.write(`no marker in docs/PROTOCOL.md for: ${name}\n`);
    process.exitCode = missing.length === 0 ? 0 : 1;
  } else {
    for (const [name, { bytes, kind }] of goldenBodies())
      process.stdout.write(`${goldenBlock(name, kind, bytes)}\n\n`);
  }
}
