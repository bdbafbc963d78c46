/**
 * The default producer id of a streamer run (when the `producerId` option is not given): a random version-4
 * UUID drawn from the injected `Rng`, so a seeded client draws the same ids every run. It does not number
 * batches (the core does) nor register the producer (the sink does).
 *
 * Ids come from one child stream of the stream's `Rng` (`child('stream-ids')`, kept per parent), never from
 * the parent itself: drawing an id must not shift the parent's other draws (backoff jitter). Two clients
 * seeded alike draw the same ids (a run of one would then fence the other's, as two runs of one producer
 * do): seed the clients of one cluster differently, as the simulation does, or name producers yourself.
 */
import type { Rng } from '@datastreamer/protocol';

const idStreams = new WeakMap<Rng, Rng>();

/** Draws the next default producer id from `rng`'s id stream (see the module header). */
export function nextProducerId(rng: Rng): string {
  return nextId(rng);
}

/** Draws a run's id (see `PRODUCER_REGISTER`) from `rng`'s id stream. */
export function nextRunId(rng: Rng): string {
  return nextId(rng);
}

function nextId(rng: Rng): string {
  let ids = idStreams.get(rng);
  if (ids === undefined) {
    ids = rng.child('stream-ids');
    idStreams.set(rng, ids);
  }
  return randomUuid(ids);
}

/** Draws a random UUID (version 4, RFC 4122 variant) from `rng`: 122 random bits, as lower-case text. */
export function randomUuid(rng: Rng): string {
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
