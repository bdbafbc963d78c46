/**
 * Heap measurement for the memory figures: a full GC (the case runs under `--expose-gc`), then the used heap.
 * It does not decide what the growth means; the stream case does.
 */

/**
 * Used heap bytes after two full collections (the second catches what the first's finalizers freed).
 * @throws Error when the process was not started with `--expose-gc`.
 */
export function heapAfterGc(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('run the case with node --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}
