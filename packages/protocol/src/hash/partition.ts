/**
 * The one partition function of the project, used by the client to route a row and by the server to place
 * it, so both always agree: `partitionFor(hash, partitions) = safeAbs(hash) % partitions`, where
 * `safeAbs(-2^31) = 0`.
 *
 * This is Ignite 3's server formula (`IgniteUtils.safeAbs(row.colocationHash()) % partitions` in
 * `InternalTableImpl.partitionId`). Ignite's clients use `Math.abs(hash % partitions)` instead; the two
 * differ only for hash = -2^31 with a partition count that is not a power of two (the server says 0, the
 * client `2^31 % partitions`). Where data actually lives is the server's decision, so that is the formula
 * to match; a client that disagrees would only cost a forwarded request in Ignite, but here one formula on
 * both sides means none is ever needed.
 *
 * Does not compute the hash (`colocation-hash.ts`) nor map a partition to a node.
 */
import { ProtocolError } from '../errors/protocol-error.js';

const INT32_MIN = -0x80000000;

/**
 * The partition, in `0..partitions - 1`, of a row whose colocation hash is `hash`.
 *
 * @param hash a colocation hash: a signed 32-bit integer
 * @param partitions the table's partition count: a positive integer (no default)
 * @throws {ProtocolError} `INVALID_ARGUMENT` naming `hash` or `partitions` when either is out of range
 */
export function partitionFor(hash: number, partitions: number): number {
  if ((hash | 0) !== hash) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `partitionFor: hash must be a 32-bit signed integer, got ${hash}`,
    );
  }
  if (!Number.isSafeInteger(partitions) || partitions < 1) {
    throw new ProtocolError(
      'INVALID_ARGUMENT',
      `partitionFor: partitions must be a positive integer, got ${String(partitions)}`,
    );
  }
  // Java's Math.abs(Integer.MIN_VALUE) overflows back to MIN_VALUE, which safeAbs turns into 0.
  const magnitude = hash === INT32_MIN ? 0 : Math.abs(hash);
  return magnitude % partitions;
}
