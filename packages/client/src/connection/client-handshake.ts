/**
 * The bytes a client opens a connection with: the preamble and its handshake as peer type `client`, with
 * credentials, when it has any, as Ignite 3's basic authentication extensions (`authn-type` `basic`,
 * `authn-identity`, `authn-secret`). It does not send them or read the answer (node-connection.ts does).
 */
import {
  AUTHN_TYPE_BASIC,
  encodeHandshakeRequest,
  HandshakeExtensionKeys,
  PROTOCOL_VERSION,
  SUPPORTED_FEATURES,
} from '@datastreamer/protocol';
import type { BasicCredentials } from './connection-options.js';

/** The preamble and handshake of a client named `name` (announcing `features`, default every one). */
export function clientHandshake(
  name: string,
  credentials: BasicCredentials | undefined,
  features: Uint8Array = SUPPORTED_FEATURES,
): Uint8Array {
  return encodeHandshakeRequest({
    version: PROTOCOL_VERSION,
    peerType: 'client',
    features,
    name,
    ...(credentials === undefined
      ? {}
      : {
          extensions: new Map([
            [HandshakeExtensionKeys.authnType, AUTHN_TYPE_BASIC],
            [HandshakeExtensionKeys.authnIdentity, credentials.username],
            [HandshakeExtensionKeys.authnSecret, credentials.password],
          ]),
        }),
  });
}
