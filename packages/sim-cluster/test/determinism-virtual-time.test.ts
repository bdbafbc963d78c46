import { describe, expect, it } from 'vitest';
import { expectValid, seqOf, startScenario, tableRows } from './scenario-support.js';

describe('Determinism: virtual time', () => {
  it('auto-flushes a lone item after 5 virtual seconds while the source stays open for a minute', async () => {
    const { cluster, client, view } = await startScenario({ seed: 91, nodes: 1 });
    await using _ = cluster;
    const start = cluster.clock.now();
    async function* lone() {
      yield { Id: 1n, Seq: 1, Payload: 'only' };
      await cluster.clock.sleep(60_000);
    }
    const done = cluster.stream(view, lone(), { client, seq: seqOf }, { autoFlushInterval: 5000 });
    await cluster.clock.sleep(5100);
    // Visible while the source is still open: the auto-flush sent it, not the end of the source.
    expect(tableRows(cluster)).toEqual([{ Id: 1n, Seq: 1, Payload: 'only' }]);
    const [submit] = cluster.history.ofType('submit');
    const [ack] = cluster.history.ofType('ack');
    expect(ack?.indexes).toEqual([0]);
    const flushDelay = (ack?.atMs ?? 0) - (submit?.atMs ?? 0);
    expect(flushDelay).toBeGreaterThanOrEqual(5000);
    expect(flushDelay).toBeLessThan(5100);
    const summary = await done;
    expect(summary.items).toBe(1);
    expect(cluster.clock.now() - start).toBeGreaterThanOrEqual(60_000);
    expectValid(cluster);
  });
});
