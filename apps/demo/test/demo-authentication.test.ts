import { silentLogger } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { RunMeter } from '../src/run/run-meter.js';
import { clientOptions, DEMO_USER, startCluster } from '../src/run/scenario-context.js';
import { StopControl } from '../src/run/stop-control.js';

// Authentication is on in the demo: its clusters admit the demo user only.
describe('demo authentication', () => {
  it('starts clusters that refuse a client without the demo credentials and serve one with them', async () => {
    const ctx = {
      options: { seed: 3, nodes: 2, partitions: 4, clock: 'virtual' as const },
      meter: new RunMeter(() => 0),
      stop: new StopControl(),
      logger: silentLogger,
      emit: () => {},
    };
    await using cluster = await startCluster(ctx, 10);
    await expect(cluster.connect({ connectTimeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'AUTHENTICATION_FAILED',
    });
    await expect(
      cluster.connect({ auth: { username: DEMO_USER.username, password: 'guess' } }),
    ).rejects.toMatchObject({ code: 'AUTHENTICATION_FAILED' });
    const client = await cluster.connect(clientOptions(false));
    expect(client.endpoints.every((e) => e.state === 'open')).toBe(true);
  });
});
