import { type BuggifyPoint, buggifyPointNames, createRng } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { BuggifyRun } from '../src/buggify/buggify-run.js';
import { SimCluster } from '../src/index.js';
import { expectedRows, expectValid, seqOf, startScenario, tableRows, workload } from './scenario-support.js';

/** Asks every point `times` times; returns which answers were true, point by point. */
function ask(run: BuggifyRun, times: number): string[] {
  const fired: string[] = [];
  for (let i = 0; i < times; i++) {
    for (const point of buggifyPointNames()) if (run.buggify(point)) fired.push(`${i}:${point}`);
  }
  return fired;
}

describe('BuggifyRun', () => {
  it('enables the same points and fires them at the same times for the same seed', () => {
    const a = new BuggifyRun(createRng(7), { probability: 0.3 });
    const b = new BuggifyRun(createRng(7), { probability: 0.3 });
    expect(b.enabled).toEqual(a.enabled);
    expect(ask(b, 50)).toEqual(ask(a, 50));
    const others = [8, 9, 10, 11].map((seed) => new BuggifyRun(createRng(seed)).enabled.join());
    expect(new Set([a.enabled.join(), ...others]).size).toBeGreaterThan(1);
  });

  it('keeps one point’s draws apart from another’s: asking one point more often changes no other', () => {
    const quiet = new BuggifyRun(createRng(3), { enabledShare: 1, probability: 0.5 });
    const busy = new BuggifyRun(createRng(3), { enabledShare: 1, probability: 0.5 });
    for (let i = 0; i < 40; i++) busy.buggify('frame.byte-at-a-time');
    const others = buggifyPointNames().filter((p) => p !== 'frame.byte-at-a-time');
    const answers = (run: BuggifyRun) =>
      others.flatMap((p) => Array.from({ length: 30 }, () => run.buggify(p)));
    expect(answers(busy)).toEqual(answers(quiet));
  });

  it('fires no point that is not enabled, and an enabled one about as often as its probability says', () => {
    const none = new BuggifyRun(createRng(1), { enabledShare: 0, probability: 1 });
    expect(none.enabled).toEqual([]);
    expect(ask(none, 20)).toEqual([]);
    const all = new BuggifyRun(createRng(1), { enabledShare: 1, probability: 0.25 });
    expect(all.enabled).toEqual(buggifyPointNames());
    for (let i = 0; i < 4000; i++) all.buggify('streamer.page-split');
    const tally = all.tallies().get('streamer.page-split');
    expect(tally?.reached).toBe(4000);
    expect(tally?.fired).toBeGreaterThan(850);
    expect(tally?.fired).toBeLessThan(1150);
    expect(all.tallies().get('storage.arena-tiny')).toEqual({ enabled: true, reached: 0, fired: 0 });
  });

  it('enables the points it is told to, whatever the draw', () => {
    const run = new BuggifyRun(createRng(1), {
      enabledShare: 0,
      probability: 1,
      enable: ['storage.arena-tiny'],
    });
    expect(run.enabled).toEqual(['storage.arena-tiny']);
    expect(run.buggify('storage.arena-tiny')).toBe(true);
    expect(run.fired('storage.arena-tiny')).toBe(1);
  });

  it('refuses an unknown point and a share or probability outside 0..1, naming the option', () => {
    expect(() => new BuggifyRun(createRng(1), { enable: ['no.such-point' as BuggifyPoint] })).toThrow(
      /buggify\.enable: no fault point "no\.such-point"/,
    );
    expect(() => new BuggifyRun(createRng(1), { enabledShare: 1.5 })).toThrow(
      /buggify\.enabledShare must be a number in 0\.\.1/,
    );
    expect(() => new BuggifyRun(createRng(1), { probability: -0.1 })).toThrow(
      /buggify\.probability must be a number in 0\.\.1/,
    );
  });
});

describe('SimCluster with buggify', () => {
  it('refuses fault points on the real clock, and has none when not asked', async () => {
    await expect(SimCluster.start({ clock: 'real', buggify: true })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining("option buggify needs clock: 'virtual'"),
    });
    await expect(SimCluster.start({ buggify: { often: 1 } as never })).rejects.toThrow(
      /unknown option buggify\.often/,
    );
    await using real = await SimCluster.start({ clock: 'real', nodes: 1 });
    expect(real.buggify).toBeUndefined();
    await using plain = await SimCluster.start({ nodes: 1 });
    expect(plain.buggify).toBeUndefined();
  });

  it('reaches and fires every point in a run with all of them on, and every guarantee still holds', async () => {
    const { cluster, client, view } = await startScenario({
      seed: 11,
      // Three replicas of every partition: the Raft points are reached only by replicated partitions.
      replicas: 3,
      buggify: { enabledShare: 1, probability: 0.2 },
    });
    await using _ = cluster;
    const items = workload({ seed: 4, items: 600, keys: 60 });
    // Six streams one after another (a stream looks its table's schema up once, when it opens), with pages
    // small enough that the source is read in several pages (the page-split point is asked once a page).
    let retries = 0;
    for (let part = 0; part < 6; part++) {
      const slice = items.slice(part * 100, part * 100 + 100);
      const summary = await cluster.stream(
        view,
        slice,
        { client, seq: seqOf },
        { pageSize: 5, autoFlushInterval: 50 },
      );
      expect(summary.items).toBe(100);
      retries += summary.retries;
    }
    expect(tableRows(cluster)).toEqual(expectedRows(items));
    expectValid(cluster);
    const tallies = cluster.buggify?.tallies();
    const silent = [...(tallies ?? new Map())].filter(([, t]) => t.fired === 0).map(([point]) => point);
    expect(silent, JSON.stringify([...(tallies ?? new Map())])).toEqual([]);
    expect(retries).toBeGreaterThan(0);
  });

  it('replays a buggified run exactly: same seed, same points, same history hash', async () => {
    const run = async () => {
      const { cluster, client, view } = await startScenario({ seed: 5, buggify: { probability: 0.1 } });
      await using _ = cluster;
      const items = workload({ seed: 2, items: 300, keys: 40 });
      await cluster.stream(view, items, { client, seq: seqOf }, { pageSize: 25 });
      return {
        hash: cluster.history.hash(),
        enabled: cluster.buggify?.enabled,
        tallies: [...(cluster.buggify?.tallies() ?? new Map())],
      };
    };
    const a = await run();
    expect(await run()).toEqual(a);
    expect(a.enabled?.length).toBeGreaterThan(0);
  });
});
