import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyFromString, keyHex, keyToString } from '../src/storage/key-string.js';
import { MvccPartitionStore } from '../src/storage/mvcc-partition-store.js';
import { caught } from './support/caught.js';

const k = (...bytes: number[]) => Uint8Array.from(bytes);
const row = (...bytes: number[]) => Uint8Array.from(bytes);

/** Commits `writes` in one transaction started at `startTs` and committed at `commitTs`. */
function commitAt(
  store: MvccPartitionStore,
  startTs: bigint,
  commitTs: bigint,
  writes: [Uint8Array, Uint8Array | null][],
): void {
  const ptx = store.begin(`tx@${startTs}`, startTs);
  for (const [key, value] of writes) store.write(ptx, key, value);
  store.prepare(ptx);
  store.commit(ptx, commitTs);
}

describe('keyToString', () => {
  it('round-trips any bytes and maps distinct keys to distinct strings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ maxLength: 40 }), (a, b) => {
        expect(keyFromString(keyToString(a))).toEqual(a);
        const same = a.length === b.length && a.every((x, i) => x === b[i]);
        expect(keyToString(a) === keyToString(b)).toBe(same);
      }),
    );
  });

  it('shows long keys in hex truncated with their length', () => {
    expect(keyHex(k(0, 171, 255))).toBe('00abff');
    expect(keyHex(new Uint8Array(40))).toBe(`${'00'.repeat(32)}... (40 bytes)`);
  });
});

describe('MvccPartitionStore', () => {
  it('shows a transaction its own writes and hides them from others until commit', () => {
    const store = new MvccPartitionStore();
    const writer = store.begin('w', 10n);
    const reader = store.begin('r', 11n);
    store.write(writer, k(1), row(1));
    expect(store.read(writer, k(1))).toEqual(row(1));
    expect(store.read(reader, k(1))).toBeNull();
    expect(store.readAt(k(1), 100n)).toBeNull();
    store.write(writer, k(1), row(2));
    expect(store.read(writer, k(1))).toEqual(row(2));
    store.write(writer, k(1), null);
    expect(store.read(writer, k(1))).toBeNull();
  });

  it('keeps a snapshot: a transaction begun before a commit goes on reading the older version', () => {
    const store = new MvccPartitionStore();
    commitAt(store, 1n, 2n, [[k(1), row(1)]]);
    const old = store.begin('old', 3n);
    commitAt(store, 4n, 5n, [[k(1), row(2)]]);
    commitAt(store, 6n, 7n, [[k(2), row(9)]]);
    expect(store.read(old, k(1))).toEqual(row(1));
    expect(store.read(old, k(2))).toBeNull();
    expect(store.readAt(k(1), 4n)).toEqual(row(1));
    expect(store.readAt(k(1), 5n)).toEqual(row(2));
  });

  it('commits every intent at one timestamp and reports each applied key once', () => {
    const store = new MvccPartitionStore();
    commitAt(store, 1n, 2n, [[k(3), row(3)]]);
    const applied: [number[], number[] | null, bigint][] = [];
    store.addApplyListener((key, value, ts) => applied.push([[...key], value && [...value], ts]));
    const before = store.begin('before', 8n);
    commitAt(store, 3n, 9n, [
      [k(1), row(1)],
      [k(2), row(2)],
      [k(1), row(11)],
      [k(3), null],
    ]);
    expect(applied).toEqual([
      [[1], [11], 9n],
      [[2], [2], 9n],
      [[3], null, 9n],
    ]);
    expect(store.read(before, k(1))).toBeNull();
    expect(store.read(before, k(3))).toEqual(row(3));
    expect(store.readAt(k(1), 9n)).toEqual(row(11));
    expect(store.readAt(k(3), 9n)).toBeNull();
  });

  it('refuses a write on a key with another transaction intent, retryably, and changes nothing', () => {
    const store = new MvccPartitionStore({ name: 'Plays/3' });
    const first = store.begin('first', 10n);
    const second = store.begin('second', 11n);
    store.write(first, k(1), row(1));
    const error = caught(() => store.write(second, k(1), row(2)));
    expect(error.code).toBe('TX_CONFLICT');
    expect(error.retryable).toBe(true);
    expect(error.message).toMatch(
      /second cannot write key 01 on partition Plays\/3: transaction first holds/,
    );
    expect(second.writeCount).toBe(0);
    store.prepare(first);
    store.commit(first, 12n);
    expect(store.readAt(k(1), 12n)).toEqual(row(1));
  });

  it('refuses a write on a key committed after the writer started (first committer wins)', () => {
    const store = new MvccPartitionStore();
    const late = store.begin('late', 10n);
    commitAt(store, 11n, 12n, [[k(1), row(1)]]);
    const error = caught(() => store.write(late, k(1), row(2)));
    expect(error.code).toBe('TX_CONFLICT');
    expect(error.message).toContain('committed at 12, after the snapshot at 10');
    expect(store.readAt(k(1), 20n)).toEqual(row(1));
    // A transaction that started after that commit may write it.
    commitAt(store, 13n, 14n, [[k(1), row(3)]]);
    expect(store.readAt(k(1), 14n)).toEqual(row(3));
  });

  it('frees a key for other writers when the intent owner aborts, leaving nothing behind', () => {
    const store = new MvccPartitionStore();
    commitAt(store, 1n, 2n, [[k(5), row(5)]]);
    const before = store.exportCommitted();
    const loser = store.begin('loser', 3n);
    store.write(loser, k(1), row(1));
    store.write(loser, k(5), null);
    store.abort(loser);
    expect(store.exportCommitted()).toEqual(before);
    expect(store.keyCount).toBe(1);
    commitAt(store, 4n, 5n, [[k(1), row(7)]]);
    expect(store.readAt(k(1), 5n)).toEqual(row(7));
    expect(store.readAt(k(5), 5n)).toEqual(row(5));
  });

  it('scans the committed rows at a timestamp, leaving deletes and intents out', () => {
    const store = new MvccPartitionStore();
    commitAt(store, 1n, 2n, [
      [k(1), row(1)],
      [k(2), row(2)],
    ]);
    const reader = store.begin('reader', 3n);
    commitAt(store, 4n, 5n, [
      [k(1), null],
      [k(3), row(3)],
    ]);
    const pending = store.begin('pending', 6n);
    store.write(pending, k(4), row(4));
    const rows = (ts: bigint) =>
      [...store.scan(ts)]
        .map((r) => [[...r.key], [...r.row]])
        .sort((a, b) => (a[0]?.[0] ?? 0) - (b[0]?.[0] ?? 0));
    expect(rows(3n)).toEqual([
      [[1], [1]],
      [[2], [2]],
    ]);
    expect(rows(5n)).toEqual([
      [[2], [2]],
      [[3], [3]],
    ]);
    store.abort(reader);
  });

  it('refuses reads below the read floor instead of answering from collected versions', () => {
    const store = new MvccPartitionStore({ name: 'T/1' });
    commitAt(store, 1n, 2n, [[k(1), row(1)]]);
    commitAt(store, 3n, 4n, [[k(1), row(2)]]);
    expect(store.readFloor).toBe(4n);
    expect(caught(() => store.readAt(k(1), 3n)).message).toMatch(
      /read at 3 on partition T\/1 is below the read floor 4/,
    );
    expect(caught(() => store.scan(3n)).code).toBe('INVALID_ARGUMENT');
    expect(caught(() => store.begin('stale', 3n)).message).toContain('transaction stale at 3');
    expect(store.readAt(k(1), 4n)).toEqual(row(2));
  });

  it('refuses a handle begun on another store', () => {
    const a = new MvccPartitionStore({ name: 'A' });
    const b = new MvccPartitionStore({ name: 'B' });
    const ptx = a.begin('t', 1n);
    expect(caught(() => b.write(ptx, k(1), row(1))).message).toContain('not begun on partition B');
    expect(b.keyCount).toBe(0);
  });

  it('refuses a commit timestamp that is not after the start', () => {
    const store = new MvccPartitionStore();
    const ptx = store.begin('t', 10n);
    store.write(ptx, k(1), row(1));
    store.prepare(ptx);
    expect(caught(() => store.commit(ptx, 10n)).code).toBe('INVALID_ARGUMENT');
    expect(ptx.state).toBe('PREPARED');
    store.commit(ptx, 11n);
    expect(store.readAt(k(1), 11n)).toEqual(row(1));
  });

  it('completes a commit when an apply listener throws, then reports it', () => {
    const store = new MvccPartitionStore();
    const seen: number[] = [];
    const removeThrower = store.addApplyListener(() => {
      throw new Error('listener broke');
    });
    const remove = store.addApplyListener((key) => seen.push(key[0] ?? -1));
    const ptx = store.begin('t', 1n);
    store.write(ptx, k(1), row(1));
    store.write(ptx, k(2), row(2));
    store.prepare(ptx);
    const error = caught(() => store.commit(ptx, 2n));
    expect(error.code).toBe('INTERNAL');
    expect((error.cause as Error).message).toBe('listener broke');
    expect(ptx.state).toBe('COMMITTED');
    expect(seen).toEqual([1, 2]);
    expect(store.readAt(k(2), 2n)).toEqual(row(2));
    removeThrower();
    commitAt(store, 3n, 4n, [[k(3), row(3)]]);
    expect(seen).toEqual([1, 2, 3]);
    remove();
    commitAt(store, 5n, 6n, [[k(4), row(4)]]);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('refuses a snapshot with duplicate keys or badly ordered versions', () => {
    const v = (ts: bigint) => ({ ts, row: row(1) });
    expect(() =>
      MvccPartitionStore.fromSnapshot({
        keys: [
          { key: k(1), versions: [v(2n)] },
          { key: k(1), versions: [v(3n)] },
        ],
        readFloor: 0n,
      }),
    ).toThrow(/appears twice/);
    expect(() =>
      MvccPartitionStore.fromSnapshot({ keys: [{ key: k(1), versions: [v(2n), v(2n)] }], readFloor: 0n }),
    ).toThrow(/newest first/);
    expect(() =>
      MvccPartitionStore.fromSnapshot({ keys: [{ key: k(1), versions: [] }], readFloor: 0n }),
    ).toThrow(/no versions/);
  });
});
