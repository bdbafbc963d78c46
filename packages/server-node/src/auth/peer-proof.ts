/**
 * The proof a node peer gives that it knows the cluster secret: HMAC-SHA256 keyed by the secret, over a
 * fixed label, the connecting node's name, the accepting node's name and the accepting node's challenge
 * (each name followed by a zero byte, so no two inputs run together). The challenge is fresh per connection
 * (drawn from the accepting node's `Rng`), so a proof recorded on one connection proves nothing on another;
 * the names bind it to one pair of nodes. `node:crypto`'s HMAC is deterministic, which keeps the simulation
 * replayable.
 *
 * It computes and compares proofs; it does not decide who must give one (authenticator.ts does).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** What the MAC starts with: names the scheme, so a proof of this use never passes for another. */
const LABEL = 'datastreamer node-auth v1';
/** Bytes of a challenge. */
export const CHALLENGE_BYTES = 16;

/** The proof `from` gives `to` over `challenge`, with `secret` as the key. */
export function peerProof(secret: Uint8Array, from: string, to: string, challenge: Uint8Array): Uint8Array {
  const mac = createHmac('sha256', secret);
  mac.update(`${LABEL}\0${from}\0${to}\0`, 'utf8');
  mac.update(challenge);
  return new Uint8Array(mac.digest());
}

/** Whether `proof` is the proof `from` owes `to` over `challenge`, compared in constant time. */
export function isPeerProof(
  secret: Uint8Array,
  from: string,
  to: string,
  challenge: Uint8Array,
  proof: Uint8Array,
): boolean {
  const expected = peerProof(secret, from, to, challenge);
  return proof.length === expected.length && timingSafeEqual(proof, expected);
}
