import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/frame/frame-decoder.js';
import * as w from './support/wire-builder.js';

const BODIES: w.Bytes[] = [
  w.cat(w.int(62), w.int(7), w.str('TrackEvents')),
  [],
  w.bin(new Array(300).fill(0xab)),
  [0x01],
];

/** The preamble then every body as a frame. */
const STREAM = w.cat(w.MAGIC, ...BODIES.map((body) => w.frame(body)));

function decodeAll(decoder: FrameDecoder, chunks: Uint8Array[]): string[] {
  const out: string[] = [];
  for (const chunk of chunks) for (const body of decoder.decode(chunk)) out.push(w.hex(body));
  return out;
}

const EXPECTED = BODIES.map((body) => w.hex(body));

describe('FrameDecoder', () => {
  it('decodes the stream split into two chunks at every byte position', () => {
    const bytes = w.u8(STREAM);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new FrameDecoder();
      expect(decodeAll(decoder, [bytes.slice(0, cut), bytes.slice(cut)]), `cut at ${cut}`).toEqual(EXPECTED);
      expect(decoder.atFrameBoundary).toBe(true);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('decodes the stream split into three chunks at every pair of positions', () => {
    const bytes = w.u8(STREAM);
    for (let a = 0; a <= bytes.length; a += 3) {
      for (let b = a; b <= bytes.length; b += 7) {
        const chunks = [bytes.slice(0, a), bytes.slice(a, b), bytes.slice(b)];
        expect(decodeAll(new FrameDecoder(), chunks), `cuts at ${a}, ${b}`).toEqual(EXPECTED);
      }
    }
  });

  it('decodes a byte-at-a-time stream', () => {
    const bytes = w.u8(STREAM);
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(decodeAll(new FrameDecoder(), chunks)).toEqual(EXPECTED);
  });

  it('decodes any random split of many frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 90 }), { maxLength: 12 }),
        fc.array(fc.nat({ max: 60 }), { maxLength: 40 }),
        (bodies, sizes) => {
          const stream = w.u8(w.cat(w.MAGIC, ...bodies.map((body) => w.frame([...body]))));
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const size of sizes) {
            chunks.push(stream.subarray(at, at + size));
            at += size;
          }
          chunks.push(stream.subarray(at));
          const decoder = new FrameDecoder();
          expect(decodeAll(decoder, chunks)).toEqual(bodies.map((body) => w.hex(body)));
          expect(decoder.atFrameBoundary).toBe(true);
        },
      ),
    );
  });

  it('decodes the same frames when the byte-at-a-time fault point splits some chunks', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 8 }),
        fc.array(fc.nat({ max: 30 }), { maxLength: 20 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }),
        (bodies, sizes, fires) => {
          const stream = w.u8(w.cat(w.MAGIC, ...bodies.map((body) => w.frame([...body]))));
          const chunks: Uint8Array[] = [];
          let at = 0;
          for (const size of sizes) {
            chunks.push(stream.subarray(at, at + size));
            at += size;
          }
          chunks.push(stream.subarray(at));
          const asked: string[] = [];
          let i = 0;
          const decoder = new FrameDecoder({
            buggify: (point) => {
              asked.push(point);
              return fires[i++ % fires.length] === true;
            },
          });
          expect(decodeAll(decoder, chunks)).toEqual(bodies.map((body) => w.hex(body)));
          expect(decoder.atFrameBoundary).toBe(true);
          expect(new Set(asked)).toEqual(new Set(asked.length === 0 ? [] : ['frame.byte-at-a-time']));
        },
      ),
    );
  });

  it('returns many frames from one chunk as views of that chunk, without copying', () => {
    const bodies = Array.from({ length: 1000 }, (_, i) => w.cat(w.int(i), w.str(`row-${i}`)));
    const chunk = w.u8(w.cat(w.MAGIC, ...bodies.map((body) => w.frame(body))));
    const frames = new FrameDecoder().decode(chunk);
    expect(frames.map((frame) => w.hex(frame))).toEqual(bodies.map((body) => w.hex(body)));
    for (const frame of frames) expect(frame.buffer).toBe(chunk.buffer);
  });

  it('copies a frame that arrives in pieces into one body', () => {
    const decoder = new FrameDecoder({ expectPreamble: false });
    const bytes = w.u8(w.frame([1, 2, 3, 4, 5, 6]));
    expect(decoder.decode(bytes.slice(0, 6))).toEqual([]);
    expect(decoder.bufferedBytes).toBe(2);
    expect(decoder.atFrameBoundary).toBe(false);
    const [body] = decoder.decode(bytes.slice(6));
    expect(body).toEqual(Uint8Array.of(1, 2, 3, 4, 5, 6));
  });

  it('returns a frame whose length prefix was split but whose body is in one chunk as a view', () => {
    const decoder = new FrameDecoder({ expectPreamble: false });
    const bytes = w.u8(w.frame([9, 8, 7]));
    decoder.decode(bytes.slice(0, 2));
    const rest = bytes.slice(2);
    const [body] = decoder.decode(rest);
    expect(body).toEqual(Uint8Array.of(9, 8, 7));
    expect(body?.buffer).toBe(rest.buffer);
  });

  it('decodes frames without a preamble when told so', () => {
    const decoder = new FrameDecoder({ expectPreamble: false });
    expect(decodeAll(decoder, [w.u8(w.cat(...BODIES.map((body) => w.frame(body))))])).toEqual(EXPECTED);
  });

  it('accepts an empty chunk anywhere', () => {
    const decoder = new FrameDecoder();
    const bytes = w.u8(STREAM);
    expect(
      decodeAll(decoder, [new Uint8Array(0), bytes.slice(0, 5), new Uint8Array(0), bytes.slice(5)]),
    ).toEqual(EXPECTED);
  });
});
