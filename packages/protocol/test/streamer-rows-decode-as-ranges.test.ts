/**
 * A decoded STREAMER_BATCH_SEND keeps its rows as ranges of the received message (`StreamerRowRanges`)
 * instead of an object and two views per row. Risks covered: the ranges pointing at the wrong bytes (above
 * all when the message sits at a non-zero offset of a larger buffer, as frames of one chunk do); a decoded
 * batch written again (a node forwarding it) not giving back the bytes that came in; and malformed rows no
 * longer failing exactly as the per-row object reader did (same error, same field, same offset).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { FrameDecoder } from '../src/frame/frame-decoder.js';
import type { Request } from '../src/messages/message-types.js';
import { decodeRequest, encodeRequestFrame, writeRequest } from '../src/messages/request-codec.js';
import type {
  StreamerBatch,
  StreamerBatchSendRequest,
  StreamerRow,
} from '../src/messages/streamer-messages.js';
import {
  StreamerRowRanges,
  streamerRowArray,
  streamerRowCount,
} from '../src/messages/streamer-row-ranges.js';
import { bitmaskOf, bitmaskTrimmedLength } from '../src/msgpack/bitmask.js';
import { MsgPackReader } from '../src/msgpack/msgpack-reader.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import { requestOf } from './support/wire-arbitraries.js';

const writer = new MsgPackWriter();

function written(request: Request): Uint8Array {
  writer.reset();
  writeRequest(writer, request);
  return writer.toBytes();
}

function decodedBatch(body: Uint8Array): StreamerBatchSendRequest {
  const request = decodeRequest(body);
  if (request.op !== 'STREAMER_BATCH_SEND') throw new Error(`decoded a ${request.op}`);
  return request;
}

function rangesOf(batch: StreamerBatch): StreamerRowRanges {
  const rows = batch.rows;
  if (!(rows instanceof StreamerRowRanges)) throw new Error('the decoded rows are not ranges');
  return rows;
}

/**
 * Rows with every wire size in play: bin8 and bin16 tuples, fixext and ext8 masks (the shared arbitrary
 * keeps rows small), masks trimmed as the wire carries them.
 */
const row: fc.Arbitrary<StreamerRow> = fc.record({
  noValueSet: fc.uint8Array({ maxLength: 20 }).map((mask) => mask.slice(0, bitmaskTrimmedLength(mask))),
  tuple: fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 250, maxLength: 300 })),
});

/** A batch as a client sends it: rows as objects, some marked deleted. */
type ClientBatch = StreamerBatchSendRequest & { readonly rows: readonly StreamerRow[] };

const batchRequest: fc.Arbitrary<ClientBatch> = fc
  .tuple(
    requestOf('STREAMER_BATCH_SEND'),
    fc.array(fc.tuple(row, fc.boolean()), { maxLength: 20 }),
    fc.boolean(),
  )
  .map(([request, items, withDeleted]) => {
    const removes = items.flatMap(([, remove], i) => (remove ? [i] : []));
    const rows = items.map(([item]) => item);
    return { ...request, deleted: withDeleted ? bitmaskOf(removes) : null, rows };
  });

/** Random bytes of a random length, to put a message at a non-zero offset of a larger buffer. */
const padding = fc.uint8Array({ minLength: 1, maxLength: 64 });

/**
 * The STREAMER_BATCH_SEND payload reader as it was before rows became ranges (an object, a `readBitmask`
 * view and a `readBinary` view per row): the reference for errors. Returns the rows, or the error message.
 */
function referenceDecode(body: Uint8Array): StreamerRow[] | string {
  const reader = new MsgPackReader(body);
  try {
    reader.readInt32('opCode');
    reader.readSafeInteger('requestId');
    reader.readInt32('tableId');
    reader.readInt32('partitionId');
    const deletedAt = reader.offset;
    const deleted = reader.readBitmaskOrNil('deleted');
    reader.readInt32('schemaVersion');
    const count = reader.readCount('rows', 5);
    if (deleted !== null) {
      const length = bitmaskTrimmedLength(deleted);
      const highestBit = length === 0 ? -1 : (length - 1) * 8 + (31 - Math.clz32(deleted[length - 1] ?? 0));
      if (highestBit >= count) {
        throw reader.error(
          `deleted: BITMASK at offset ${deletedAt} marks row ${highestBit} but the batch has ${count} row(s)`,
        );
      }
    }
    const rows: StreamerRow[] = [];
    for (let i = 0; i < count; i++) {
      const noValueSet = reader.readBitmask('noValueSet');
      const tuple = reader.readBinary('tuple');
      rows.push({ noValueSet, tuple });
    }
    reader.readString('targetNode');
    reader.readSafeInteger('assignmentVersion');
    const producerAt = reader.offset;
    const producerId = reader.tryReadNil() ? null : reader.readString('producerId');
    const epoch = reader.tryReadNil() ? null : reader.readSafeInteger('epoch');
    const batchSeq = reader.tryReadNil() ? null : reader.readSafeInteger('batchSeq');
    const set = [producerId, epoch, batchSeq].filter((field) => field !== null).length;
    if (set !== 0 && set !== 3) {
      throw reader.error(
        `producer at offset ${producerAt}: producerId, epoch and batchSeq must be all nil or all set`,
      );
    }
    if (producerId !== null && (producerId.length === 0 || producerId.length > 256)) {
      throw reader.error(
        `producerId at offset ${producerAt}: expected 1..256 characters, got ${producerId.length}`,
      );
    }
    if (epoch !== null && epoch < 1) throw reader.error(`epoch: expected an integer >= 1, got ${epoch}`);
    if (batchSeq !== null && batchSeq < 1)
      throw reader.error(`batchSeq: expected an integer >= 1, got ${batchSeq}`);
    reader.expectEnd('STREAMER_BATCH_SEND request');
    return rows;
  } catch (error) {
    if (error instanceof ProtocolError) return error.message;
    throw error;
  }
}

/** What `decodeRequest` gives: the rows as objects, or the reader's message (without the request prefix). */
function decodeOutcome(body: Uint8Array): StreamerRow[] | string {
  try {
    return [...streamerRowArray(decodedBatch(body).rows)];
  } catch (error) {
    if (error instanceof ProtocolError && error.cause instanceof ProtocolError) return error.cause.message;
    throw error;
  }
}

const plain = (outcome: StreamerRow[] | string) =>
  typeof outcome === 'string'
    ? outcome
    : outcome.map((r) => ({ noValueSet: [...r.noValueSet], tuple: [...r.tuple] }));

describe('StreamerRowRanges', () => {
  it('writes, reads and writes again a random batch to identical bytes', () => {
    fc.assert(
      fc.property(batchRequest, (request) => {
        const bytes = written(request);
        const decoded = decodedBatch(bytes);
        expect(decoded.rows).toBeInstanceOf(StreamerRowRanges);
        expect([...written(decoded)]).toEqual([...bytes]);
      }),
      { numRuns: 150 },
    );
  });

  it('points every range at the row bytes when the message sits at a non-zero offset of a larger buffer', () => {
    fc.assert(
      fc.property(batchRequest, padding, padding, (request, before, after) => {
        const body = written(request);
        const buffer = new Uint8Array(before.length + body.length + after.length);
        buffer.set(before, 0);
        buffer.set(body, before.length);
        buffer.set(after, before.length + body.length);
        const rows = rangesOf(decodedBatch(buffer.subarray(before.length, before.length + body.length)));
        // The ranges index the message itself: no copy was made.
        expect(rows.bytes.buffer).toBe(buffer.buffer);
        expect(rows.bytes.byteOffset).toBe(before.length);
        expect(rows.count).toBe(request.rows.length);
        expect(streamerRowCount(rows)).toBe(request.rows.length);
        for (let i = 0; i < rows.count; i++) {
          const sent = request.rows[i] as StreamerRow;
          expect([...rows.bytes.subarray(rows.maskStart(i), rows.maskEnd(i))]).toEqual([...sent.noValueSet]);
          expect([...rows.bytes.subarray(rows.tupleStart(i), rows.tupleEnd(i))]).toEqual([...sent.tuple]);
          expect([...rows.noValueSet(i)]).toEqual([...sent.noValueSet]);
          expect([...rows.tuple(i)]).toEqual([...sent.tuple]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('reads rows of frames that share one chunk, the later ones at non-zero offsets', () => {
    fc.assert(
      fc.property(fc.array(batchRequest, { minLength: 2, maxLength: 4 }), (requests) => {
        const frames = requests.map((request) => encodeRequestFrame(request));
        const chunk = new Uint8Array(frames.reduce((sum, frame) => sum + frame.length, 0));
        let at = 0;
        for (const frame of frames) {
          chunk.set(frame, at);
          at += frame.length;
        }
        const bodies = new FrameDecoder({ expectPreamble: false }).decode(chunk);
        expect(bodies).toHaveLength(requests.length);
        bodies.forEach((body, b) => {
          const rows = rangesOf(decodedBatch(body));
          const sent = (requests[b] as ClientBatch).rows;
          expect(rows.toArray().map((r) => [[...r.noValueSet], [...r.tuple]])).toEqual(
            sent.map((r) => [[...r.noValueSet], [...r.tuple]]),
          );
        });
      }),
      { numRuns: 50 },
    );
  });

  it('forwards a decoded batch as the same bytes as the batch it came from', () => {
    fc.assert(
      fc.property(requestOf('STREAMER_BATCH_SEND'), fc.nat(3), fc.string(), (request, hops, origin) => {
        const decoded = decodedBatch(written(request));
        const forward = (batch: StreamerBatch): Request => ({
          op: 'BATCH_FORWARD',
          requestId: 77,
          hops,
          origin,
          batch,
        });
        const fromClient = written(forward(request));
        expect([...written(forward(decoded))]).toEqual([...fromClient]);
        // And a forwarded batch decoded on the next node is written back to the same bytes again.
        const received = decodeRequest(fromClient);
        expect(
          received.op === 'BATCH_FORWARD' && 'rows' in received.batch && received.batch.rows,
        ).toBeInstanceOf(StreamerRowRanges);
        expect([...written(received)]).toEqual([...fromClient]);
      }),
      { numRuns: 150 },
    );
  });

  it('fails on truncated and corrupted rows exactly as the per-row object reader did', () => {
    fc.assert(
      fc.property(
        batchRequest,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.boolean(),
        (request, spot, value, truncate) => {
          const bytes = written(request);
          // Past the op code and request id, which the op codec never sees.
          const envelope = new MsgPackReader(bytes);
          envelope.readInt32('opCode');
          envelope.readSafeInteger('requestId');
          const header = envelope.offset;
          const at = header + (spot % (bytes.length - header));
          const broken = bytes.slice();
          if (!truncate) broken[at] = value;
          const body = truncate ? broken.subarray(0, at) : broken;
          expect(plain(decodeOutcome(body))).toEqual(plain(referenceDecode(body)));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('names the row field and its offset when a row is not a BITMASK then a bin', () => {
    const bytes = written({
      op: 'STREAMER_BATCH_SEND',
      requestId: 5,
      tableId: 1,
      partitionId: 0,
      deleted: null,
      schemaVersion: 1,
      rows: [{ noValueSet: new Uint8Array(0), tuple: Uint8Array.of(0, 1, 1, 7) }],
      targetNode: 'n',
      assignmentVersion: 1,
    });
    const maskAt = bytes.indexOf(0xc7); // ext8: the empty BITMASK
    const tupleAt = maskAt + 3;
    const notMask = bytes.slice();
    notMask[maskAt] = 0xc0;
    expect(decodeOutcome(notMask)).toBe(`noValueSet: expected ext, found nil (0xc0) at offset ${maskAt}`);
    const notTuple = bytes.slice();
    notTuple[tupleAt] = 0xa4; // fixstr of 4 bytes
    expect(decodeOutcome(notTuple)).toBe(`tuple: expected bin, found str (0xa4) at offset ${tupleAt}`);
    expect(decodeOutcome(bytes.subarray(0, tupleAt + 3))).toBe(
      `tuple: truncated bin at offset ${tupleAt}: needs 4 byte(s), 1 left`,
    );
  });

  it('gives row views only for rows of the batch', () => {
    const rows = rangesOf(
      decodedBatch(
        written({
          op: 'STREAMER_BATCH_SEND',
          requestId: 1,
          tableId: 1,
          partitionId: 0,
          deleted: null,
          schemaVersion: 1,
          rows: [{ noValueSet: Uint8Array.of(2), tuple: Uint8Array.of(0, 0) }],
          targetNode: 'n',
          assignmentVersion: 1,
        }),
      ),
    );
    expect([...rows.noValueSet(0)]).toEqual([2]);
    for (const index of [-1, 1, 0.5]) {
      expect(() => rows.tuple(index)).toThrow(ProtocolError);
      expect(() => rows.noValueSet(index)).toThrow(/the batch has 1 row\(s\)/);
    }
  });

  it('counts and lists rows given as objects as they are', () => {
    const rows = [{ noValueSet: new Uint8Array(0), tuple: Uint8Array.of(0) }];
    expect(streamerRowCount(rows)).toBe(1);
    expect(streamerRowArray(rows)).toBe(rows);
  });
});
