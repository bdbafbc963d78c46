/**
 * Transaction ids in UUID form, after Ignite 3's `TransactionIds`: the high 64 bits are the start timestamp
 * (so ids sort by start), the low 64 bits the node id and a per-node sequence (so two nodes, or two managers
 * sharing a clock, never mint the same id). Deterministic: no randomness involved. It does not parse ids.
 */

const HEX_64 = 16;

/**
 * The id `tttttttt-tttt-tttt-nnnn-nnnnssssssss` for start timestamp `t`, node `n` and sequence `s`.
 *
 * @param nodeId taken as an unsigned 32-bit integer.
 * @param sequence taken as an unsigned 32-bit integer (wraps).
 */
export function formatTxId(startTs: bigint, nodeId: number, sequence: number): string {
  const high = BigInt.asUintN(64, startTs).toString(16).padStart(HEX_64, '0');
  const low = (nodeId >>> 0).toString(16).padStart(8, '0') + (sequence >>> 0).toString(16).padStart(8, '0');
  return `${high.slice(0, 8)}-${high.slice(8, 12)}-${high.slice(12, 16)}-${low.slice(0, 4)}-${low.slice(4, 16)}`;
}
