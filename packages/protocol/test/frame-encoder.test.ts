import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { FrameDecoder } from '../src/frame/frame-decoder.js';
import { beginFrame, endFrame } from '../src/frame/frame-encoder.js';
import { MsgPackWriter } from '../src/msgpack/msgpack-writer.js';
import * as w from './support/wire-builder.js';

describe('frame encoder', () => {
  it('writes the length prefix in place before the body', () => {
    const writer = new MsgPackWriter({ initialCapacity: 2 });
    const start = beginFrame(writer);
    writer.writeInt(1);
    writer.writeString('abc');
    endFrame(writer, start);
    expect(w.hex(writer.view())).toBe(w.hex(w.frame(w.int(1), w.str('abc'))));
  });

  it('writes several frames one after another in one buffer', () => {
    const writer = new MsgPackWriter();
    for (const text of ['a', 'bb', '']) {
      const start = beginFrame(writer);
      writer.writeString(text);
      endFrame(writer, start);
    }
    const frames = new FrameDecoder({ expectPreamble: false }).decode(writer.toBytes());
    expect(frames.map((frame) => w.hex(frame))).toEqual([
      w.hex(w.str('a')),
      w.hex(w.str('bb')),
      w.hex(w.str('')),
    ]);
  });

  it('refuses to send a body over the peer maximum, and accepts one exactly at it', () => {
    const writer = new MsgPackWriter();
    const start = beginFrame(writer);
    writer.writeBinary(new Uint8Array(8));
    expect(() => endFrame(writer, start, 10)).not.toThrow();
    writer.writeNil();
    let error: unknown;
    try {
      endFrame(writer, start, 10);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ProtocolError);
    expect((error as ProtocolError).code).toBe('FRAME_TOO_LARGE');
  });
});
