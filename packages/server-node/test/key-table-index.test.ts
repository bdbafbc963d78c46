import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NO_VERSION } from '../src/storage/key-entry.js';
import { KeyTable } from '../src/storage/key-table.js';

// Short keys over a tiny alphabet collide in the index's low bits often, so probe runs, wrap-around and
// backward-shift deletion are all exercised; long rows push the slabs past their compaction threshold.
const keyArb = fc.uint8Array({ minLength: 0, maxLength: 3, max: 3 });
const opArb = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), key: keyArb, size: fc.integer({ min: 0, max: 20_000 }) }),
  fc.record({ kind: fc.constant('remove' as const), key: keyArb }),
);

const tag = (key: Uint8Array) => key.join(',');
const rowOf = (size: number, seed: number) => {
  const row = new Uint8Array(size);
  for (let i = 0; i < size; i++) row[i] = (seed + i * 31) & 0xff;
  return row;
};

describe('KeyTable', () => {
  it('finds exactly the keys a Map would hold, with their latest rows, through growth, removal and compaction', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 300 }), (ops) => {
        const table = new KeyTable();
        const model = new Map<string, Uint8Array>();
        ops.forEach((op, step) => {
          const slot = table.find(op.key);
          if (op.kind === 'put') {
            const row = rowOf(op.size, step);
            const target = slot >= 0 ? slot : table.insert(op.key);
            table.setVersion(target, BigInt(step + 1), row, false);
            table.compactIfWorthwhile();
            model.set(tag(op.key), row);
          } else if (slot >= 0) {
            table.remove(slot);
            model.delete(tag(op.key));
          }
        });
        expect(table.size).toBe(model.size);
        const seen = new Map<string, Uint8Array | null>();
        for (let slot = 0; slot < table.top; slot++) {
          if (!table.inUse(slot)) continue;
          const key = table.key(slot);
          expect(table.find(key)).toBe(slot);
          seen.set(tag(key), table.row(slot));
        }
        expect(seen).toEqual(model);
      }),
      { numRuns: 60 },
    );
  });

  it('finds and inserts keys given as ranges of a shared buffer, and keeps its own copy of each', () => {
    const rangeOp = fc.record({
      remove: fc.boolean(),
      key: keyArb,
      offset: fc.integer({ min: 0, max: 20 }),
      noise: fc.integer({ min: 0, max: 255 }),
    });
    fc.assert(
      fc.property(fc.array(rangeOp, { maxLength: 300 }), (ops) => {
        const table = new KeyTable();
        const model = new Map<string, number>();
        const buffer = new Uint8Array(32);
        for (const op of ops) {
          // The key sits among noise bytes, which are overwritten again after every step.
          buffer.fill(op.noise);
          buffer.set(op.key, op.offset);
          const known = model.get(tag(op.key));
          if (op.remove) {
            const slot = table.findRange(buffer, op.offset, op.key.length);
            expect(slot).toBe(known ?? -1);
            if (slot >= 0) {
              table.remove(slot);
              model.delete(tag(op.key));
            }
          } else {
            const slot = table.findOrInsert(buffer, op.offset, op.key.length);
            if (known !== undefined) expect(slot).toBe(known);
            else expect([...model.values()]).not.toContain(slot);
            model.set(tag(op.key), slot);
          }
          buffer.fill(op.noise ^ 0xff);
        }
        expect(table.size).toBe(model.size);
        for (const [key, slot] of model) {
          const bytes = Uint8Array.from(key === '' ? [] : key.split(',').map(Number));
          expect(table.find(bytes)).toBe(slot);
          expect([...table.key(slot)]).toEqual([...bytes]);
          expect(table.ts(slot)).toBe(NO_VERSION);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps handed-out row views intact after the row is replaced and the slab compacted', () => {
    const table = new KeyTable();
    const key = Uint8Array.of(7);
    const slot = table.insert(key);
    table.setVersion(slot, 1n, rowOf(1000, 1), false);
    const first = table.row(slot);
    for (let i = 2; i < 400; i++) {
      table.setVersion(slot, BigInt(i), rowOf(1000, i), false);
      table.compactIfWorthwhile();
    }
    expect(first).toEqual(rowOf(1000, 1));
    expect(table.row(slot)).toEqual(rowOf(1000, 399));
    expect(table.ts(slot)).toBe(399n);
  });

  it('gives a removed key no version and reuses its slot for the next key', () => {
    const table = new KeyTable();
    const slot = table.insert(Uint8Array.of(1, 2));
    table.setVersion(slot, 5n, null, false);
    table.remove(slot);
    expect(table.find(Uint8Array.of(1, 2))).toBe(-1);
    const next = table.insert(Uint8Array.of(3));
    expect(next).toBe(slot);
    expect(table.ts(next)).toBe(NO_VERSION);
    expect(table.row(next)).toBeNull();
  });
});
