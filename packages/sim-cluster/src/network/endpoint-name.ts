/**
 * Endpoint names and the keys the network files its per-link state under.
 *
 * An endpoint is just a name ('node-1', 'client-1', ...): the network keeps no registry of them, so a cut
 * or a clog can name an endpoint before it ever connects. A link is the UNORDERED pair of two endpoints:
 * `linkKey(a, b) === linkKey(b, a)`. Directed state (a one-way cut) uses `directedKey(from, to)`.
 */
import { SimNetworkError } from './sim-network-error.js';

// NUL cannot occur in a valid name, so joining two names with it never makes two pairs collide.
const SEPARATOR = '\u0000';

/**
 * Checks that `name` can name an endpoint and returns it.
 *
 * @param what how the caller calls this argument, for the error message.
 * @throws SimNetworkError `INVALID_ARGUMENT` when `name` is not a non-empty string, or contains NUL.
 */
export function checkEndpointName(name: unknown, what: string): string {
  if (typeof name !== 'string' || name.length === 0 || name.includes(SEPARATOR)) {
    throw new SimNetworkError(
      'INVALID_ARGUMENT',
      `${what} must be a non-empty endpoint name without NUL characters, got ${JSON.stringify(name)}`,
    );
  }
  return name;
}

/** The key of the link between `a` and `b`, the same in both directions. */
export function linkKey(a: string, b: string): string {
  return a < b ? a + SEPARATOR + b : b + SEPARATOR + a;
}

/** The key of the direction `from` -> `to`. */
export function directedKey(from: string, to: string): string {
  return from + SEPARATOR + to;
}
