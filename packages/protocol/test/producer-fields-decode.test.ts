import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { MessageDecodeError } from '../src/messages/message-decode-error.js';
import type { Request } from '../src/messages/message-types.js';
import { checkProducerId } from '../src/messages/producer-messages.js';
import { decodeRequest, writeRequest } from '../src/messages/request-codec.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import * as w from './support/wire-builder.js';

/** A STREAMER_BATCH_SEND body with one empty-key row and the given producer-field bytes. */
function batchWith(...producer: w.Bytes[]): Uint8Array {
  const row = w.cat(w.bitmask(), w.bin([0x00, 0x01, 0x21]));
  return w.u8(
    w.cat(
      w.int(62),
      w.int(1),
      w.int(7),
      w.int(0),
      w.nil(),
      w.int(1),
      w.int(1),
      row,
      w.str('n'),
      w.int(1),
      ...producer,
    ),
  );
}

function decodeMessage(bytes: Uint8Array): string {
  try {
    decodeRequest(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(MessageDecodeError);
    return (error as Error).message;
  }
  return 'decoded';
}

function writeFailure(request: Request): ProtocolError {
  try {
    writeRequest(new MsgPackWriter(), request);
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('producer fields', () => {
  it('decodes a batch with all three fields, or with none', () => {
    const fenced = decodeRequest(batchWith(w.str('p'), w.int(2), w.int(9)));
    expect(fenced.op === 'STREAMER_BATCH_SEND' && fenced.producer).toEqual({
      producerId: 'p',
      epoch: 2,
      batchSeq: 9,
    });
    const unfenced = decodeRequest(batchWith(w.nil(), w.nil(), w.nil()));
    expect(unfenced.op === 'STREAMER_BATCH_SEND' && unfenced.producer).toBeNull();
  });

  it('refuses a batch that sets only some of the fields', () => {
    expect(decodeMessage(batchWith(w.str('p'), w.nil(), w.int(9)))).toContain(
      'producerId, epoch and batchSeq must be all nil or all set',
    );
    expect(decodeMessage(batchWith(w.nil(), w.int(2), w.nil()))).toContain('must be all nil or all set');
  });

  it('refuses an empty producer id, and epochs or sequences below 1', () => {
    expect(decodeMessage(batchWith(w.str(''), w.int(2), w.int(9)))).toContain(
      'expected 1..256 characters, got 0',
    );
    expect(decodeMessage(batchWith(w.str('p'), w.int(0), w.int(9)))).toContain(
      'epoch: expected an integer >= 1',
    );
    expect(decodeMessage(batchWith(w.str('p'), w.int(1), w.int(0)))).toContain(
      'batchSeq: expected an integer >= 1',
    );
  });

  it('refuses a producer id over 256 characters on both sides', () => {
    expect(decodeMessage(batchWith(w.str('x'.repeat(257)), w.int(1), w.int(1)))).toContain(
      'expected 1..256 characters, got 257',
    );
    expect(() => checkProducerId('x'.repeat(257))).toThrow(
      /producerId: expected a string of 1..256 characters/,
    );
    expect(() => checkProducerId(42)).toThrow(/got number/);
    expect(checkProducerId('x'.repeat(256))).toHaveLength(256);
  });

  it('refuses to write a batch or seal whose epoch or sequence is not a positive integer', () => {
    const base = {
      op: 'STREAMER_BATCH_SEND',
      requestId: 1,
      tableId: 1,
      partitionId: 0,
      deleted: null,
      schemaVersion: 1,
      rows: [],
      targetNode: 'n',
      assignmentVersion: 1,
    } as const;
    expect(writeFailure({ ...base, producer: { producerId: 'p', epoch: 0, batchSeq: 1 } }).message).toContain(
      'epoch: expected a safe integer >= 1, got 0',
    );
    expect(
      writeFailure({ ...base, producer: { producerId: 'p', epoch: 1, batchSeq: 1.5 } }).message,
    ).toContain('batchSeq: expected a safe integer >= 1, got 1.5');
    const seal = {
      op: 'STREAMER_SEAL',
      requestId: 2,
      tableId: 1,
      partitionId: 0,
      targetNode: 'n',
      assignmentVersion: 1,
      producerId: '',
      epoch: 1,
    } as const;
    expect(writeFailure(seal).message).toContain('producerId: expected a string of 1..256 characters');
  });
});
