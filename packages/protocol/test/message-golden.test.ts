import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import {
  decodeHandshakeRequest,
  decodeHandshakeResponse,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from '../src/frame/handshake.js';
import { OP_NAMES } from '../src/messages/op-codes.js';
import { decodeRequest, encodeRequestFrame, writeRequest } from '../src/messages/request-codec.js';
import { decodeResponse, encodeResponseFrame, writeResponse } from '../src/messages/response-codec.js';
import { StreamerRowRanges } from '../src/messages/streamer-row-ranges.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import * as w from './support/wire-builder.js';
import {
  GOLDEN_HANDSHAKE_ACCEPTED,
  GOLDEN_HANDSHAKE_AUTH_REJECTED,
  GOLDEN_HANDSHAKE_BASIC_AUTH,
  GOLDEN_HANDSHAKE_CHALLENGE,
  GOLDEN_HANDSHAKE_REJECTED,
  GOLDEN_HANDSHAKE_REQUEST,
  GOLDEN_REQUESTS,
  GOLDEN_RESPONSES,
} from './support/wire-golden.js';

/** Errors compare by what travels: code, message, extensions (and retryable, which follows the code). */
function comparable(value: unknown): unknown {
  if (value instanceof ProtocolError) {
    return {
      code: value.code,
      message: value.message,
      extensions: value.extensions,
      retryable: value.retryable,
    };
  }
  // A decoded batch's rows are ranges of the message: they compare by the bytes of each row.
  if (value instanceof StreamerRowRanges) return comparable(value.toArray());
  if (value instanceof Uint8Array) return w.hex(value);
  if (value instanceof Map) return comparable(Object.fromEntries(value));
  if (value instanceof Date || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(comparable);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, comparable(item)]));
}

const writer = new MsgPackWriter();

describe('message golden bytes', () => {
  it('has a golden request and a golden response for every op', () => {
    expect(new Set(GOLDEN_REQUESTS.map((g) => g.request.op))).toEqual(new Set(OP_NAMES));
    expect(new Set(GOLDEN_RESPONSES.map((g) => g.op))).toEqual(new Set(OP_NAMES));
  });

  for (const golden of GOLDEN_REQUESTS) {
    it(`writes the ${golden.name} as its golden bytes`, () => {
      writer.reset();
      writeRequest(writer, golden.request);
      expect(w.hex(writer.view())).toBe(w.hex(golden.bytes));
    });

    it(`reads the ${golden.name} back from its golden bytes`, () => {
      expect(comparable(decodeRequest(w.u8(golden.bytes)))).toEqual(comparable(golden.request));
    });
  }

  for (const golden of GOLDEN_RESPONSES) {
    it(`writes the ${golden.name} as its golden bytes`, () => {
      writer.reset();
      writeResponse(writer, golden.response);
      expect(w.hex(writer.view())).toBe(w.hex(golden.bytes));
    });

    it(`reads the ${golden.name} back from its golden bytes`, () => {
      const decoded = decodeResponse(w.u8(golden.bytes), (id) =>
        id === golden.response.requestId ? golden.op : undefined,
      );
      expect(comparable(decoded)).toEqual(comparable(golden.response));
    });
  }

  it('frames a request and a response as a 4-byte big-endian length then the body', () => {
    const [request] = GOLDEN_REQUESTS;
    const [response] = GOLDEN_RESPONSES;
    if (request === undefined || response === undefined) throw new Error('no golden messages');
    expect(w.hex(encodeRequestFrame(request.request))).toBe(w.hex(w.frame(request.bytes)));
    expect(w.hex(encodeResponseFrame(response.response))).toBe(w.hex(w.frame(response.bytes)));
  });

  it('writes and reads the handshake request, acceptance and rejection as their golden bytes', () => {
    for (const golden of [GOLDEN_HANDSHAKE_REQUEST, GOLDEN_HANDSHAKE_BASIC_AUTH]) {
      writer.reset();
      writeHandshakeRequest(writer, golden.request);
      expect(w.hex(writer.view())).toBe(w.hex(golden.bytes));
      expect(comparable(decodeHandshakeRequest(w.u8(golden.bytes)))).toEqual(comparable(golden.request));
    }
    for (const golden of [
      GOLDEN_HANDSHAKE_ACCEPTED,
      GOLDEN_HANDSHAKE_REJECTED,
      GOLDEN_HANDSHAKE_CHALLENGE,
      GOLDEN_HANDSHAKE_AUTH_REJECTED,
    ]) {
      writer.reset();
      writeHandshakeResponse(writer, golden.response);
      expect(w.hex(writer.view())).toBe(w.hex(golden.bytes));
      expect(comparable(decodeHandshakeResponse(w.u8(golden.bytes)))).toEqual(comparable(golden.response));
    }
  });
});
