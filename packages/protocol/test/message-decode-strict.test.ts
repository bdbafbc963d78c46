import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { MessageDecodeError } from '../src/messages/message-decode-error.js';
import type { Request } from '../src/messages/message-types.js';
import {
  decodeRequest,
  encodeRequestFrame,
  writeRequest,
  writeRequestFrame,
} from '../src/messages/request-codec.js';
import { decodeResponse } from '../src/messages/response-codec.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import * as w from './support/wire-builder.js';
import { GOLDEN_REQUESTS, GOLDEN_RESPONSES, HLC, ROW } from './support/wire-golden.js';

function decodeFailure(run: () => unknown): MessageDecodeError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(MessageDecodeError);
    expect((error as MessageDecodeError).code).toBe('PROTOCOL_ERROR');
    return error as MessageDecodeError;
  }
  throw new Error('expected a MessageDecodeError');
}

function encodeFailure(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

const HEARTBEAT = w.u8(w.cat(w.int(1), w.int(99)));

describe('request decoding', () => {
  it('rejects every truncation of every golden request, naming the request id once it is read', () => {
    for (const golden of GOLDEN_REQUESTS) {
      const bytes = golden.bytes;
      const headerLength = w.int(golden.request.requestId).length + 1 + (bytes[0] === 0xcc ? 1 : 0);
      for (let cut = 0; cut < bytes.length; cut++) {
        const error = decodeFailure(() => decodeRequest(w.u8(bytes.slice(0, cut))));
        if (cut >= headerLength) {
          expect(error.requestId, `${golden.name} cut at ${cut}`).toBe(golden.request.requestId);
          expect(error.message.startsWith(`${golden.request.op} request ${golden.request.requestId}: `)).toBe(
            true,
          );
        } else {
          expect(error.requestId).toBeUndefined();
        }
      }
    }
  });

  it('rejects trailing bytes after every golden request', () => {
    for (const golden of GOLDEN_REQUESTS) {
      const error = decodeFailure(() => decodeRequest(w.u8([...golden.bytes, 0xc0])));
      expect(error.message).toMatch(/1 trailing byte\(s\)/);
      expect(error.requestId).toBe(golden.request.requestId);
    }
  });

  it('rejects an unknown op code with its own message, after reading the request id', () => {
    const error = decodeFailure(() => decodeRequest(w.u8(w.cat(w.int(99), w.int(41), w.str('whatever')))));
    expect(error.unknownOp).toBe(true);
    expect(error.opCode).toBe(99);
    expect(error.requestId).toBe(41);
    expect(error.message).toBe('unknown op code 99 (request 41)');
  });

  it('names the field, the expected type and what was found for a wrong type', () => {
    const error = decodeFailure(() => decodeRequest(w.u8(w.cat(w.int(4), w.int(3), w.int(5)))));
    expect(error.message).toBe('TABLE_GET request 3: name: expected str, found int (0x05) at offset 2');
    expect(error.opCode).toBe(4);
    expect(error.cause).toBeInstanceOf(ProtocolError);
  });

  it('rejects a header that is not an int op code and a long request id', () => {
    expect(decodeFailure(() => decodeRequest(w.u8(w.str('x')))).message).toMatch(
      /^request header: opCode: expected int/,
    );
    const noId = decodeFailure(() => decodeRequest(w.u8(w.cat(w.int(1), w.str('x')))));
    expect(noId.opCode).toBe(1);
    expect(noId.requestId).toBeUndefined();
    const unsafeId = decodeFailure(() => decodeRequest(w.u8(w.cat(w.int(1), w.int(2n ** 60n)))));
    expect(unsafeId.message).toMatch(/requestId: int at offset 1 is outside the safe integer range/);
  });

  it('rejects a deleted bit set that marks a row past the end of the batch', () => {
    const bytes = w.cat(w.int(62), w.int(5), w.int(7), w.int(3), w.bitmask(1), w.int(1), w.int(1));
    const body = w.cat(bytes, w.bitmask(), w.bin([...ROW]), w.str('node-1'), w.int(1));
    expect(decodeFailure(() => decodeRequest(w.u8(body))).message).toBe(
      'STREAMER_BATCH_SEND request 5: deleted: BITMASK at offset 4 marks row 1 but the batch has 1 row(s)',
    );
  });

  it('rejects a row count larger than the bytes could hold, before reading rows', () => {
    const body = w.cat(w.int(62), w.int(5), w.int(7), w.int(3), w.nil(), w.int(1), w.int(1_000_000));
    expect(decodeFailure(() => decodeRequest(w.u8(body))).message).toMatch(
      /rows: count at offset 6 declares 1000000/,
    );
  });

  it('rejects unknown column types and key indexes that point past the columns', () => {
    const badType = w.cat(
      w.int(201),
      w.int(1),
      w.str('T'),
      w.str('c'),
      w.int(14),
      w.bool(true),
      w.nil(),
      w.nil(),
      w.nil(),
    );
    expect(decodeFailure(() => decodeRequest(w.u8(badType))).message).toMatch(/unknown column type id 14/);
    const schema = (keyIndex: number) =>
      w.cat(
        w.cat(w.int(1), w.int(0), w.int(HLC)),
        w.cat(w.int(7), w.str('T'), w.int(1), w.int(1)),
        w.cat(w.int(1), w.str('c'), w.int(4), w.bool(false), w.nil(), w.nil(), w.nil()),
        w.cat(w.int(1), w.int(keyIndex), w.int(1), w.int(0)),
      );
    expect(decodeResponse(w.u8(schema(0)), () => 'TABLE_CREATE').kind).toBe('ok');
    expect(decodeFailure(() => decodeResponse(w.u8(schema(1)), () => 'TABLE_CREATE')).message).toMatch(
      /schema.keyColumns: column index 1 at offset \d+ is not one of the 1 columns/,
    );
  });

  it('rejects a forwarded batch whose inner op cannot be forwarded', () => {
    const body = w.cat(w.int(210), w.int(8), w.int(0), w.str('node-1'), w.int(12));
    expect(decodeFailure(() => decodeRequest(w.u8(body))).message).toMatch(
      /innerOp: op 12 at offset \d+ cannot be forwarded/,
    );
  });

  it('keeps decoding normally after any failure', () => {
    decodeFailure(() => decodeRequest(w.u8([0xc1])));
    decodeFailure(() => decodeRequest(w.u8(w.cat(w.int(99), w.int(1)))));
    expect(decodeRequest(HEARTBEAT)).toEqual({ op: 'HEARTBEAT', requestId: 99 });
  });
});

describe('response decoding', () => {
  it('rejects every truncation of every golden response, with the request id once it is read', () => {
    for (const golden of GOLDEN_RESPONSES) {
      const bytes = golden.bytes;
      const idLength = w.int(golden.response.requestId).length;
      for (let cut = 0; cut < bytes.length; cut++) {
        if (cut === golden.optionalTailAt) {
          // The old shape, whole: it decodes, without the optional field.
          const decoded = decodeResponse(w.u8(bytes.slice(0, cut)), () => golden.op);
          expect(decoded.kind === 'ok' && 'nodes' in (decoded.result as object)).toBe(false);
          continue;
        }
        const error = decodeFailure(() => decodeResponse(w.u8(bytes.slice(0, cut)), () => golden.op));
        expect(error.requestId, `${golden.name} cut at ${cut}`).toBe(
          cut >= idLength ? golden.response.requestId : undefined,
        );
      }
    }
  });

  it('rejects a member list after the owners that is not a list of name and endpoint strings', () => {
    const owners = w.cat(w.int(5), w.int(1), w.str('node-1'));
    const nilCount = decodeFailure(() =>
      decodeResponse(
        w.u8(w.cat(w.int(5), w.int(0), w.int(0), owners, w.nil())),
        () => 'PARTITION_ASSIGNMENT_GET',
      ),
    );
    expect(nilCount.message).toMatch(/nodes: expected/);
    const noEndpoint = decodeFailure(() =>
      decodeResponse(
        w.u8(w.cat(w.int(5), w.int(0), w.int(0), owners, w.int(1), w.str('node-1'), w.int(7))),
        () => 'PARTITION_ASSIGNMENT_GET',
      ),
    );
    expect(noEndpoint.message).toMatch(/nodes\.endpoint: expected str/);
  });

  it('rejects flags this protocol does not use', () => {
    for (const flags of [2, 8, 16, 6]) {
      const error = decodeFailure(() =>
        decodeResponse(w.u8(w.cat(w.int(1), w.int(flags), w.int(0))), () => 'HEARTBEAT'),
      );
      expect(error.message).toMatch(/unsupported response flags/);
      expect(error.requestId).toBe(1);
    }
  });

  it('rejects a successful response to a request nobody is waiting for', () => {
    const error = decodeFailure(() =>
      decodeResponse(w.u8(w.cat(w.int(77), w.int(0), w.int(0))), () => undefined),
    );
    expect(error.message).toBe('response 77: no pending request has id 77');
    expect(error.requestId).toBe(77);
  });

  it('turns an unknown error code id into INTERNAL with the id in the message', () => {
    const body = w.cat(
      w.int(3),
      w.int(4),
      w.int(0),
      w.uuid('00000000-0000-0000-0000-000000000001'),
      w.int(999),
      w.str('SomeError'),
      w.nil(),
      w.nil(),
      w.nil(),
    );
    const response = decodeResponse(w.u8(body), () => undefined);
    expect(response.kind).toBe('error');
    if (response.kind !== 'error') return;
    expect(response.error.code).toBe('INTERNAL');
    expect(response.error.message).toBe('unknown error code 999: ');
    expect(response.className).toBe('SomeError');
  });

  it('rejects error extensions that are not scalars, and duplicate extension keys', () => {
    const prefix = w.cat(
      w.int(3),
      w.int(4),
      w.int(0),
      w.uuid('00000000-0000-0000-0000-000000000001'),
      w.int(1),
      w.str('E'),
      w.nil(),
      w.nil(),
    );
    const nested = w.cat(prefix, w.map(1), w.str('k'), w.arr(0));
    expect(decodeFailure(() => decodeResponse(w.u8(nested), () => undefined)).message).toMatch(
      /error.extensions.k: expected nil, bool, int, float or str/,
    );
    const duplicate = w.cat(prefix, w.map(2), w.str('k'), w.int(1), w.str('k'), w.int(2));
    expect(decodeFailure(() => decodeResponse(w.u8(duplicate), () => undefined)).message).toMatch(
      /duplicate key "k"/,
    );
  });

  it('decodes a __proto__ extension key as an own property', () => {
    const prefix = w.cat(
      w.int(3),
      w.int(4),
      w.int(0),
      w.uuid('00000000-0000-0000-0000-000000000001'),
      w.int(1),
      w.str('E'),
      w.nil(),
      w.nil(),
    );
    const response = decodeResponse(
      w.u8(w.cat(prefix, w.map(1), w.str('__proto__'), w.str('x'))),
      () => undefined,
    );
    if (response.kind !== 'error') throw new Error('expected an error response');
    expect(Object.getPrototypeOf(response.error.extensions)).toBe(Object.prototype);
    expect(Object.hasOwn(response.error.extensions, '__proto__')).toBe(true);
  });

  it('rejects an unknown transaction state', () => {
    const body = w.cat(w.int(1), w.int(0), w.int(0), w.int(9), w.nil());
    expect(decodeFailure(() => decodeResponse(w.u8(body), () => 'TX_STATE_GET')).message).toMatch(
      /unknown transaction state 9/,
    );
  });
});

describe('request encoding', () => {
  const writer = new MsgPackWriter();

  it('refuses an int field outside int32, naming it, and leaves the writer as it was', () => {
    writer.reset();
    writer.writeInt(5);
    const request: Request = {
      op: 'TUPLE_GET',
      requestId: 1,
      tableId: 2 ** 31,
      schemaVersion: 1,
      partition: 0,
      key: ROW,
    };
    const error = encodeFailure(() => writeRequest(writer, request));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('tableId: expected an int32, got 2147483648');
    expect(w.hex(writer.view())).toBe('05');
  });

  it('refuses a receiver payload the value codec cannot carry, naming the payload', () => {
    writer.reset();
    const request: Request = {
      op: 'STREAMER_WITH_RECEIVER_BATCH_SEND',
      requestId: 1,
      tableId: 1,
      partitionId: 0,
      targetNode: 'node-1',
      assignmentVersion: 1,
      receiver: 'R',
      receiveResults: false,
      arg: undefined,
      payloads: [{ ok: 1 }, { tags: new Set() }],
    };
    const error = encodeFailure(() => writeRequestFrame(writer, request));
    expect(error.code).toBe('VALUE_NOT_ENCODABLE');
    expect(error.message).toBe('payload[1].tags: Set is not encodable');
    expect(writer.length).toBe(0);
  });

  it('sends an absent receiver argument as nil, which arrives as null', () => {
    const request: Request = {
      op: 'STREAMER_WITH_RECEIVER_BATCH_SEND',
      requestId: 1,
      tableId: 1,
      partitionId: 0,
      targetNode: 'n',
      assignmentVersion: 1,
      receiver: 'R',
      receiveResults: false,
      arg: undefined,
      payloads: [],
    };
    const decoded = decodeRequest(encodeRequestFrame(request).subarray(4));
    expect(decoded.op === 'STREAMER_WITH_RECEIVER_BATCH_SEND' && decoded.arg).toBeNull();
  });

  it('refuses a frame over the peer maximum and leaves the writer as it was', () => {
    writer.reset();
    const request: Request = { op: 'TABLE_GET', requestId: 1, name: 'x'.repeat(100) };
    const error = encodeFailure(() => writeRequestFrame(writer, request, 50));
    expect(error.code).toBe('FRAME_TOO_LARGE');
    expect(writer.length).toBe(0);
    writeRequestFrame(writer, { op: 'HEARTBEAT', requestId: 1 }, 50);
    expect(w.hex(writer.view())).toBe('00 00 00 02 01 01');
  });
});
