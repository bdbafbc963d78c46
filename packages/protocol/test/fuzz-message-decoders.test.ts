import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { decodeHandshakeRequest, decodeHandshakeResponse } from '../src/frame/handshake.js';
import type { Request, Response } from '../src/messages/message-types.js';
import { OP_NAMES } from '../src/messages/op-codes.js';
import { decodeRequest, encodeRequestFrame } from '../src/messages/request-codec.js';
import { decodeResponse, encodeResponseFrame } from '../src/messages/response-codec.js';
import { decodeValue, encodeValue } from '../src/values/value-codec.js';
import * as w from './support/wire-builder.js';
import { FuzzRandom, mutate } from './support/wire-fuzz.js';
import {
  GOLDEN_HANDSHAKE_ACCEPTED,
  GOLDEN_HANDSHAKE_REJECTED,
  GOLDEN_HANDSHAKE_REQUEST,
  GOLDEN_REQUESTS,
  GOLDEN_RESPONSES,
} from './support/wire-golden.js';

const REQUESTS = GOLDEN_REQUESTS.map((g) => w.u8(g.bytes));
const RESPONSES = GOLDEN_RESPONSES.map((g) => w.u8(g.bytes));
const ALL = [...REQUESTS, ...RESPONSES];
const HEARTBEAT = w.u8(w.cat(w.int(1), w.int(5)));

/**
 * Runs `decode` on `bytes`: it either returns or throws a ProtocolError; anything else fails the test with
 * the input in hex, so it can be turned into a regression test.
 */
function decodeOrProtocolError<T>(decode: (bytes: Uint8Array) => T, bytes: Uint8Array): T | ProtocolError {
  try {
    return decode(bytes);
  } catch (error) {
    if (!(error instanceof ProtocolError)) {
      throw new Error(`non-ProtocolError ${String(error)} for input ${w.hex(bytes)}`, { cause: error });
    }
    return error;
  }
}

/** Re-encoding what decoded must give bytes that decode to the same thing (a decoded message is whole). */
function reencodesTo(request: Request): void {
  const again = decodeRequest(encodeRequestFrame(request).subarray(4));
  expect(again.op).toBe(request.op);
  expect(again.requestId).toBe(request.requestId);
}

describe('message decoders under fuzzing', () => {
  it('throw only ProtocolError for 40,000 mutated requests and stay usable after each', () => {
    const random = new FuzzRandom(0x5eed_0001);
    let failures = 0;
    for (let i = 0; i < 40_000; i++) {
      const input = mutate(random, random.pick(REQUESTS), random.pick(ALL));
      const result = decodeOrProtocolError(decodeRequest, input);
      if (result instanceof ProtocolError) {
        failures++;
        expect(decodeRequest(HEARTBEAT).requestId).toBe(5);
      } else {
        reencodesTo(result);
      }
    }
    // Most mutations must actually be caught, or the decoder is not strict.
    expect(failures).toBeGreaterThan(30_000);
  });

  it('throw only ProtocolError for 30,000 mutated responses, whatever op the client expects', () => {
    const random = new FuzzRandom(0x5eed_0002);
    for (let i = 0; i < 30_000; i++) {
      const input = mutate(random, random.pick(RESPONSES), random.pick(ALL));
      const op = random.pick(OP_NAMES);
      const result = decodeOrProtocolError((bytes) => decodeResponse(bytes, () => op), input);
      if (!(result instanceof ProtocolError)) {
        const again = decodeResponse(encodeResponseFrame(result as Response).subarray(4), () => op);
        expect(again.kind).toBe(result.kind);
      }
    }
  });

  it('throw only ProtocolError for 15,000 random byte strings as requests and responses', () => {
    const random = new FuzzRandom(0x5eed_0003);
    for (let i = 0; i < 15_000; i++) {
      const input = random.bytes(random.below(48));
      decodeOrProtocolError(decodeRequest, input);
      decodeOrProtocolError((bytes) => decodeResponse(bytes, () => random.pick(OP_NAMES)), input);
    }
  });

  it('throw only ProtocolError for 10,000 mutated handshakes', () => {
    const random = new FuzzRandom(0x5eed_0004);
    const request = w.u8(GOLDEN_HANDSHAKE_REQUEST.bytes);
    const responses = [w.u8(GOLDEN_HANDSHAKE_ACCEPTED.bytes), w.u8(GOLDEN_HANDSHAKE_REJECTED.bytes)];
    for (let i = 0; i < 5_000; i++) {
      decodeOrProtocolError(decodeHandshakeRequest, mutate(random, request, random.pick(responses)));
      decodeOrProtocolError(decodeHandshakeResponse, mutate(random, random.pick(responses), request));
    }
  });

  it('throw only ProtocolError for 10,000 mutated values, and never touch Object.prototype', () => {
    const random = new FuzzRandom(0x5eed_0005);
    const samples = [
      encodeValue({ a: [1, 2n, 'x', null, true], b: { c: new Date(0), d: Uint8Array.of(1) } }),
      encodeValue([0.5, -1, 'é', { __proto__x: 1 }]),
      w.u8(w.cat(w.map(1), w.str('__proto__'), w.map(1), w.str('polluted'), w.bool(true))),
    ];
    for (let i = 0; i < 10_000; i++) {
      const input = mutate(random, random.pick(samples), random.pick(samples));
      const result = decodeOrProtocolError(decodeValue, input);
      if (!(result instanceof ProtocolError)) expect(decodeValue(encodeValue(result))).toEqual(result);
    }
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });
});
