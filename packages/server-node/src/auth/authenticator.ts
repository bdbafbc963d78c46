/**
 * Who a node lets in. Clients authenticate in the handshake with Ignite 3's basic scheme (extensions
 * `authn-type` = `basic`, `authn-identity`, `authn-secret`) when the node has users; without users, every
 * client is admitted and credentials are ignored. Node peers prove they know the cluster secret: the node
 * answers their handshake with a fresh challenge from its `Rng` and checks their proof (peer-proof.ts); a
 * node without a cluster secret admits no node peer, and cannot prove itself to one.
 *
 * Every refusal is a `ServerError` `AUTHENTICATION_FAILED` (not retryable) whose message names neither the
 * password nor which of user name and password was wrong. Passwords and the secret are compared through
 * SHA-256 digests in constant time, and are never logged or put in an error.
 *
 * It does not keep sessions or close connections (connection-session.ts does).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  AUTHN_TYPE_BASIC,
  HandshakeExtensionKeys,
  type HandshakeExtensions,
  type Rng,
} from '@datastreamer/protocol';
import { ServerError } from '../errors/server-error.js';
import { CHALLENGE_BYTES, isPeerProof, peerProof } from './peer-proof.js';

/** A user a node admits (basic authentication). */
export interface UserCredentials {
  readonly username: string;
  readonly password: string;
}

/** How a node authenticates its peers. */
export interface AuthenticationOptions {
  /** The users clients may authenticate as. Default: none, so clients need no credentials. */
  readonly users?: readonly UserCredentials[];
  /**
   * The secret every node of the cluster shares, to admit node peers and be admitted by them. Default: none,
   * so the node admits no node peer and can open no link to one.
   */
  readonly clusterSecret?: string | Uint8Array;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function refused(why: string): ServerError {
  return new ServerError('AUTHENTICATION_FAILED', `authentication failed: ${why}`);
}

/** Compared with when the user is unknown, so an unknown name costs what a wrong password does. */
const NO_PASSWORD = digest('');

export class Authenticator {
  readonly #nodeName: string;
  readonly #rng: Rng;
  /** User name to the digest of its password; `null` when clients need no credentials. */
  readonly #users: ReadonlyMap<string, Buffer> | null;
  readonly #secret: Uint8Array | null;

  /** @throws ServerError `INVALID_ARGUMENT` for a malformed user list or an empty cluster secret. */
  constructor(nodeName: string, rng: Rng, options: AuthenticationOptions = {}) {
    this.#nodeName = nodeName;
    this.#rng = rng;
    this.#users = usersOf(options.users);
    this.#secret = secretOf(options.clusterSecret);
  }

  /** Whether clients must authenticate. */
  get requiresCredentials(): boolean {
    return this.#users !== null;
  }

  /**
   * Admits a client with the extensions of its handshake.
   * @throws ServerError `AUTHENTICATION_FAILED` when the node has users and the credentials are missing,
   *   of another scheme, or wrong.
   */
  admitClient(extensions: HandshakeExtensions | undefined): void {
    const users = this.#users;
    if (users === null) return;
    const type = extensions?.get(HandshakeExtensionKeys.authnType);
    const identity = extensions?.get(HandshakeExtensionKeys.authnIdentity);
    const secret = extensions?.get(HandshakeExtensionKeys.authnSecret);
    if (type === undefined && identity === undefined && secret === undefined) {
      throw refused(`${this.#nodeName} requires a user name and password (authn-type ${AUTHN_TYPE_BASIC})`);
    }
    if (type !== AUTHN_TYPE_BASIC) throw refused(`the only authn-type served is ${AUTHN_TYPE_BASIC}`);
    if (typeof identity !== 'string' || typeof secret !== 'string') {
      throw refused('authn-identity and authn-secret must both be given, as strings');
    }
    const expected = users.get(identity);
    const matches = timingSafeEqual(digest(secret), expected ?? NO_PASSWORD);
    if (expected === undefined || !matches) throw refused('unknown user or wrong password');
  }

  /**
   * A fresh challenge for a node peer's handshake answer.
   * @throws ServerError `AUTHENTICATION_FAILED` when this node has no cluster secret (it admits no node peer).
   */
  challenge(): Uint8Array {
    if (this.#secret === null) {
      throw refused(`${this.#nodeName} has no cluster secret, so it admits no node peer`);
    }
    const bytes = new Uint8Array(CHALLENGE_BYTES);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < CHALLENGE_BYTES; i += 4) view.setUint32(i, this.#rng.nextUint32());
    return bytes;
  }

  /**
   * Checks the proof node peer `peer` gave over `challenge` (this node's, from {@link challenge}).
   * @throws ServerError `AUTHENTICATION_FAILED` when it is not the proof of the cluster secret.
   */
  checkPeer(peer: string, challenge: Uint8Array, proof: Uint8Array): void {
    const secret = this.#secret;
    if (secret === null || !isPeerProof(secret, peer, this.#nodeName, challenge, proof)) {
      throw refused(`${peer} did not prove it knows the cluster secret`);
    }
  }

  /**
   * This node's proof to node `peer` over the challenge `peer` answered its handshake with.
   * @throws ServerError `AUTHENTICATION_FAILED` when this node has no cluster secret.
   */
  proveTo(peer: string, challenge: Uint8Array): Uint8Array {
    if (this.#secret === null) {
      throw refused(`${this.#nodeName} has no cluster secret to prove itself to ${peer} with`);
    }
    return peerProof(this.#secret, this.#nodeName, peer, challenge);
  }
}

function usersOf(users: readonly UserCredentials[] | undefined): ReadonlyMap<string, Buffer> | null {
  if (users === undefined) return null;
  if (!Array.isArray(users)) {
    throw new ServerError('INVALID_ARGUMENT', 'users: expected an array of { username, password }');
  }
  const byName = new Map<string, Buffer>();
  users.forEach((user: unknown, i) => {
    const { username, password } = (user ?? {}) as { username?: unknown; password?: unknown };
    if (typeof username !== 'string' || username.length === 0 || typeof password !== 'string') {
      // The entry itself is not quoted: it may hold a password.
      throw new ServerError(
        'INVALID_ARGUMENT',
        `users[${i}]: expected { username: a non-empty string, password: a string }`,
      );
    }
    if (byName.has(username)) {
      throw new ServerError('INVALID_ARGUMENT', `users[${i}]: user "${username}" is listed twice`);
    }
    byName.set(username, digest(password));
  });
  return byName;
}

function secretOf(secret: string | Uint8Array | undefined): Uint8Array | null {
  if (secret === undefined) return null;
  const bytes =
    typeof secret === 'string'
      ? new TextEncoder().encode(secret)
      : secret instanceof Uint8Array
        ? secret
        : null;
  if (bytes === null || bytes.length === 0) {
    throw new ServerError('INVALID_ARGUMENT', 'clusterSecret: expected a non-empty string or Uint8Array');
  }
  return Uint8Array.from(bytes);
}
