/**
 * The id of one streamer run, as sent in each of its batches (`streamId`, the key of the node's batch fence):
 * a random version-4 UUID drawn from the injected `Rng`, so a seeded client draws the same ids every run. It
 * does not number batches (the table sink does).
 *
 * Ids come from one child stream of the client's `Rng` (`child('stream-ids')`, kept per parent), never from
 * the parent itself: drawing an id must not shift the parent's other draws (backoff jitter), so a seeded
 * scenario replays the same with or without fencing. Two clients seeded alike draw the same ids (their
 * streams would then fence each other): seed clients of one cluster differently, as the simulation does.
 */
import type { Rng } from '@datastreamer/protocol';

const idStreams = new WeakMap<Rng, Rng>();

/** Draws the next stream id of the client whose `Rng` is `rng` (see the module header). */
export function nextStreamId(rng: Rng): string {
  let ids = idStreams.get(rng);
  if (ids === undefined) {
    ids = rng.child('stream-ids');
    idStreams.set(rng, ids);
  }
  return randomStreamId(ids);
}

/** Draws a random UUID (version 4, RFC 4122 variant) from `rng`: 122 random bits, as lower-case text. */
export function randomStreamId(rng: Rng): string {
  const a = rng.nextUint32();
  // Version 4 in the top nibble of the third group; the variant's top two bits (10) in the fourth.
  const b = ((rng.nextUint32() & 0xffff0fff) | 0x00004000) >>> 0;
  const c = ((rng.nextUint32() & 0x3fffffff) | 0x80000000) >>> 0;
  const d = rng.nextUint32();
  const hex = hex8(a) + hex8(b) + hex8(c) + hex8(d);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function hex8(value: number): string {
  return value.toString(16).padStart(8, '0');
}
