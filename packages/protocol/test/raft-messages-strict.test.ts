import { describe, expect, it } from 'vitest';
import { decodeRequest, decodeResponse } from '../src/index.js';
import { writeRequest } from '../src/internal.js';
import { MessageDecodeError } from '../src/messages/message-decode-error.js';
import type { RaftEntry } from '../src/messages/raft-entry.js';
import { readRaftEntry, writeRaftEntry } from '../src/messages/raft-entry.js';
import { MsgPackReader } from '../src/msgpack/msgpack-reader.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import { caught } from './support/caught.js';
import * as w from './support/wire-builder.js';

const vote = (term: number[]): number[] =>
  w.cat(w.int(230), w.int(1), w.str('g'), w.str('n1'), term, w.int(3), w.int(1), w.bool(false));

describe('Raft messages', () => {
  it('rejects a negative term on decode, naming the field', () => {
    const error = caught(() => decodeRequest(w.u8(vote(w.int(-1)))));
    expect(error).toBeInstanceOf(MessageDecodeError);
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).toContain('term: -1');
  });

  it('decodes the same vote with a non-negative term', () => {
    const request = decodeRequest(w.u8(vote(w.int(7))));
    expect(request).toMatchObject({ op: 'RAFT_VOTE', term: 7, lastLogIndex: 3, lastLogTerm: 1 });
  });

  it('refuses to write a negative or fractional index, and leaves the writer where it was', () => {
    const writer = new MsgPackWriter();
    writer.writeNil();
    for (const prevLogIndex of [-1, 1.5]) {
      const error = caught(() =>
        writeRequest(writer, {
          op: 'RAFT_APPEND',
          requestId: 1,
          group: 'g',
          from: 'n1',
          term: 1,
          leaderTime: 0,
          prevLogIndex,
          prevLogTerm: 0,
          leaderCommit: 0,
          entries: [],
        }),
      );
      expect(error.code).toBe('INVALID_ARGUMENT');
      expect(error.message).toContain('prevLogIndex');
      expect(writer.length).toBe(1);
    }
  });

  it('rejects an entry of an unknown kind', () => {
    const error = caught(() => readRaftEntry(new MsgPackReader(w.u8(w.cat(w.int(1), w.int(9))))));
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).toContain('unknown Raft entry kind 9');
  });

  it('rejects an append whose entry count exceeds the bytes left', () => {
    const bytes = w.cat(
      w.int(231),
      w.int(1),
      w.str('g'),
      w.str('n1'),
      w.int(1),
      w.int(0),
      w.int(0),
      w.int(0),
      w.int(0),
      w.int(1000),
      w.int(1),
      w.int(1),
    );
    const error = caught(() => decodeRequest(w.u8(bytes)));
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).toContain('entries');
  });

  it('round-trips every entry kind through the entry codec alone (as the disk stores them)', () => {
    const entries: RaftEntry[] = [
      { kind: 'noop', term: 1 },
      { kind: 'command', term: 2, command: Uint8Array.of(1, 2) },
      { kind: 'config', term: 3, config: { voters: ['a', 'b'], learners: ['c'] } },
      { kind: 'lease', term: 4, lease: { holder: 'a', startMs: 10, expiresAtMs: 20 } },
    ];
    const writer = new MsgPackWriter();
    for (const entry of entries) writeRaftEntry(writer, entry);
    const reader = new MsgPackReader(writer.toBytes());
    expect(entries.map(() => readRaftEntry(reader))).toEqual(entries);
    reader.expectEnd('entries');
  });

  it('reads a vote result whose preVote flag is missing as a protocol error', () => {
    const bytes = w.cat(w.int(1), w.int(0), w.int(0), w.int(3), w.bool(true));
    const error = caught(() => decodeResponse(w.u8(bytes), () => 'RAFT_VOTE'));
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).toContain('preVote');
  });
});
