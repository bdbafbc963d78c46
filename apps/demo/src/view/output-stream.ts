/**
 * Where the demo writes: a writable stream that may be a terminal (`isTTY`, `columns`). `process.stdout`
 * and `process.stderr` are ones; tests pass a plain stream, which is not a terminal.
 */
export interface OutputStream extends NodeJS.WritableStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
}
