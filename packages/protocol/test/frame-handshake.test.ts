import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../src/errors/protocol-error.js';
import { FrameDecoder } from '../src/frame/frame-decoder.js';
import {
  answerHandshake,
  checkHandshakeResponse,
  decodeHandshakeRequest,
  decodeHandshakeResponse,
  encodeHandshakeRequest,
  encodeHandshakeResponse,
  type HandshakeRequest,
} from '../src/frame/handshake.js';
import { hasFeature, PROTOCOL_VERSION, SUPPORTED_FEATURES } from '../src/frame/protocol-version.js';
import * as w from './support/wire-builder.js';

const TRACE = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';

const CLIENT_HELLO: HandshakeRequest = {
  version: { major: 1, minor: 0, patch: 0 },
  peerType: 'client',
  features: Uint8Array.of(0b111),
  name: 'client-1',
};

/** Runs one side's bytes through a fresh frame decoder and returns the first body. */
function firstFrame(bytes: Uint8Array): Uint8Array {
  const [body] = new FrameDecoder().decode(bytes);
  if (body === undefined) throw new Error('no frame');
  return body;
}

function thrown(run: () => unknown): ProtocolError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ProtocolError);
    return error as ProtocolError;
  }
  throw new Error('expected a ProtocolError');
}

describe('handshake', () => {
  it('encodes the request as preamble, then a frame of version, peer type, features and name', () => {
    const expected = w.cat(
      w.MAGIC,
      w.frame(w.int(1), w.int(0), w.int(0), w.int(2), w.bin([7]), w.str('client-1')),
    );
    expect(w.hex(encodeHandshakeRequest(CLIENT_HELLO))).toBe(w.hex(expected));
    expect(w.hex(expected)).toBe('49 47 4e 49 00 00 00 10 01 00 00 02 c4 01 07 a8 63 6c 69 65 6e 74 2d 31');
  });

  it('encodes a node peer with its own type code', () => {
    const bytes = encodeHandshakeRequest({ ...CLIENT_HELLO, peerType: 'node', name: 'node-2' });
    const body = w.cat(w.int(1), w.int(0), w.int(0), w.int(200), w.bin([7]), w.str('node-2'));
    expect(w.hex(bytes)).toBe(w.hex(w.cat(w.MAGIC, w.frame(body))));
  });

  it('encodes an accepting answer as preamble, version, nil, features and node name', () => {
    const bytes = encodeHandshakeResponse({
      kind: 'accepted',
      version: PROTOCOL_VERSION,
      features: Uint8Array.of(3),
      nodeName: 'node-1',
    });
    const expected = w.cat(
      w.MAGIC,
      w.frame(w.int(1), w.int(0), w.int(0), w.nil(), w.bin([3]), w.str('node-1')),
    );
    expect(w.hex(bytes)).toBe(w.hex(expected));
  });

  it('encodes a rejection as version then the error structure', () => {
    const error = new ProtocolError('UNSUPPORTED_PROTOCOL', 'no');
    const bytes = encodeHandshakeResponse({
      kind: 'rejected',
      version: PROTOCOL_VERSION,
      error,
      traceId: TRACE,
      className: 'ProtocolError',
      stackTrace: null,
    });
    const expected = w.cat(
      w.MAGIC,
      w.frame(
        w.int(1),
        w.int(0),
        w.int(0),
        w.uuid(TRACE),
        w.int(2),
        w.str('ProtocolError'),
        w.str('no'),
        w.nil(),
        w.nil(),
      ),
    );
    expect(w.hex(bytes)).toBe(w.hex(expected));
  });

  it('completes a handshake end to end and negotiates common features', () => {
    const server = answerHandshake(
      firstFrame(encodeHandshakeRequest({ ...CLIENT_HELLO, features: Uint8Array.of(0b101) })),
      {
        nodeName: 'node-1',
      },
      TRACE,
    );
    expect(server.request?.name).toBe('client-1');
    expect(server.request?.peerType).toBe('client');
    const answer = decodeHandshakeResponse(firstFrame(encodeHandshakeResponse(server.response)));
    const result = checkHandshakeResponse(answer);
    expect(result.nodeName).toBe('node-1');
    expect(result.version).toEqual(PROTOCOL_VERSION);
    expect(hasFeature(result.features, 'STREAMER_RECEIVER')).toBe(true);
    expect(hasFeature(result.features, 'BATCH_FORWARDING')).toBe(false);
    expect(hasFeature(result.features, 'NODE_TO_NODE')).toBe(true);
  });

  it('serves a peer of another minor or patch version', () => {
    const body = firstFrame(
      encodeHandshakeRequest({ ...CLIENT_HELLO, version: { major: 1, minor: 7, patch: 3 } }),
    );
    expect(answerHandshake(body, { nodeName: 'node-1' }, TRACE).response.kind).toBe('accepted');
  });

  it('answers a peer of another major version with a clear UNSUPPORTED_PROTOCOL rejection', () => {
    const body = firstFrame(
      encodeHandshakeRequest({ ...CLIENT_HELLO, version: { major: 2, minor: 0, patch: 0 } }),
    );
    const { response, request } = answerHandshake(body, { nodeName: 'node-1' }, TRACE);
    expect(request).toBeNull();
    expect(response.kind).toBe('rejected');
    // What the peer reads back off the wire.
    const answer = decodeHandshakeResponse(firstFrame(encodeHandshakeResponse(response)));
    const error = thrown(() => checkHandshakeResponse(answer));
    expect(error.code).toBe('UNSUPPORTED_PROTOCOL');
    expect(error.message).toBe('unsupported protocol version 2.0.0: this node speaks 1.x (1.0.0)');
  });

  it('checks the version before reading the rest, so a future layout still gets UNSUPPORTED_PROTOCOL', () => {
    const body = w.u8(w.cat(w.int(3), w.int(0), w.int(0), w.map(1), w.str('whatever'), w.float64(1)));
    expect(thrown(() => decodeHandshakeRequest(body)).code).toBe('UNSUPPORTED_PROTOCOL');
    const { response } = answerHandshake(body, { nodeName: 'node-1' }, TRACE);
    expect(response.kind === 'rejected' && response.error.code).toBe('UNSUPPORTED_PROTOCOL');
  });

  it('refuses an answer from a node of another major version', () => {
    const answer = w.u8(w.cat(w.int(2), w.int(1), w.int(0), w.str('a layout we do not know')));
    const error = thrown(() => decodeHandshakeResponse(answer));
    expect(error.code).toBe('UNSUPPORTED_PROTOCOL');
    expect(error.message).toBe('unsupported protocol version 2.1.0: this side speaks 1.x (1.0.0)');
    expect(
      thrown(() =>
        checkHandshakeResponse({
          kind: 'accepted',
          version: { major: 0, minor: 9, patch: 0 },
          features: SUPPORTED_FEATURES,
          nodeName: 'n',
        }),
      ).code,
    ).toBe('UNSUPPORTED_PROTOCOL');
  });

  it('answers a malformed handshake with a PROTOCOL_ERROR rejection rather than silence', () => {
    const truncated = w.u8(w.cat(w.int(1), w.int(0), w.int(0), w.int(2)));
    const { response } = answerHandshake(truncated, { nodeName: 'node-1' }, TRACE);
    expect(response.kind === 'rejected' && response.error.code).toBe('PROTOCOL_ERROR');
    const unknownPeer = w.u8(w.cat(w.int(1), w.int(0), w.int(0), w.int(9), w.bin([]), w.str('x')));
    expect(thrown(() => decodeHandshakeRequest(unknownPeer)).message).toMatch(/unknown peer type 9/);
    const trailing = w.u8(w.cat(w.int(1), w.int(0), w.int(0), w.int(2), w.bin([]), w.str('x'), w.nil()));
    expect(thrown(() => decodeHandshakeRequest(trailing)).message).toMatch(/trailing/);
  });

  it('rejects a connection that does not start with the magic bytes', () => {
    const error = thrown(() =>
      new FrameDecoder().decode(w.u8(w.cat([0x49, 0x47, 0x4e, 0x4a], w.frame(w.int(1))))),
    );
    expect(error.code).toBe('PROTOCOL_ERROR');
    expect(error.message).toMatch(/bad preamble/);
  });

  it('carries extensions both ways, and a request without them reads as before', () => {
    const extensions = new Map<string, string | Uint8Array>([
      ['authn-type', 'basic'],
      ['authn-identity', 'alice'],
      ['authn-secret', 'alice-password'],
    ]);
    const request = decodeHandshakeRequest(
      firstFrame(encodeHandshakeRequest({ ...CLIENT_HELLO, extensions })),
    );
    expect(request.extensions).toEqual(extensions);
    const challenge = new Map([['authn-challenge', Uint8Array.of(1, 2, 3)]]);
    const server = answerHandshake(
      firstFrame(encodeHandshakeRequest(CLIENT_HELLO)),
      { nodeName: 'node-1', admit: () => challenge },
      TRACE,
    );
    expect(server.request?.extensions).toBeUndefined();
    const result = checkHandshakeResponse(
      decodeHandshakeResponse(firstFrame(encodeHandshakeResponse(server.response))),
    );
    expect(result.extensions).toEqual(challenge);
  });

  it('answers a request its host does not admit with the host error as a rejection', () => {
    const refusal = Object.assign(new Error('authentication failed: unknown user or wrong password'), {
      code: 'AUTHENTICATION_FAILED',
    });
    const { request, response } = answerHandshake(
      firstFrame(encodeHandshakeRequest(CLIENT_HELLO)),
      {
        nodeName: 'node-1',
        admit: () => {
          throw refusal;
        },
      },
      TRACE,
    );
    expect(request).toBeNull();
    const answer = decodeHandshakeResponse(firstFrame(encodeHandshakeResponse(response)));
    const error = thrown(() => checkHandshakeResponse(answer));
    expect(error.code).toBe('AUTHENTICATION_FAILED');
    expect(error.retryable).toBe(false);
  });

  it('refuses malformed extensions without quoting their values', () => {
    const base = [w.int(1), w.int(0), w.int(0), w.int(2), w.bin([7]), w.str('c')];
    const wrongType = w.u8(w.cat(...base, w.map(1), w.str('authn-secret'), w.int(1234567)));
    const typeError = thrown(() => decodeHandshakeRequest(wrongType));
    expect(typeError.message).toMatch(/extensions\.authn-secret: expected str or bin/);
    expect(typeError.message).not.toContain('1234567');
    const duplicate = w.u8(
      w.cat(...base, w.map(2), w.str('k'), w.str('s3cret'), w.str('k'), w.str('s3cret')),
    );
    const duplicateError = thrown(() => decodeHandshakeRequest(duplicate));
    expect(duplicateError.message).toMatch(/duplicate key "k"/);
    expect(duplicateError.message).not.toContain('s3cret');
    const entries = Array.from({ length: 33 }, (_, i) => w.cat(w.str(`k${i}`), w.str('v')));
    const tooMany = w.u8(w.cat(...base, w.map(33), ...entries));
    expect(thrown(() => decodeHandshakeRequest(tooMany)).message).toMatch(/33 entries/);
  });
});
