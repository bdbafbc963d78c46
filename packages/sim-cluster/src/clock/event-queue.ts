/**
 * The simulation's event queue: a binary min-heap ordered by `(due, seq)`. `seq` is unique and increasing
 * in insertion order, so events due at the same time come out in the order they were queued, and the order
 * never depends on the heap's shape.
 *
 * It does not know about cancellation: the clock marks cancelled events and skips them when they reach the
 * top (lazy deletion), and calls `retain` to drop them in bulk when they pile up.
 */

/** What the queue needs to know about an event. */
export interface QueuedEvent {
  /** Virtual time the event is due at. */
  readonly due: number;
  /** Unique, increasing in insertion order: the tie-breaker for equal `due`. */
  readonly seq: number;
}

function before(a: QueuedEvent, b: QueuedEvent): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/** A binary min-heap of events by `(due, seq)`. */
export class EventQueue<E extends QueuedEvent> {
  #heap: E[] = [];

  /** Number of events held (including any the owner considers cancelled). */
  get size(): number {
    return this.#heap.length;
  }

  /** The earliest event, without removing it. */
  peek(): E | undefined {
    return this.#heap[0];
  }

  push(event: E): void {
    const heap = this.#heap;
    heap.push(event);
    this.#siftUp(heap.length - 1);
  }

  /** Removes and returns the earliest event. */
  pop(): E | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top !== undefined && last !== undefined && heap.length > 0) {
      heap[0] = last;
      this.#siftDown(0);
    }
    return top;
  }

  /** Keeps only the events `keep` accepts, then restores heap order in O(n). */
  retain(keep: (event: E) => boolean): void {
    this.#heap = this.#heap.filter(keep);
    for (let i = (this.#heap.length >> 1) - 1; i >= 0; i--) {
      this.#siftDown(i);
    }
  }

  /** Removes every event and returns them, in no particular order. */
  drain(): E[] {
    const all = this.#heap;
    this.#heap = [];
    return all;
  }

  #siftUp(index: number): void {
    const heap = this.#heap;
    const moving = heap[index];
    if (moving === undefined) {
      return;
    }
    let i = index;
    while (i > 0) {
      const parentIndex = (i - 1) >> 1;
      const parent = heap[parentIndex];
      if (parent === undefined || !before(moving, parent)) {
        break;
      }
      heap[i] = parent;
      i = parentIndex;
    }
    heap[i] = moving;
  }

  #siftDown(index: number): void {
    const heap = this.#heap;
    const length = heap.length;
    const moving = heap[index];
    if (moving === undefined) {
      return;
    }
    let i = index;
    for (;;) {
      const leftIndex = 2 * i + 1;
      const left = heap[leftIndex];
      if (left === undefined) {
        break;
      }
      let childIndex = leftIndex;
      let child = left;
      const right = leftIndex + 1 < length ? heap[leftIndex + 1] : undefined;
      if (right !== undefined && before(right, left)) {
        childIndex = leftIndex + 1;
        child = right;
      }
      if (!before(child, moving)) {
        break;
      }
      heap[i] = child;
      i = childIndex;
    }
    heap[i] = moving;
  }
}
