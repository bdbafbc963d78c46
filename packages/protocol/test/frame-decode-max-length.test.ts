import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { FrameDecoder } from '../src/frame/frame-decoder.js';
import { DEFAULT_MAX_FRAME_SIZE, MAX_FRAME_SIZE_LIMIT } from '../src/frame/frame-limits.js';
import * as w from './support/wire-builder.js';

function thrown(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('FrameDecoder limits', () => {
  it('defaults the maximum frame size to 16 MiB', () => {
    expect(new FrameDecoder().maxFrameSize).toBe(16 * 1024 * 1024);
    expect(DEFAULT_MAX_FRAME_SIZE).toBe(16 * 1024 * 1024);
  });

  it('accepts a frame exactly at the maximum', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024, expectPreamble: false });
    const [body] = decoder.decode(w.u8(w.frame(new Array(1024).fill(1))));
    expect(body?.length).toBe(1024);
  });

  it('rejects a frame one byte over the maximum as soon as its prefix is in', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024, expectPreamble: false });
    const error = thrown(() => decoder.decode(w.u8(w.be(1025, 4))));
    expect(error.code).toBe('FRAME_TOO_LARGE');
    expect(error.message).toBe('frame of 1025 bytes is over the maximum frame size of 1024 bytes');
  });

  it('rejects a prefix split across chunks at the fourth byte', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 1024, expectPreamble: false });
    const prefix = w.be(1025, 4);
    for (const byte of prefix.slice(0, 3)) expect(decoder.decode(Uint8Array.of(byte))).toEqual([]);
    expect(thrown(() => decoder.decode(Uint8Array.of(prefix[3] ?? 0))).code).toBe('FRAME_TOO_LARGE');
  });

  it('never sizes memory by a declared length: a 2^31-1 byte frame costs only the bytes that arrived', () => {
    const decoder = new FrameDecoder({ maxFrameSize: MAX_FRAME_SIZE_LIMIT, expectPreamble: false });
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    expect(decoder.decode(w.u8([...w.be(MAX_FRAME_SIZE_LIMIT, 4), 1, 2, 3]))).toEqual([]);
    for (let i = 0; i < 100; i++) decoder.decode(new Uint8Array(100));
    expect(decoder.bufferedBytes).toBe(3 + 100 * 100);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects a 4 GiB declared length with the default limit, allocating nothing', () => {
    const decoder = new FrameDecoder({ expectPreamble: false });
    const before = process.memoryUsage().arrayBuffers;
    expect(thrown(() => decoder.decode(w.u8([0xff, 0xff, 0xff, 0xff, 0]))).code).toBe('FRAME_TOO_LARGE');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1 << 20);
  });

  it('stays failed: every later call throws the same error, whatever the bytes', () => {
    const decoder = new FrameDecoder({ maxFrameSize: 10, expectPreamble: false });
    const first = thrown(() => decoder.decode(w.u8(w.be(11, 4))));
    expect(decoder.failure).toBe(first);
    expect(decoder.atFrameBoundary).toBe(false);
    expect(thrown(() => decoder.decode(w.u8(w.frame([1]))))).toBe(first);
    expect(thrown(() => decoder.decode(new Uint8Array(0)))).toBe(first);
  });

  it('fails the whole chunk that holds a prefix over the limit, frames before it included', () => {
    // The whole chunk fails: frames before the bad prefix in the same chunk are not delivered, because
    // the connection is closed on the error anyway and a partial result would hide it.
    const decoder = new FrameDecoder({ maxFrameSize: 10, expectPreamble: false });
    expect(thrown(() => decoder.decode(w.u8(w.cat(w.frame([1]), w.be(11, 4))))).code).toBe('FRAME_TOO_LARGE');
  });

  it('rejects a bad preamble, terminally', () => {
    const decoder = new FrameDecoder();
    expect(decoder.decode(w.u8([0x49, 0x47]))).toEqual([]);
    const error = thrown(() => decoder.decode(w.u8([0x4e, 0x00])));
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).toBe('bad preamble: expected 49 47 4e 49 ("IGNI"), got 0x00 at byte 3');
    expect(thrown(() => decoder.decode(w.u8(w.MAGIC)))).toBe(error);
  });

  it('rejects an HTTP request or any other protocol at the first byte', () => {
    const error = thrown(() => new FrameDecoder().decode(new TextEncoder().encode('GET / HTTP/1.1\r\n')));
    expect(error.message).toMatch(/bad preamble.*got 0x47 at byte 0/);
  });

  it('rejects a bad maximum frame size option', () => {
    for (const maxFrameSize of [-1, 1.5, 2 ** 31, Number.NaN]) {
      expect(thrown(() => new FrameDecoder({ maxFrameSize })).code).toBe('INVALID_ARGUMENT');
    }
  });
});
