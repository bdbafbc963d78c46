/**
 * What a user configures about the client's connections themselves: how a lost endpoint is reconnected and
 * the credentials sent in the handshake. Types only: `client-options.ts` validates them and holds their
 * defaults; the pool and the handshake read them.
 */
import type { BackoffOptions } from '../runtime/backoff.js';

/**
 * How a lost or unreachable endpoint is retried in the background: an exponential backoff with jitter, so
 * clients that lost a node together do not all knock on its door at once. Defaults: 100 ms, x2, up to
 * 5000 ms, jitter 0.5.
 */
export type ReconnectOptions = BackoffOptions;

/** A user name and password, sent in the handshake as Ignite 3's basic authentication. */
export interface BasicCredentials {
  /** A non-empty user name. */
  readonly username: string;
  readonly password: string;
}
