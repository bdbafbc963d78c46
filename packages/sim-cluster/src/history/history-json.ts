/**
 * One history event to one JSON line and back. Fields are written in a fixed order per event type
 * (`type`, `n`, `atMs`, then the type's fields as `history-event.ts` lists them; optional fields only when
 * present), so equal events give equal text whatever order their objects were built in. `commitTs` is a
 * decimal string; rows and details go through `json-value.ts` (bigint, bytes, dates and special numbers
 * tagged).
 *
 * Reading is a trust boundary (a dumped file, maybe edited by hand): every field is checked and a bad line
 * is rejected with its line number and the field at fault. Unknown fields are rejected too, so a round trip
 * is exact. It does not check relations between events (an ack of an item never submitted): checkers do.
 */
import { StreamerOperationTypes } from '@datastreamer/protocol';
import { HistoryError } from './history-error.js';
import {
  type HistoryEvent,
  HistoryEventTypes,
  OperationOutcomes,
  RegisterKinds,
  StreamOutcomes,
  TopologyKinds,
} from './history-event.js';
import { LineReader } from './json-line-reader.js';
import { encodeJsonValue, type JsonValue } from './json-value.js';

/**
 * `event` as one line of JSON (no newline).
 *
 * @throws HistoryError `VALUE_NOT_ENCODABLE` when a row or details hold a value JSON lines cannot keep.
 */
export function encodeEvent(event: HistoryEvent): string {
  return JSON.stringify(eventToJson(event));
}

function eventToJson(event: HistoryEvent): { [field: string]: JsonValue } {
  const { n, atMs } = event;
  switch (event.type) {
    case 'submit':
      return {
        type: event.type,
        n,
        atMs,
        client: event.client,
        stream: event.stream,
        index: event.index,
        op: event.op,
        key: event.key,
        seq: event.seq,
        ...(event.table === undefined ? {} : { table: event.table }),
        ...(event.producer === undefined ? {} : { producer: event.producer }),
      };
    case 'ack':
      return {
        type: event.type,
        n,
        atMs,
        client: event.client,
        stream: event.stream,
        partition: event.partition,
        node: event.node,
        indexes: [...event.indexes],
        ...(event.earlierRun === undefined
          ? {}
          : { earlierRun: { epoch: event.earlierRun.epoch, batchSeq: event.earlierRun.batchSeq } }),
      };
    case 'fail':
      return {
        type: event.type,
        n,
        atMs,
        client: event.client,
        stream: event.stream,
        indexes: [...event.indexes],
        code: event.code,
        ...(event.inDoubt === undefined ? {} : { inDoubt: [...event.inDoubt] }),
      };
    case 'apply':
      return {
        type: event.type,
        n,
        atMs,
        node: event.node,
        table: event.table,
        partition: event.partition,
        key: event.key,
        row: event.row === null ? null : encodeJsonValue(event.row, `event ${n} row`),
        commitTs: event.commitTs.toString(),
        ...(event.batch === undefined
          ? {}
          : {
              batch: {
                producerId: event.batch.producerId,
                epoch: event.batch.epoch,
                batchSeq: event.batch.batchSeq,
              },
            }),
      };
    case 'fault':
    case 'topology':
      return {
        type: event.type,
        n,
        atMs,
        kind: event.kind,
        details: encodeJsonValue(event.details, `event ${n} details`),
      };
    case 'settled':
      return {
        type: event.type,
        n,
        atMs,
        client: event.client,
        stream: event.stream,
        outcome: event.outcome,
        ...(event.code === undefined ? {} : { code: event.code }),
        ...(event.producerId === undefined ? {} : { producerId: event.producerId }),
        ...(event.epoch === undefined ? {} : { epoch: event.epoch }),
      };
    case 'invoke':
      return {
        type: event.type,
        n,
        atMs,
        client: event.client,
        op: event.op,
        table: event.table,
        key: event.key,
        kind: event.kind,
        ...(event.value === undefined ? {} : { value: event.value }),
      };
    case 'complete':
      return {
        type: event.type,
        n,
        atMs,
        client: event.client,
        op: event.op,
        outcome: event.outcome,
        ...(event.value === undefined ? {} : { value: event.value }),
        ...(event.deleted === undefined ? {} : { deleted: event.deleted }),
        ...(event.code === undefined ? {} : { code: event.code }),
      };
  }
}

/**
 * The event written on `line` by {@link encodeEvent}.
 *
 * @param lineNumber the line's number (from 1), for error messages.
 * @throws HistoryError `INVALID_ARGUMENT` naming the line and the field when the line is not JSON, not an
 *   object, has an unknown type or field, or a field of the wrong kind.
 */
export function decodeEvent(line: string, lineNumber: number): HistoryEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new HistoryError('INVALID_ARGUMENT', `line ${lineNumber}: not valid JSON`, { cause: err });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HistoryError('INVALID_ARGUMENT', `line ${lineNumber}: expected a JSON object`);
  }
  const r = new LineReader(parsed as Record<string, unknown>, `line ${lineNumber}`);
  const type = r.oneOf('type', HistoryEventTypes);
  const n = r.integer('n');
  const atMs = r.finite('atMs');
  switch (type) {
    case 'submit': {
      r.only(['type', 'n', 'atMs', 'client', 'stream', 'index', 'op', 'key', 'seq', 'table', 'producer']);
      const table = r.optionalString('table');
      const producer = r.optionalString('producer');
      return {
        type,
        n,
        atMs,
        client: r.string('client'),
        stream: r.integer('stream'),
        index: r.integer('index'),
        op: r.oneOf('op', StreamerOperationTypes),
        key: r.string('key'),
        seq: r.finite('seq'),
        ...(table === undefined ? {} : { table }),
        ...(producer === undefined ? {} : { producer }),
      };
    }
    case 'ack':
      r.only(['type', 'n', 'atMs', 'client', 'stream', 'partition', 'node', 'indexes', 'earlierRun']);
      return {
        type,
        n,
        atMs,
        client: r.string('client'),
        stream: r.integer('stream'),
        partition: r.integer('partition'),
        node: r.string('node'),
        indexes: r.indexes('indexes'),
        ...(r.has('earlierRun') ? { earlierRun: r.earlierRun('earlierRun') } : {}),
      };
    case 'fail':
      r.only(['type', 'n', 'atMs', 'client', 'stream', 'indexes', 'code', 'inDoubt']);
      return {
        type,
        n,
        atMs,
        client: r.string('client'),
        stream: r.integer('stream'),
        indexes: r.indexes('indexes'),
        code: r.errorCode('code'),
        ...(r.has('inDoubt') ? { inDoubt: r.indexes('inDoubt') } : {}),
      };
    case 'apply':
      r.only(['type', 'n', 'atMs', 'node', 'table', 'partition', 'key', 'row', 'commitTs', 'batch']);
      return {
        type,
        n,
        atMs,
        node: r.string('node'),
        table: r.string('table'),
        partition: r.integer('partition'),
        key: r.string('key'),
        row: r.row('row'),
        commitTs: r.bigint('commitTs'),
        ...(r.has('batch') ? { batch: r.origin('batch') } : {}),
      };
    case 'fault':
      r.only(['type', 'n', 'atMs', 'kind', 'details']);
      return { type, n, atMs, kind: r.string('kind'), details: r.record('details') };
    case 'topology':
      r.only(['type', 'n', 'atMs', 'kind', 'details']);
      return { type, n, atMs, kind: r.oneOf('kind', TopologyKinds), details: r.record('details') };
    case 'settled': {
      r.only(['type', 'n', 'atMs', 'client', 'stream', 'outcome', 'code', 'producerId', 'epoch']);
      const code = r.has('code') ? r.errorCode('code') : undefined;
      return {
        type,
        n,
        atMs,
        client: r.string('client'),
        stream: r.integer('stream'),
        outcome: r.oneOf('outcome', StreamOutcomes),
        ...(code === undefined ? {} : { code }),
        ...(r.has('producerId') ? { producerId: r.string('producerId') } : {}),
        ...(r.has('epoch') ? { epoch: r.integer('epoch') } : {}),
      };
    }
    case 'invoke':
      r.only(['type', 'n', 'atMs', 'client', 'op', 'table', 'key', 'kind', 'value']);
      return {
        type,
        n,
        atMs,
        client: r.string('client'),
        op: r.integer('op'),
        table: r.string('table'),
        key: r.string('key'),
        kind: r.oneOf('kind', RegisterKinds),
        ...(r.has('value') ? { value: r.string('value') } : {}),
      };
    case 'complete': {
      r.only(['type', 'n', 'atMs', 'client', 'op', 'outcome', 'value', 'deleted', 'code']);
      const value = r.has('value') ? r.stringOrNull('value') : undefined;
      return {
        type,
        n,
        atMs,
        client: r.string('client'),
        op: r.integer('op'),
        outcome: r.oneOf('outcome', OperationOutcomes),
        ...(value === undefined ? {} : { value }),
        ...(r.has('deleted') ? { deleted: r.boolean('deleted') } : {}),
        ...(r.has('code') ? { code: r.errorCode('code') } : {}),
      };
    }
  }
}
