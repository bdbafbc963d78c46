/**
 * A follower's side of a snapshot that arrives in chunks: it gathers the chunks of one snapshot in order and
 * says which offset it wants next. A chunk of another snapshot, or one that does not start where the last
 * ended, is not taken: the answer names the offset to resend from (0 for a snapshot it is not receiving).
 *
 * It keeps chunks in memory only: a crash loses them and the leader starts again from offset 0.
 */
import type { RaftSnapshotMeta } from '@datastreamer/protocol/internal';

export class SnapshotReceiver {
  readonly meta: RaftSnapshotMeta;
  #chunks: Uint8Array[] = [];
  #received = 0;

  constructor(meta: RaftSnapshotMeta) {
    this.meta = meta;
  }

  /** Bytes received so far: the offset wanted next. */
  get received(): number {
    return this.#received;
  }

  /** Whether `meta` names the snapshot being received. */
  isFor(meta: RaftSnapshotMeta): boolean {
    return meta.index === this.meta.index && meta.term === this.meta.term;
  }

  /** Takes `data` if it starts at `offset` = `received`; returns whether it did. */
  take(offset: number, data: Uint8Array): boolean {
    if (offset !== this.#received) return false;
    // The request's bytes may be a view of a frame that is reused: keep a copy.
    this.#chunks.push(data.slice());
    this.#received += data.length;
    return true;
  }

  /** The whole snapshot. */
  bytes(): Uint8Array {
    const out = new Uint8Array(this.#received);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
