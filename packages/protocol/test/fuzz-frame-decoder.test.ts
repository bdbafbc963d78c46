import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { FrameDecoder } from '../src/frame/frame-decoder.js';
import * as w from './support/wire-builder.js';
import { FuzzRandom, mutate } from './support/wire-fuzz.js';
import { GOLDEN_REQUESTS, GOLDEN_RESPONSES } from './support/wire-golden.js';

const BODIES = [...GOLDEN_REQUESTS, ...GOLDEN_RESPONSES].map((g) => g.bytes);

/** A valid stream: the preamble, then a few golden bodies as frames. */
function validStream(random: FuzzRandom): Uint8Array {
  const frames: w.Bytes[] = [w.MAGIC];
  const count = 1 + random.below(5);
  for (let i = 0; i < count; i++) frames.push(w.frame(random.pick(BODIES)));
  return w.u8(w.cat(...frames));
}

/**
 * Feeds `stream` in random chunks and checks the decoder's contract: it returns frames no larger than the
 * maximum, or throws a ProtocolError — and from then on throws that same error on every call. Returns
 * whether it failed.
 */
function feed(random: FuzzRandom, stream: Uint8Array): boolean {
  const decoder = new FrameDecoder({ maxFrameSize: 32 + random.below(512) });
  let at = 0;
  let failure: ProtocolError | undefined;
  let frameBytes = 0;
  while (at < stream.length) {
    const size = 1 + random.below(64);
    const chunk = stream.subarray(at, at + size);
    at += size;
    try {
      for (const frame of decoder.decode(chunk)) {
        expect(frame.length).toBeLessThanOrEqual(decoder.maxFrameSize);
        frameBytes += frame.length + 4;
      }
      expect(failure).toBeUndefined();
    } catch (error) {
      if (!(error instanceof ProtocolError)) {
        throw new Error(`non-ProtocolError ${String(error)} for stream ${w.hex(stream)}`, { cause: error });
      }
      if (failure !== undefined) expect(error).toBe(failure);
      failure = error;
      expect(decoder.failure).toBe(error);
    }
  }
  if (failure !== undefined) expect(() => decoder.decode(Uint8Array.of(0))).toThrow(failure);
  // Frames never hold more bytes than arrived.
  expect(frameBytes).toBeLessThanOrEqual(stream.length);
  return failure !== undefined;
}

describe('FrameDecoder under fuzzing', () => {
  it('never fails on 5,000 valid streams chunked at random', () => {
    const random = new FuzzRandom(0xf4a3_0001);
    for (let i = 0; i < 5_000; i++) {
      const stream = validStream(random);
      const decoder = new FrameDecoder();
      let frames = 0;
      let at = 0;
      while (at < stream.length) {
        const size = 1 + random.below(40);
        frames += decoder.decode(stream.subarray(at, at + size)).length;
        at += size;
      }
      expect(frames).toBeGreaterThan(0);
      expect(decoder.atFrameBoundary).toBe(true);
    }
  });

  it('throws only ProtocolError, and the same one forever after, for 20,000 mutated streams', () => {
    const random = new FuzzRandom(0xf4a3_0002);
    let failed = 0;
    for (let i = 0; i < 20_000; i++) {
      if (feed(random, mutate(random, validStream(random), validStream(random)))) failed++;
    }
    expect(failed).toBeGreaterThan(1_000);
  });

  it('throws only ProtocolError for 10,000 random streams, with and without a valid preamble', () => {
    const random = new FuzzRandom(0xf4a3_0003);
    for (let i = 0; i < 10_000; i++) {
      const noise = random.bytes(random.below(200));
      feed(random, i % 2 === 0 ? noise : w.u8([...w.MAGIC, ...noise]));
    }
  });
});
