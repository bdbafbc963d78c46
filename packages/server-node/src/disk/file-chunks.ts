/**
 * The content of one simulated file as a list of immutable chunks, so appending costs no copy of what is
 * already there. Reading joins the chunks once and keeps the joined bytes as the only chunk.
 *
 * Chunks are never modified after they join a list, which lets a copy of the list (`clone`) share them.
 */
export class FileChunks {
  #chunks: Uint8Array[];
  #length: number;

  private constructor(chunks: Uint8Array[], length: number) {
    this.#chunks = chunks;
    this.#length = length;
  }

  /** A file holding `data` (which the caller must not change afterwards). */
  static of(data: Uint8Array): FileChunks {
    return new FileChunks(data.length === 0 ? [] : [data], data.length);
  }

  get length(): number {
    return this.#length;
  }

  append(data: Uint8Array): void {
    if (data.length === 0) return;
    this.#chunks.push(data);
    this.#length += data.length;
  }

  /** Keeps the first `length` bytes (`length` is at most the current length). */
  truncate(length: number): void {
    let kept = 0;
    const chunks: Uint8Array[] = [];
    for (const chunk of this.#chunks) {
      if (kept >= length) break;
      const take = Math.min(chunk.length, length - kept);
      chunks.push(take === chunk.length ? chunk : chunk.subarray(0, take));
      kept += take;
    }
    this.#chunks = chunks;
    this.#length = kept;
  }

  /** The whole content. The caller must not change it: it may be shared with a clone. */
  bytes(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0] as Uint8Array;
    const joined = new Uint8Array(this.#length);
    let at = 0;
    for (const chunk of this.#chunks) {
      joined.set(chunk, at);
      at += chunk.length;
    }
    this.#chunks = this.#length === 0 ? [] : [joined];
    return joined;
  }

  /** A file with the same content whose later changes do not affect this one. */
  clone(): FileChunks {
    return new FileChunks([...this.#chunks], this.#length);
  }
}
