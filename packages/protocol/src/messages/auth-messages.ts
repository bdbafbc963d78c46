/**
 * The integrity ops (ours, codes 240-249).
 *
 * | op | request payload | result payload |
 * |---|---|---|
 * | NODE_AUTHENTICATE (240) | `proof: bin` | (none) |
 *
 * NODE_AUTHENTICATE is the first request of a node peer, right after the handshake: `proof` is the HMAC-SHA256,
 * keyed by the cluster secret, of the `authn-challenge` nonce the accepting node put in its handshake answer
 * (and of both names; see server-node's node/peer-auth.ts). Until it is answered the connection serves
 * nothing else; a wrong proof is answered `AUTHENTICATION_FAILED` and the connection closes.
 */
import type { OpCodec, RequestBase } from './op-codec.js';
import { NO_RESULT } from './op-codec.js';

export interface NodeAuthenticateRequest extends RequestBase<'NODE_AUTHENTICATE'> {
  readonly proof: Uint8Array;
}

export const nodeAuthenticateCodec: OpCodec<NodeAuthenticateRequest, null> = {
  writeRequest(writer, request) {
    writer.writeBinary(request.proof);
  },
  readRequest: (reader, requestId) => ({
    op: 'NODE_AUTHENTICATE',
    requestId,
    proof: reader.readBinary('proof').slice(),
  }),
  ...NO_RESULT,
};
