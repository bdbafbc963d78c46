/**
 * Golden messages of the metastorage ops (META_PROPOSE, META_WATCH): typed requests and responses with their
 * exact body bytes from the independent builder, and the names of their payload values for docs/PROTOCOL.md.
 * wire-golden.ts adds them to the table of every op.
 */
import { bin, bool, cat, int, nil, str } from './wire-builder.js';
import { type GoldenRequest, type GoldenResponse, ok, okResponse } from './wire-golden-envelope.js';

const COMMAND = Uint8Array.of(0x93, 0xa1, 0x61, 0x90, 0x90);
const SCHEMA = Uint8Array.of(0x01, 0x02);

export const GOLDEN_META_REQUESTS: readonly GoldenRequest[] = [
  {
    name: 'META_PROPOSE request',
    request: { op: 'META_PROPOSE', requestId: 41, command: COMMAND },
    bytes: cat(int(250), int(41), bin(COMMAND)),
  },
  {
    name: 'META_WATCH request',
    request: { op: 'META_WATCH', requestId: 42, prefix: 'catalog/', fromRevision: 17, waitMs: 1000 },
    bytes: cat(int(251), int(42), str('catalog/'), int(17), int(1000)),
  },
];

export const GOLDEN_META_RESPONSES: readonly GoldenResponse[] = [
  {
    name: 'META_PROPOSE response',
    op: 'META_PROPOSE',
    response: okResponse('META_PROPOSE', 41, { succeeded: true, revision: 18 }),
    bytes: ok(41, bool(true), int(18)),
  },
  {
    name: 'META_WATCH response',
    op: 'META_WATCH',
    response: okResponse('META_WATCH', 42, {
      revision: 19,
      reset: false,
      events: [
        { revision: 18, key: 'catalog/table/3/1', value: SCHEMA },
        { revision: 19, key: 'catalog/name/old', value: null },
      ],
    }),
    bytes: ok(
      42,
      int(19),
      bool(false),
      int(2),
      int(18),
      str('catalog/table/3/1'),
      bin(SCHEMA),
      int(19),
      str('catalog/name/old'),
      nil(),
    ),
  },
];

/** Names of the payload values of the metastorage golden messages, for the document's annotated examples. */
export const META_PAYLOAD_LABELS: Readonly<Record<string, readonly string[]>> = {
  'META_PROPOSE request': ['command'],
  'META_WATCH request': ['prefix', 'fromRevision', 'waitMs'],
  'META_PROPOSE response': ['succeeded', 'revision'],
  'META_WATCH response': [
    'revision',
    'reset',
    'events: count',
    'event 0 revision',
    'event 0 key',
    'event 0 value',
    'event 1 revision',
    'event 1 key',
    'event 1 value (deleted)',
  ],
};
