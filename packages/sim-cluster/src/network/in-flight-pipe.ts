/**
 * One direction of one simulated connection: the units in flight, ordered by arrival time, and the one
 * clock timer that delivers the earliest of them.
 *
 * Ordering: a unit's arrival time is `now + delay`, raised to the latest arrival time already given out
 * when the unit must keep FIFO order (data without `reorder`, and every control unit), or to the latest
 * control unit's arrival (data with `reorder`: data may overtake data, never the set-up or close). Units are
 * kept sorted by arrival time, ties in push order, so delivery follows that order.
 *
 * One unit per clock event: after delivering one, the pipe re-arms for the next, even if it is due at the
 * same instant, so the receiver's promise continuations run between two units as they would between two
 * socket reads, and units of different connections interleave by time, not by connection.
 *
 * Clogs: the pipe asks `clogEnd()` before delivering; while clogged it waits for the clog's end and then
 * lets the held units flow in order. It does not apply faults or know about connections: `deliver` does.
 */
import type { Clock, TimerHandle } from '@datastreamer/protocol';

/** What a unit carries: data, or a step of the connection's life. */
export const UnitKinds = {
  /** Bytes from one `send`. */
  data: 0,
  /** The opening side's connection request. */
  open: 1,
  /** The accepting side's answer: connection established. */
  accept: 2,
  /** The answer to an open that cannot be served. */
  refuse: 3,
  /** The sender closed the connection: nothing follows. */
  close: 4,
} as const;

export type UnitKind = (typeof UnitKinds)[keyof typeof UnitKinds];

/** One unit in flight. */
export interface InFlightUnit {
  readonly kind: UnitKind;
  /** Virtual time it arrives at. */
  readonly due: number;
  /** The bytes (a private copy); empty for control units. */
  readonly bytes: Uint8Array;
  /** On arrival it resets the connection instead of being delivered (the `reset` fault). */
  readonly resetOnArrival: boolean;
}

const NO_BYTES = new Uint8Array(0);

export class InFlightPipe {
  readonly #clock: Clock;
  readonly #clogEnd: () => number;
  readonly #deliver: (unit: InFlightUnit) => void;
  /**
   * Sorted by `due`; live entries start at `#head` (a moving start avoids shifting the array). Slots before
   * `#head` are cleared so delivered bytes can be collected before the next compaction.
   */
  #units: (InFlightUnit | undefined)[] = [];
  #head = 0;
  #lastDue = Number.NEGATIVE_INFINITY;
  #lastControlDue = Number.NEGATIVE_INFINITY;
  #dataUnits = 0;
  #dataBytes = 0;
  #timer: TimerHandle | undefined;
  #timerAt = Number.NaN;

  /**
   * @param clogEnd the virtual time until which this direction is clogged (-Infinity when it is not).
   * @param deliver called with each unit when it arrives; may reset the connection (and so `clear` this pipe).
   */
  constructor(clock: Clock, clogEnd: () => number, deliver: (unit: InFlightUnit) => void) {
    this.#clock = clock;
    this.#clogEnd = clogEnd;
    this.#deliver = deliver;
  }

  /** Data units in flight. */
  get dataUnits(): number {
    return this.#dataUnits;
  }

  /** Bytes of the data units in flight. */
  get dataBytes(): number {
    return this.#dataBytes;
  }

  /** Queues a data unit `delayMs` from now; `fifo` keeps it behind every earlier unit. */
  pushData(bytes: Uint8Array, delayMs: number, fifo: boolean, resetOnArrival: boolean): void {
    const earliest = this.#clock.now() + delayMs;
    const due = Math.max(earliest, fifo ? this.#lastDue : this.#lastControlDue);
    this.#dataUnits++;
    this.#dataBytes += bytes.length;
    this.#insert({ kind: UnitKinds.data, due, bytes, resetOnArrival });
  }

  /** Queues a control unit `delayMs` from now, behind every earlier unit. */
  pushControl(kind: Exclude<UnitKind, typeof UnitKinds.data>, delayMs: number): void {
    const due = Math.max(this.#clock.now() + delayMs, this.#lastDue);
    this.#lastControlDue = due;
    this.#insert({ kind, due, bytes: NO_BYTES, resetOnArrival: false });
  }

  /** Drops everything in flight and stops the timer. Returns the number of data units dropped. */
  clear(): number {
    const dropped = this.#dataUnits;
    this.#units = [];
    this.#head = 0;
    this.#dataUnits = 0;
    this.#dataBytes = 0;
    this.#cancelTimer();
    return dropped;
  }

  /** Re-computes when the next delivery is due: call after a clog was lifted early. */
  rearm(): void {
    this.#cancelTimer();
    this.#arm();
  }

  #insert(unit: InFlightUnit): void {
    const units = this.#units;
    const last = units[units.length - 1];
    if (last === undefined || this.#head === units.length || last.due <= unit.due) {
      units.push(unit);
    } else {
      // Binary search for the first unit due strictly later: equal due times keep push order.
      let lo = this.#head;
      let hi = units.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((units[mid] as InFlightUnit).due <= unit.due) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      units.splice(lo, 0, unit);
    }
    if (unit.due > this.#lastDue) {
      this.#lastDue = unit.due;
    }
    this.#arm();
  }

  /** Makes sure the timer is set for the head unit (no-op when it already is). */
  #arm(): void {
    const head = this.#units[this.#head];
    if (head === undefined) {
      this.#cancelTimer();
      return;
    }
    const at = Math.max(head.due, this.#clogEnd());
    if (this.#timer !== undefined && this.#timerAt === at) {
      return;
    }
    this.#cancelTimer();
    this.#timerAt = at;
    this.#timer = this.#clock.setTimer(at - this.#clock.now(), this.#onTimer);
  }

  #cancelTimer(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
    this.#timerAt = Number.NaN;
  }

  // One closure per pipe, shared by all its timers.
  readonly #onTimer = (): void => {
    // Compare against the time the timer was set for, not `now()`: `now + (at - now)` may miss `at` by a
    // rounding step with fractional delays, which would re-arm forever for a unit that is due.
    const now = this.#clock.now();
    const firedAt = Math.max(this.#timerAt, now);
    this.#timer = undefined;
    this.#timerAt = Number.NaN;
    const head = this.#units[this.#head];
    if (head === undefined) {
      return;
    }
    if (head.due > firedAt || this.#clogEnd() > firedAt) {
      this.#arm();
      return;
    }
    this.#units[this.#head] = undefined;
    this.#head++;
    if (this.#head === this.#units.length) {
      this.#units = [];
      this.#head = 0;
    } else if (this.#head >= 64 && this.#head * 2 >= this.#units.length) {
      this.#units = this.#units.slice(this.#head);
      this.#head = 0;
    }
    if (head.kind === UnitKinds.data) {
      this.#dataUnits--;
      this.#dataBytes -= head.bytes.length;
    }
    // Arm for the next unit before handing this one over, so the pipe stays consistent if the receiver
    // throws; a reset inside `deliver` clears the pipe and cancels this timer.
    this.#arm();
    this.#deliver(head);
  };
}
