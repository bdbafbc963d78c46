// fast-check generators of history events for the history tests: every event type, rows holding every
// value kind a decoded row can hold (and the awkward ones: NaN, -0, invalid dates, fields named `$...` or
// `__proto__`), numbered 0, 1, 2, ... with times that never go back.

import { type ErrorCode, ErrorCodes } from '@datastreamer/protocol';
import fc from 'fast-check';
import type { HistoryEvent } from '../src/history/history-event.js';

const fieldName = fc.oneof(
  fc.string({ maxLength: 6 }),
  // Not `constructor`: vitest's strict equality reads it as the object's class (a unit test covers it).
  fc.constantFrom('$bigint', '$bytes', '$', '$$x', '__proto__', 'id'),
);

const leaf: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.double(),
  fc.integer(),
  fc.bigInt(),
  fc.string({ maxLength: 8 }),
  fc.uint8Array({ maxLength: 6 }),
  fc.date({ noInvalidDate: false }),
);

/** Any value a row or a fault's details may hold. */
export const valueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fieldName, tie('value'), { maxKeys: 3, noNullPrototype: true }),
  ),
})).value;

/** A plain object: a row, or a fault's details. */
export const recordArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(fieldName, valueArb, {
  maxKeys: 4,
  noNullPrototype: true,
});

const name = fc.constantFrom('client-1', 'client-2', 'node-1', 'node-2', 'T', 'x"y', '');
const int = fc.nat({ max: 1000 });
const indexes = fc.array(int, { maxLength: 5 });
const code = fc.constantFrom(...(Object.keys(ErrorCodes) as ErrorCode[]));

type Body = HistoryEvent extends infer E ? (E extends HistoryEvent ? Omit<E, 'n' | 'atMs'> : never) : never;

const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  fc.record(
    {
      type: fc.constant('submit' as const),
      client: name,
      stream: int,
      index: int,
      op: fc.constantFrom('PUT' as const, 'REMOVE' as const),
      key: fc.string({ maxLength: 8 }),
      // Never -0: JSON has no -0 number, and recordSubmit stores a -0 sequence as 0.
      seq: fc.double({ noNaN: true, noDefaultInfinity: true }).map((seq) => seq + 0),
      table: name,
      producer: name,
    },
    { requiredKeys: ['type', 'client', 'stream', 'index', 'op', 'key', 'seq'] },
  ),
  fc.record(
    {
      type: fc.constant('ack' as const),
      client: name,
      stream: int,
      partition: int,
      node: name,
      indexes,
      earlierRun: fc.record({ epoch: int, batchSeq: int }).map((run) => ({ ...run })),
    },
    { requiredKeys: ['type', 'client', 'stream', 'partition', 'node', 'indexes'] },
  ),
  fc.record({ type: fc.constant('fail' as const), client: name, stream: int, indexes, code }),
  fc.record({
    type: fc.constant('apply' as const),
    node: name,
    table: name,
    partition: int,
    key: fc.string({ maxLength: 8 }),
    row: fc.option(recordArb, { nil: null }),
    commitTs: fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  }),
  fc.record({ type: fc.constant('fault' as const), kind: fc.string({ maxLength: 8 }), details: recordArb }),
  fc.record({
    type: fc.constant('topology' as const),
    kind: fc.constantFrom(
      'join' as const,
      'leave' as const,
      'crash' as const,
      'heal' as const,
      'move' as const,
      'destroy' as const,
      'election' as const,
      'lease' as const,
    ),
    details: recordArb,
  }),
  fc.record(
    {
      type: fc.constant('settled' as const),
      client: name,
      stream: int,
      outcome: fc.constantFrom('resolved' as const, 'rejected' as const),
      code,
    },
    { requiredKeys: ['type', 'client', 'stream', 'outcome'] },
  ),
  fc.record(
    {
      type: fc.constant('invoke' as const),
      client: name,
      op: int,
      table: name,
      key: fc.string({ maxLength: 8 }),
      kind: fc.constantFrom('get' as const, 'upsert' as const, 'delete' as const),
      value: fc.string({ maxLength: 8 }),
    },
    { requiredKeys: ['type', 'client', 'op', 'table', 'key', 'kind'] },
  ),
  fc.record(
    {
      type: fc.constant('complete' as const),
      client: name,
      op: int,
      outcome: fc.constantFrom('ok' as const, 'unknown' as const),
      value: fc.option(fc.string({ maxLength: 8 }), { nil: null }),
      deleted: fc.boolean(),
      code,
    },
    { requiredKeys: ['type', 'client', 'op', 'outcome'] },
  ),
);

/** A well-formed sequence of events: `n` from 0, `atMs` never going back (fractions included). */
export const eventsArb: fc.Arbitrary<HistoryEvent[]> = fc
  .array(fc.tuple(bodyArb, fc.oneof(fc.constant(0), fc.double({ min: 0, max: 50, noNaN: true }))), {
    maxLength: 12,
  })
  .map((pairs) => {
    let atMs = 0;
    return pairs.map(([body, step], n) => {
      atMs += step;
      return { ...body, n, atMs } as HistoryEvent;
    });
  });
