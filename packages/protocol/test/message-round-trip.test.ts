import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { FrameDecoder } from '../src/frame/frame-decoder.js';
import { decodeRequest, encodeRequestFrame, writeRequest } from '../src/messages/request-codec.js';
import { decodeResponse, encodeResponseFrame } from '../src/messages/response-codec.js';
import { StreamerRowRanges } from '../src/messages/streamer-row-ranges.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import { errorResponse, OP_NAMES, okResponseOf, requestOf } from './support/wire-arbitraries.js';

/** What a message carries, in a form `toEqual` compares exactly (errors by code, message, extensions). */
function comparable(value: unknown): unknown {
  if (value instanceof ProtocolError)
    return { code: value.code, message: value.message, extensions: comparable(value.extensions) };
  // A decoded batch's rows are ranges of the message: they compare by the bytes of each row.
  if (value instanceof StreamerRowRanges) return comparable(value.toArray());
  if (value instanceof Uint8Array) return { bytes: Array.from(value) };
  if (value instanceof Date) return { date: value.getTime() };
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(comparable);
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, comparable(item)]));
}

const decoder = new FrameDecoder({ expectPreamble: false });

function unframe(frame: Uint8Array): Uint8Array {
  const [body, ...rest] = decoder.decode(frame);
  expect(rest).toEqual([]);
  if (body === undefined) throw new Error('no frame');
  return body;
}

describe('message round trips', () => {
  for (const op of OP_NAMES) {
    it(`round-trips random ${op} requests through a frame`, () => {
      fc.assert(
        fc.property(requestOf(op), (request) => {
          const decoded = decodeRequest(unframe(encodeRequestFrame(request)));
          expect(comparable(decoded)).toEqual(comparable(request));
        }),
        { numRuns: 60 },
      );
    });

    it(`round-trips random ${op} responses through a frame`, () => {
      fc.assert(
        fc.property(okResponseOf(op), (response) => {
          const decoded = decodeResponse(unframe(encodeResponseFrame(response)), () => op);
          expect(comparable(decoded)).toEqual(comparable(response));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('round-trips random error responses', () => {
    fc.assert(
      fc.property(errorResponse, (response) => {
        const decoded = decodeResponse(unframe(encodeResponseFrame(response)), () => undefined);
        expect(comparable(decoded)).toEqual(comparable(response));
        expect(decoded.kind === 'error' && decoded.error.retryable).toBe(response.error.retryable);
      }),
      { numRuns: 200 },
    );
  });

  it('round-trips many random requests written back to back into one reused buffer', () => {
    const writer = new MsgPackWriter({ initialCapacity: 16 });
    fc.assert(
      fc.property(
        fc.array(
          fc.constantFrom(...OP_NAMES).chain((op) => requestOf(op)),
          { maxLength: 8 },
        ),
        (requests) => {
          writer.reset();
          const ends: number[] = [];
          for (const request of requests) {
            writeRequest(writer, request);
            ends.push(writer.length);
          }
          const bytes = writer.toBytes();
          let start = 0;
          requests.forEach((request, i) => {
            const end = ends[i] ?? 0;
            expect(comparable(decodeRequest(bytes.subarray(start, end)))).toEqual(comparable(request));
            start = end;
          });
        },
      ),
      { numRuns: 100 },
    );
  });
});
