import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeMetaTxn,
  encodeMetaTxn,
  type MetaEvent,
  type MetaTxn,
  type MetaTxnResult,
} from '../src/metastorage/meta-command.js';
import { MetaKv } from '../src/metastorage/meta-kv.js';
import { MetastorageView } from '../src/metastorage/metastorage-view.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | null) => (value === null ? null : new TextDecoder().decode(value));

/** A store with a log of its own: `run` applies a command at the next index and returns its result. */
function store(eventsKept?: number) {
  const results: MetaTxnResult[] = [];
  const events: MetaEvent[] = [];
  const kv = new MetaKv({
    onApply: (_command, result, made) => {
      results.push(result);
      events.push(...made);
    },
    ...(eventsKept === undefined ? {} : { eventsKept }),
  });
  let index = 0;
  const run = (txn: Partial<MetaTxn> & { readonly id: string }): MetaTxnResult => {
    const full: MetaTxn = { compares: [], puts: [], deletes: [], ...txn };
    kv.apply({ index: ++index, term: 1, command: encodeMetaTxn(full) });
    return results[results.length - 1] as MetaTxnResult;
  };
  return { kv, run, events };
}

const put = (key: string, value: string) => ({ key, value: bytes(value) });

describe('MetaKv', () => {
  it('gives every change a new revision and a key the revision of its last change', () => {
    const { kv, run } = store();
    expect(run({ id: 'a', puts: [put('t/1', 'x'), put('t/2', 'y')] })).toEqual({
      succeeded: true,
      revision: 1,
    });
    expect(run({ id: 'b', puts: [put('t/1', 'z')] })).toEqual({ succeeded: true, revision: 2 });
    expect(kv.get('t/1')?.modRevision).toBe(2);
    expect(kv.get('t/2')?.modRevision).toBe(1);
    expect(run({ id: 'c', deletes: ['t/2', 'absent'] })).toEqual({ succeeded: true, revision: 3 });
    expect(kv.get('t/2')).toBeUndefined();
  });

  it('applies nothing when a compare fails, and nothing new for a command that changes nothing', () => {
    const { kv, run } = store();
    run({ id: 'a', puts: [put('k', '1')] });
    expect(run({ id: 'b', compares: [{ key: 'k', modRevision: 0 }], puts: [put('k', '2')] })).toEqual({
      succeeded: false,
      revision: 1,
    });
    expect(run({ id: 'c', deletes: ['absent'] })).toEqual({ succeeded: true, revision: 1 });
    expect(run({ id: 'd', compares: [{ key: 'k', modRevision: 1 }], puts: [put('k', '3')] })).toEqual({
      succeeded: true,
      revision: 2,
    });
    expect(text(kv.get('k')?.value ?? null)).toBe('3');
  });

  it('answers a proposal sent again with its first result instead of applying it twice', () => {
    const { kv, run } = store();
    const txn = { id: 'node-1/7', compares: [{ key: 'k', modRevision: 0 }], puts: [put('k', 'v')] };
    expect(run(txn)).toEqual({ succeeded: true, revision: 1 });
    expect(run(txn)).toEqual({ succeeded: true, revision: 1 });
    expect(kv.revision).toBe(1);
  });

  it('keeps one change per key per revision: the last put wins over earlier puts and deletes', () => {
    const { kv, run, events } = store();
    run({ id: 'a', puts: [put('k', '1')] });
    run({ id: 'b', puts: [put('k', '2'), put('k', '3')], deletes: ['k'] });
    expect(text(kv.get('k')?.value ?? null)).toBe('3');
    expect(events.filter((e) => e.revision === 2)).toHaveLength(1);
  });

  it('lists the changes after a revision under a prefix, in revision order', () => {
    const { kv, run } = store();
    run({ id: 'a', puts: [put('catalog/1', 'x'), put('leases/1', 'l')] });
    run({ id: 'b', puts: [put('leases/1', 'm')] });
    run({ id: 'c', deletes: ['catalog/1'] });
    expect(kv.since('catalog/', 0)).toEqual({
      kind: 'events',
      revision: 3,
      events: [
        { revision: 1, key: 'catalog/1', value: bytes('x') },
        { revision: 3, key: 'catalog/1', value: null },
      ],
    });
    expect(kv.since('', 2)).toEqual({
      kind: 'events',
      revision: 3,
      events: [{ revision: 3, key: 'catalog/1', value: null }],
    });
  });

  it('answers a watch from before the events it keeps with the whole content', () => {
    const { kv, run } = store(2);
    for (let i = 0; i < 8; i++) run({ id: `p${i}`, puts: [put(`k/${i % 3}`, String(i))] });
    expect(kv.compactedRevision).toBeGreaterThan(0);
    const batch = kv.since('k/', 0);
    expect(batch.kind).toBe('reset');
    if (batch.kind === 'reset') expect(batch.entries.map((e) => e.key)).toEqual(['k/0', 'k/1', 'k/2']);
    expect(kv.since('k/', kv.compactedRevision).kind).toBe('events');
  });

  it('round-trips its state through a snapshot, and answers watches from before it with a reset', () => {
    const { kv, run } = store();
    run({ id: 'a', puts: [put('k', '1'), put('j', '2')] });
    run({ id: 'b', deletes: ['j'] });
    const copy = new MetaKv({});
    copy.restore(kv.snapshot());
    expect(copy.revision).toBe(2);
    expect(copy.range('')).toEqual(kv.range(''));
    expect(copy.since('', 0).kind).toBe('reset');
    // The remembered result survives too: the same proposal is not applied again after a restore.
    copy.apply({
      index: 3,
      term: 1,
      command: encodeMetaTxn({ id: 'a', compares: [], puts: [put('k', '9')], deletes: [] }),
    });
    expect(text(copy.get('k')?.value ?? null)).toBe('1');
  });

  it('refuses bytes that are not a command with a typed error', () => {
    expect(() => decodeMetaTxn(Uint8Array.of(0xc1))).toThrow(
      expect.objectContaining({ code: 'PROTOCOL_ERROR' }),
    );
    expect(() => decodeMetaTxn(new Uint8Array())).toThrow(/not a metastorage command/);
  });
});

describe('MetastorageView', () => {
  const txnArb = fc.record({
    puts: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd'), fc.string({ maxLength: 3 })), {
      maxLength: 3,
    }),
    deletes: fc.array(fc.constantFrom('a', 'b', 'c', 'd'), { maxLength: 2 }),
  });

  it('applies every revision once, in order, when watches are resent from older revisions', () => {
    fc.assert(
      fc.property(
        fc.array(txnArb, { minLength: 1, maxLength: 30 }),
        fc.array(fc.tuple(fc.nat(40), fc.nat(5)), { minLength: 1, maxLength: 30 }),
        (txns, polls) => {
          const { kv, run, events } = store();
          const view = new MetastorageView();
          const seen: MetaEvent[] = [];
          view.subscribe((event) => seen.push(event));
          let done = 0;
          for (const [ahead, back] of polls) {
            for (const end = Math.min(txns.length, done + (ahead % 4)); done < end; done++) {
              const txn = txns[done] as (typeof txns)[number];
              run({ id: `t${done}`, puts: txn.puts.map(([k, v]) => put(k, v)), deletes: txn.deletes });
            }
            // A reconnect asks again from an older revision: what the view has comes again, and is skipped.
            view.apply(kv.since('', Math.max(0, view.revision - back)));
          }
          for (; done < txns.length; done++) {
            const txn = txns[done] as (typeof txns)[number];
            run({ id: `t${done}`, puts: txn.puts.map(([k, v]) => put(k, v)), deletes: txn.deletes });
          }
          view.apply(kv.since('', view.revision));
          expect(seen).toEqual(events);
          expect(view.revision).toBe(kv.revision);
          expect(view.range('')).toEqual(kv.range(''));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('catches up through a reset when it fell behind what the store keeps, never going back', () => {
    fc.assert(
      fc.property(fc.array(txnArb, { minLength: 1, maxLength: 40 }), fc.nat(10), (txns, pollEvery) => {
        const { kv, run } = store(3);
        const view = new MetastorageView();
        const revisions: number[] = [];
        view.subscribe((event) => revisions.push(event.revision));
        txns.forEach((txn, i) => {
          run({ id: `t${i}`, puts: txn.puts.map(([k, v]) => put(k, v)), deletes: txn.deletes });
          if (pollEvery > 0 && i % pollEvery === 0) view.apply(kv.since('', view.revision));
        });
        const stale = view.revision;
        view.apply(kv.since('', view.revision));
        expect(view.range('')).toEqual(kv.range(''));
        expect(view.revision).toBe(kv.revision);
        // An older reset changes nothing.
        expect(view.apply({ kind: 'reset', revision: stale, entries: [] })).toBe(0);
        expect(view.range('')).toEqual(kv.range(''));
        for (let i = 1; i < revisions.length; i++) {
          expect(revisions[i]).toBeGreaterThanOrEqual(revisions[i - 1] as number);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('resolves a wait for a revision once it holds it', async () => {
    const { kv, run } = store();
    const view = new MetastorageView();
    let reached = false;
    const waiting = view.reached(2).then(() => {
      reached = true;
    });
    run({ id: 'a', puts: [put('k', '1')] });
    view.apply(kv.since('', view.revision));
    await Promise.resolve();
    expect(reached).toBe(false);
    run({ id: 'b', puts: [put('k', '2')] });
    view.apply(kv.since('', view.revision));
    await waiting;
    expect(reached).toBe(true);
  });
});
