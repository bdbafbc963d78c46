/**
 * What a user configures about the client's connections themselves: how a lost endpoint is reconnected and
 * the credentials sent in the handshake. Types only: `client-options.ts` validates them and holds their
 * defaults; the pool and the handshake read them.
 */

/** How a lost or unreachable endpoint is retried in the background: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** Delay before the first reconnect attempt, in ms (>= 0). Default 100. */
  readonly initialMs?: number;
  /** Factor applied to the delay after each failed attempt (>= 1). Default 2. */
  readonly multiplier?: number;
  /** Cap on the delay, in ms (>= 0). Default 5000. */
  readonly maxMs?: number;
  /**
   * Share of the delay that is random, in [0, 1]: the delay is uniform in `[delay * (1 - jitter), delay]`, so
   * clients that lost a node together do not all knock on its door at once. Default 0.5.
   */
  readonly jitter?: number;
}

/** A user name and password, sent in the handshake as Ignite 3's basic authentication. */
export interface BasicCredentials {
  /** A non-empty user name. */
  readonly username: string;
  readonly password: string;
}
