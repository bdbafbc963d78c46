import { silentLogger } from '@datastreamer/protocol';
import { describe, expect, it } from 'vitest';
import { RunMeter } from '../src/run/run-meter.js';
import { clientOptions, startCluster } from '../src/run/scenario-context.js';
import { StopControl } from '../src/run/stop-control.js';

// Fault points inside the code (BUGGIFY) belong to simulations on virtual time. The demo's clusters run on
// the real clock by default: they must get none, so nothing inside a node or client ever takes a rare branch
// on purpose there.
describe('demo clusters and fault points', () => {
  for (const clock of ['real', 'virtual'] as const) {
    it(`start on the ${clock} clock with no fault points, and stream as usual`, async () => {
      const ctx = {
        options: { seed: 5, nodes: 2, partitions: 4, clock },
        meter: new RunMeter(() => 0),
        stop: new StopControl(),
        logger: silentLogger,
        emit: () => {},
      };
      await using cluster = await startCluster(ctx, 100);
      expect(cluster.buggify).toBeUndefined();
      const client = await cluster.connect(clientOptions(false));
      const table = await client.catalog.createTable({
        name: 'Plays',
        columns: [
          { name: 'Id', type: 'INT64' },
          { name: 'Seq', type: 'INT32' },
        ],
        primaryKey: ['Id'],
      });
      const rows = Array.from({ length: 100 }, (_, i) => ({ Id: BigInt(i), Seq: i }));
      const summary = await table
        .recordView<{ Id: bigint; Seq: number }>()
        .streamData(rows, { pageSize: 10 });
      expect(summary.items).toBe(100);
      expect(summary.retries).toBe(0);
    });
  }
});
