/**
 * Golden messages of the Raft ops (RAFT_VOTE, RAFT_APPEND, RAFT_SNAPSHOT): typed requests and responses with
 * their exact body bytes from the independent builder, and the names of their payload values for
 * docs/PROTOCOL.md. wire-golden.ts adds them to the table of every op.
 */
import { bool, cat, int, nil, str } from './wire-builder.js';
import { type GoldenRequest, type GoldenResponse, ok, okResponse } from './wire-golden-envelope.js';

const GROUP = '7:3';
/** Milliseconds on the cluster clock (over 2^32, so a uint64 on the wire). */
const LEADER_TIME = 1_700_000_000_250;
const LEASE = { holder: 'node-1', startMs: 1_700_000_000_000, expiresAtMs: 1_700_000_002_000 };
const LEASE_BYTES = cat(str('node-1'), int(1_700_000_000_000), int(1_700_000_002_000));
const COMMAND = Uint8Array.of(0x01, 0x02, 0x03);
const CONFIG = { voters: ['node-1', 'node-2', 'node-3'], learners: ['node-4'] };
const CONFIG_BYTES = cat(int(3), str('node-1'), str('node-2'), str('node-3'), int(1), str('node-4'));

export const GOLDEN_RAFT_REQUESTS: readonly GoldenRequest[] = [
  {
    name: 'RAFT_VOTE request',
    request: {
      op: 'RAFT_VOTE',
      requestId: 25,
      group: GROUP,
      from: 'node-2',
      term: 5,
      lastLogIndex: 42,
      lastLogTerm: 4,
      preVote: false,
    },
    bytes: cat(int(230), int(25), str(GROUP), str('node-2'), int(5), int(42), int(4), bool(false)),
  },
  {
    name: 'RAFT_APPEND request',
    request: {
      op: 'RAFT_APPEND',
      requestId: 26,
      group: GROUP,
      from: 'node-1',
      term: 5,
      leaderTime: LEADER_TIME,
      prevLogIndex: 41,
      prevLogTerm: 4,
      leaderCommit: 40,
      entries: [
        { kind: 'noop', term: 5 },
        { kind: 'command', term: 5, command: COMMAND },
        { kind: 'config', term: 5, config: CONFIG },
        { kind: 'lease', term: 5, lease: LEASE },
      ],
    },
    bytes: cat(
      int(231),
      int(26),
      str(GROUP),
      str('node-1'),
      int(5),
      int(LEADER_TIME),
      int(41),
      int(4),
      int(40),
      int(4),
      cat(int(5), int(1)),
      cat(int(5), int(0), [0xc4, 3, 1, 2, 3]),
      cat(int(5), int(2), CONFIG_BYTES),
      cat(int(5), int(3), LEASE_BYTES),
    ),
  },
  {
    name: 'RAFT_APPEND heartbeat request',
    request: {
      op: 'RAFT_APPEND',
      requestId: 27,
      group: GROUP,
      from: 'node-1',
      term: 5,
      leaderTime: LEADER_TIME,
      prevLogIndex: 45,
      prevLogTerm: 5,
      leaderCommit: 45,
      entries: [],
    },
    bytes: cat(
      int(231),
      int(27),
      str(GROUP),
      str('node-1'),
      int(5),
      int(LEADER_TIME),
      int(45),
      int(5),
      int(45),
      int(0),
    ),
  },
  {
    name: 'RAFT_SNAPSHOT request',
    request: {
      op: 'RAFT_SNAPSHOT',
      requestId: 28,
      group: GROUP,
      from: 'node-1',
      term: 5,
      leaderTime: LEADER_TIME,
      meta: { index: 40, term: 4, config: CONFIG, lease: LEASE },
      offset: 0,
      data: Uint8Array.of(9, 8, 7, 6),
      done: false,
    },
    bytes: cat(
      int(232),
      int(28),
      str(GROUP),
      str('node-1'),
      int(5),
      int(LEADER_TIME),
      int(40),
      int(4),
      CONFIG_BYTES,
      LEASE_BYTES,
      int(0),
      [0xc4, 4, 9, 8, 7, 6],
      bool(false),
    ),
  },
  {
    name: 'RAFT_SNAPSHOT request for the last chunk, without a lease',
    request: {
      op: 'RAFT_SNAPSHOT',
      requestId: 29,
      group: GROUP,
      from: 'node-1',
      term: 5,
      leaderTime: LEADER_TIME,
      meta: { index: 40, term: 4, config: { voters: ['node-1'], learners: [] }, lease: null },
      offset: 65_536,
      data: Uint8Array.of(5),
      done: true,
    },
    bytes: cat(
      int(232),
      int(29),
      str(GROUP),
      str('node-1'),
      int(5),
      int(LEADER_TIME),
      int(40),
      int(4),
      int(1),
      str('node-1'),
      int(0),
      nil(),
      int(65_536),
      [0xc4, 1, 5],
      bool(true),
    ),
  },
];

export const GOLDEN_RAFT_RESPONSES: readonly GoldenResponse[] = [
  {
    name: 'RAFT_VOTE response',
    op: 'RAFT_VOTE',
    response: okResponse('RAFT_VOTE', 25, { term: 5, granted: true, preVote: false }),
    bytes: ok(25, int(5), bool(true), bool(false)),
  },
  {
    name: 'RAFT_APPEND response',
    op: 'RAFT_APPEND',
    response: okResponse('RAFT_APPEND', 26, {
      term: 5,
      success: true,
      index: 45,
      leaderTime: LEADER_TIME,
    }),
    bytes: ok(26, int(5), bool(true), int(45), int(LEADER_TIME)),
  },
  {
    name: 'RAFT_APPEND response refusing',
    op: 'RAFT_APPEND',
    response: okResponse('RAFT_APPEND', 26, {
      term: 5,
      success: false,
      index: 30,
      leaderTime: LEADER_TIME,
    }),
    bytes: ok(26, int(5), bool(false), int(30), int(LEADER_TIME)),
  },
  {
    name: 'RAFT_SNAPSHOT response',
    op: 'RAFT_SNAPSHOT',
    response: okResponse('RAFT_SNAPSHOT', 28, {
      term: 5,
      snapshotIndex: 40,
      nextOffset: 4,
      done: false,
      leaderTime: LEADER_TIME,
    }),
    bytes: ok(28, int(5), int(40), int(4), bool(false), int(LEADER_TIME)),
  },
];

const ENVELOPE = ['group', 'from', 'term'];
const CONFIG_LABELS = ['voters: count', 'voter', 'voter', 'voter', 'learners: count', 'learner'];
const LEASE_LABELS = ['lease.holder', 'lease.startMs', 'lease.expiresAtMs'];

/** Names of the payload values of the Raft golden messages, for the document's annotated examples. */
export const RAFT_PAYLOAD_LABELS: Readonly<Record<string, readonly string[]>> = {
  'RAFT_VOTE request': [...ENVELOPE, 'lastLogIndex', 'lastLogTerm', 'preVote'],
  'RAFT_APPEND request': [
    ...ENVELOPE,
    'leaderTime',
    'prevLogIndex',
    'prevLogTerm',
    'leaderCommit',
    'entries: count',
    'entry 0 term',
    'entry 0 kind (noop)',
    'entry 1 term',
    'entry 1 kind (command)',
    'entry 1 command',
    'entry 2 term',
    'entry 2 kind (config)',
    ...CONFIG_LABELS,
    'entry 3 term',
    'entry 3 kind (lease)',
    ...LEASE_LABELS,
  ],
  'RAFT_APPEND heartbeat request': [
    ...ENVELOPE,
    'leaderTime',
    'prevLogIndex',
    'prevLogTerm',
    'leaderCommit',
    'entries: count',
  ],
  'RAFT_SNAPSHOT request': [
    ...ENVELOPE,
    'leaderTime',
    'meta.index',
    'meta.term',
    ...CONFIG_LABELS,
    ...LEASE_LABELS,
    'offset',
    'data',
    'done',
  ],
  'RAFT_SNAPSHOT request for the last chunk, without a lease': [
    ...ENVELOPE,
    'leaderTime',
    'meta.index',
    'meta.term',
    'voters: count',
    'voter',
    'learners: count',
    'lease (none)',
    'offset',
    'data',
    'done',
  ],
  'RAFT_VOTE response': ['term', 'granted', 'preVote'],
  'RAFT_APPEND response': ['term', 'success', 'index (matched)', 'leaderTime'],
  'RAFT_APPEND response refusing': ['term', 'success', 'index (resume from)', 'leaderTime'],
  'RAFT_SNAPSHOT response': ['term', 'snapshotIndex', 'nextOffset', 'done', 'leaderTime'],
};
