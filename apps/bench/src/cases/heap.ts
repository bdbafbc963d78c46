/**
 * Heap measurement for the memory figures: a full GC (the case runs under `--expose-gc`), then the used heap
 * plus the bytes of ArrayBuffer backing stores. The latter live outside V8's heap (`heapUsed` leaves out any
 * `Uint8Array` over 64 bytes), and the stores keep rows in large byte slabs, so without them the figure would
 * miss most of what a stored row costs. It does not decide what the growth means; the stream case does.
 */

/**
 * Used heap bytes plus ArrayBuffer bytes after two full collections (the second catches what the first's
 * finalizers freed).
 * @throws Error when the process was not started with `--expose-gc`.
 */
export function heapAfterGc(): number {
  const gc = globalThis.gc;
  if (gc === undefined) throw new Error('run the case with node --expose-gc');
  gc();
  gc();
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}
