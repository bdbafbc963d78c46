/**
 * Trace ids for error responses and handshake rejections, in UUID form: the first 32 bits are a hash of the
 * node's name (so ids of different nodes differ), the rest a per-node counter. Deterministic on purpose: the
 * simulation replays a seed to the same bytes, and a trace id only has to find the failure in this node's
 * log, which records it next to the error.
 */

/** FNV-1a over the UTF-16 code units of `text`: a small stable 32-bit hash. */
export function nameHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Hands out the trace ids of one node. */
export class TraceIds {
  readonly #prefix: string;
  #counter = 0;

  constructor(nodeName: string) {
    this.#prefix = nameHash(nodeName).toString(16).padStart(8, '0');
  }

  /** The next id, e.g. `5d4b1c20-0000-0000-0000-000000000007`. */
  next(): string {
    const n = (++this.#counter).toString(16).padStart(24, '0');
    return `${this.#prefix}-${n.slice(0, 4)}-${n.slice(4, 8)}-${n.slice(8, 12)}-${n.slice(12, 24)}`;
  }
}
