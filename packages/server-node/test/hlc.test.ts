import type { Clock } from '@datastreamer/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HybridClock,
  hybridTimestamp,
  LOGICAL_BITS,
  logicalCounter,
  MAX_TIMESTAMP,
  physicalMillis,
} from '../src/clock/hlc.js';
import { ServerError } from '../src/errors/server-error.js';

/** A physical clock the test moves by hand; timers are not used by the HLC. */
function manualClock(startMs = 0): { clock: Clock; set(ms: number): void } {
  let now = startMs;
  return {
    clock: {
      now: () => now,
      setTimer: () => {
        throw new Error('timers are not used here');
      },
      sleep: () => Promise.reject(new Error('timers are not used here')),
    },
    set(ms: number) {
      now = ms;
    },
  };
}

describe('hybridTimestamp', () => {
  it('packs physical milliseconds above a 16-bit logical counter', () => {
    expect(LOGICAL_BITS).toBe(16);
    expect(hybridTimestamp(1, 0)).toBe(65536n);
    expect(hybridTimestamp(1_700_000_000_000, 7)).toBe((1_700_000_000_000n << 16n) | 7n);
  });

  it('round-trips both parts and orders like (physical, logical)', () => {
    const part = fc.tuple(fc.integer({ min: 0, max: 2 ** 47 - 1 }), fc.integer({ min: 0, max: 65535 }));
    fc.assert(
      fc.property(part, part, ([p1, l1], [p2, l2]) => {
        const a = hybridTimestamp(p1, l1);
        const b = hybridTimestamp(p2, l2);
        expect(physicalMillis(a)).toBe(p1);
        expect(logicalCounter(a)).toBe(l1);
        const lexical = p1 === p2 ? Math.sign(l1 - l2) : Math.sign(p1 - p2);
        expect(a === b ? 0 : a < b ? -1 : 1).toBe(lexical);
      }),
    );
  });

  it('rejects parts out of range', () => {
    for (const [p, l] of [
      [-1, 0],
      [2 ** 47, 0],
      [1.5, 0],
      [0, 65536],
      [0, -1],
    ] as const) {
      expect(() => hybridTimestamp(p, l)).toThrow(ServerError);
    }
  });
});

describe('HybridClock', () => {
  it('follows the physical clock while it moves ahead', () => {
    const physical = manualClock(1000);
    const hlc = new HybridClock(physical.clock);
    expect(hlc.now()).toBe(hybridTimestamp(1000));
    physical.set(1005.9);
    expect(hlc.now()).toBe(hybridTimestamp(1005));
  });

  it('stays strictly monotonic while the physical clock stands still', () => {
    const hlc = new HybridClock(manualClock(42).clock);
    let previous = hlc.now();
    for (let i = 1; i < 5000; i++) {
      const ts = hlc.now();
      expect(ts).toBeGreaterThan(previous);
      expect(physicalMillis(ts)).toBe(42);
      expect(logicalCounter(ts)).toBe(i);
      previous = ts;
    }
  });

  it('stays strictly monotonic when the physical clock goes back', () => {
    const physical = manualClock(10_000);
    const hlc = new HybridClock(physical.clock);
    const before = hlc.now();
    physical.set(3_000);
    const after = hlc.now();
    expect(after).toBeGreaterThan(before);
    expect(physicalMillis(after)).toBe(10_000);
    physical.set(-50);
    expect(hlc.now()).toBeGreaterThan(after);
  });

  it('carries a full logical counter into the physical part and keeps going up', () => {
    const hlc = new HybridClock(manualClock(7).clock);
    let previous = 0n;
    for (let i = 0; i <= 65536; i++) {
      const ts = hlc.now();
      expect(ts > previous).toBe(true);
      previous = ts;
    }
    expect(physicalMillis(previous)).toBe(8);
    expect(logicalCounter(previous)).toBe(0);
  });

  it('moves past a timestamp seen from the future', () => {
    const hlc = new HybridClock(manualClock(100).clock, { maxOffsetMs: 5_000 });
    hlc.now();
    const seen = hybridTimestamp(5_000, 3);
    const updated = hlc.update(seen);
    expect(updated).toBeGreaterThan(seen);
    expect(hlc.current()).toBe(updated);
    expect(hlc.now()).toBeGreaterThan(seen);
  });

  it('only ticks when the seen timestamp is in the past', () => {
    const hlc = new HybridClock(manualClock(100).clock);
    const first = hlc.now();
    expect(hlc.update(hybridTimestamp(50))).toBe(first + 1n);
  });

  it('takes physical time when it is ahead of both the seen and the latest timestamp', () => {
    const physical = manualClock(100);
    const hlc = new HybridClock(physical.clock);
    hlc.now();
    physical.set(900);
    expect(hlc.update(hybridTimestamp(200))).toBe(hybridTimestamp(900));
  });

  it('never repeats or goes back, whatever the physical clock and the messages do', () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), ms: fc.integer({ min: -10, max: 1_000_000 }) }),
      fc.record({ kind: fc.constant('now' as const) }),
      fc.record({
        kind: fc.constant('update' as const),
        seen: fc.bigInt({ min: 0n, max: 1_000_000n << 16n }),
      }),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const physical = manualClock(0);
        const hlc = new HybridClock(physical.clock, { maxOffsetMs: 2_000_000 });
        let clockMs = 0;
        let floor = 0n; // everything returned or seen so far
        for (const s of steps) {
          if (s.kind === 'set') {
            physical.set(s.ms);
            clockMs = s.ms;
            continue;
          }
          const ts = s.kind === 'now' ? hlc.now() : hlc.update(s.seen);
          expect(ts).toBeGreaterThan(floor);
          if (s.kind === 'update') expect(ts).toBeGreaterThan(s.seen);
          expect(ts).toBeGreaterThanOrEqual(hybridTimestamp(Math.max(0, clockMs)));
          floor = ts;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a seen timestamp that is negative or does not fit a signed long', () => {
    const hlc = new HybridClock(manualClock(0).clock);
    expect(() => hlc.update(-1n)).toThrow(/from 0 to 2\^63/);
    expect(() => hlc.update(MAX_TIMESTAMP)).toThrow(ServerError);
    expect(hlc.current()).toBe(0n);
  });

  it('fails clearly when the physical clock is not a finite number', () => {
    const physical = manualClock(Number.NaN);
    const hlc = new HybridClock(physical.clock);
    const error = (() => {
      try {
        hlc.now();
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ServerError);
    expect((error as ServerError).code).toBe('INTERNAL');
    expect((error as ServerError).message).toMatch(/NaN/);
  });

  it('refuses a timestamp further ahead than maxOffsetMs before it touches the clock', () => {
    const physical = manualClock(10_000);
    const hlc = new HybridClock(physical.clock);
    expect(hlc.maxOffsetMs).toBe(500);
    const before = hlc.now();
    // Just within the bound (500 ms ahead, any logical counter) moves the clock.
    expect(hlc.update(hybridTimestamp(10_500, 65_535))).toBe(hybridTimestamp(10_501));
    const latest = hlc.current();
    for (const seen of [hybridTimestamp(10_501), hybridTimestamp(50_000), MAX_TIMESTAMP - 1n]) {
      const error = (() => {
        try {
          hlc.update(seen);
        } catch (err) {
          return err;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(ServerError);
      expect((error as ServerError).code).toBe('CLOCK_OFFSET_EXCEEDED');
      expect((error as ServerError).retryable).toBe(false);
      expect((error as ServerError).message).toMatch(/ms ahead of this node's physical clock is refused/);
      expect(hlc.current()).toBe(latest);
    }
    expect(before).toBeLessThan(latest);
  });

  it('never passes the largest signed long, whatever it is fed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: MAX_TIMESTAMP - 1n }), { maxLength: 50 }),
        fc.integer({ min: 0, max: 2 ** 47 - 1 }),
        (seen, ms) => {
          const hlc = new HybridClock(manualClock(ms).clock);
          for (const ts of seen) {
            try {
              hlc.update(ts);
            } catch (error) {
              // Too far ahead, or (with a physical clock at the very end of time) no room left below 2^63.
              expect(['CLOCK_OFFSET_EXCEEDED', 'INTERNAL']).toContain((error as ServerError).code);
            }
            expect(hlc.current()).toBeLessThan(MAX_TIMESTAMP);
            expect(physicalMillis(hlc.current())).toBeLessThanOrEqual(ms + 501);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('says how far its latest timestamp is ahead of the physical clock', () => {
    const physical = manualClock(1_000);
    const hlc = new HybridClock(physical.clock);
    hlc.update(hybridTimestamp(1_400));
    expect(hlc.aheadOfPhysicalMs()).toBe(400);
    physical.set(100);
    expect(hlc.aheadOfPhysicalMs()).toBe(1_300);
    expect(() => new HybridClock(physical.clock, { maxOffsetMs: 0 })).toThrow(/maxClockOffsetMs/);
  });

  it('moves past a committed timestamp however far ahead, without the bound, and never back', () => {
    const physical = manualClock(1_000);
    const hlc = new HybridClock(physical.clock);
    const far = hybridTimestamp(1_000 + 3_600_000, 7);
    expect(() => hlc.update(far)).toThrow(/maxClockOffsetMs/);
    hlc.advancePast(far);
    expect(hlc.current()).toBe(far + 1n);
    hlc.advancePast(hybridTimestamp(2_000));
    expect(hlc.current()).toBe(far + 1n);
    expect(hlc.now()).toBeGreaterThan(far + 1n);
    expect(() => hlc.advancePast(-1n)).toThrow(/from 0 to 2\^63 - 2/);
    expect(() => hlc.advancePast(MAX_TIMESTAMP)).toThrow(/from 0 to 2\^63 - 2/);
  });
});
