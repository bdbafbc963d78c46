// The metastorage as a linearizable key-value store: nodes (members and not) put, delete and read a few keys
// through it while its leader is cut off, its majority lost, members crash and restart; each operation's
// invocation and answer times go to the `linearizable` checker (the register checker: every key a register).
// A write that got no answer may or may not have applied; a read is the copy after a read barrier (sync).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { linearizable, type RegisterOperation } from '../src/checkers/linearizable.js';
import { SimCluster } from '../src/cluster/sim-cluster.js';
import { applyFault } from '../src/faults/apply-fault.js';
import type { Fault } from '../src/faults/fault.js';

const KEYS = ['reg/a', 'reg/b'];
const text = (value: Uint8Array | undefined) =>
  value === undefined ? null : new TextDecoder().decode(value);

/** One node's operations, one at a time, recorded with their times. */
async function runProcess(
  cluster: SimCluster,
  node: string,
  script: readonly { kind: 'get' | 'upsert' | 'delete'; key: number; pause: number }[],
  out: RegisterOperation[],
): Promise<void> {
  let n = 0;
  for (const step of script) {
    await cluster.clock.sleep(step.pause);
    const metastorage = cluster.node(node).metastorage;
    if (metastorage === undefined || !cluster.node(node).isRunning) continue;
    const key = KEYS[step.key % KEYS.length] as string;
    const invokeMs = cluster.clock.now();
    const value = `${node}#${n++}`;
    try {
      if (step.kind === 'get') {
        if (!(await metastorage.sync(2_000))) continue; // no barrier: the read is not linearizable, skip it
        out.push({
          process: node,
          key,
          kind: 'get',
          value: text(metastorage.view.get(key)?.value),
          invokeMs,
          completeMs: cluster.clock.now(),
        });
      } else if (step.kind === 'upsert') {
        await metastorage.propose(
          { compares: [], puts: [{ key, value: new TextEncoder().encode(value) }], deletes: [] },
          2_000,
        );
        out.push({ process: node, key, kind: 'upsert', value, invokeMs, completeMs: cluster.clock.now() });
      } else {
        await metastorage.propose({ compares: [], puts: [], deletes: [key] }, 2_000);
        out.push({ process: node, key, kind: 'delete', invokeMs, completeMs: cluster.clock.now() });
      }
    } catch {
      // No answer (in doubt): it may or may not have taken effect.
      if (step.kind === 'upsert') out.push({ process: node, key, kind: 'upsert', value, invokeMs });
      if (step.kind === 'delete') out.push({ process: node, key, kind: 'delete', invokeMs });
    }
  }
}

const stepArb = fc.record({
  kind: fc.constantFrom('get' as const, 'upsert' as const, 'delete' as const),
  key: fc.nat(1),
  pause: fc.integer({ min: 0, max: 40 }),
});

const faultArb: fc.Arbitrary<{ atMs: number; fault: Fault }> = fc.record({
  atMs: fc.integer({ min: 0, max: 600 }),
  fault: fc.constantFrom<Fault>(
    { kind: 'isolateMetastorageLeader' },
    { kind: 'loseMetastorageMajority' },
    { kind: 'heal' },
    { kind: 'crash', node: 'node-2' },
    { kind: 'restart', node: 'node-2' },
    { kind: 'crash', node: 'node-1' },
    { kind: 'restart', node: 'node-1' },
  ),
});

describe('Metastorage linearizability', () => {
  it('keeps puts, deletes and synced reads linearizable under leader cuts, lost majorities, crashes and restarts', async () => {
    let faultsApplied = 0;
    let completed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.noShrink(fc.integer({ min: 1, max: 0x7fff_ffff })),
        fc.array(fc.array(stepArb, { minLength: 4, maxLength: 12 }), { minLength: 4, maxLength: 4 }),
        fc.array(faultArb, { maxLength: 5 }),
        async (seed, scripts, faults) => {
          await using cluster = await SimCluster.start({
            nodes: 4,
            partitions: 1,
            seed,
            replication: { electionTimeoutMs: { min: 150, max: 300 }, heartbeatIntervalMs: 30 },
          });
          const operations: RegisterOperation[] = [];
          const plan = [...faults].sort((a, b) => a.atMs - b.atMs);
          const chaos = (async () => {
            let at = 0;
            for (const step of plan) {
              await cluster.clock.sleep(step.atMs - at);
              at = step.atMs;
              try {
                await applyFault(cluster, step.fault);
                faultsApplied++;
              } catch {
                // A restart of a running node, say: nothing to do.
              }
            }
            await cluster.clock.sleep(Math.max(0, 800 - at));
            cluster.network.heal();
            for (const name of cluster.nodes)
              if (!cluster.node(name).isRunning) await cluster.restartNode(name);
          })();
          await Promise.all([
            chaos,
            ...cluster.nodes.map((node, i) => runProcess(cluster, node, scripts[i] ?? [], operations)),
          ]);
          completed += operations.filter((op) => op.completeMs !== undefined).length;
          const result = linearizable(operations);
          if (!result.valid) {
            throw new Error(`metastorage property failed (simulation seed ${seed})\n${result.report}`);
          }
        },
      ),
      { numRuns: 12, seed: 0x15_5e7 },
    );
    // Not vacuous: faults ran, and operations completed.
    expect(faultsApplied).toBeGreaterThan(10);
    expect(completed).toBeGreaterThan(100);
  });

  it('refuses a history where a read misses an acknowledged write (the checker this suite relies on)', () => {
    const result = linearizable([
      { process: 'node-1', key: 'reg/a', kind: 'upsert', value: 'x', invokeMs: 0, completeMs: 5 },
      { process: 'node-2', key: 'reg/a', kind: 'get', value: null, invokeMs: 10, completeMs: 12 },
    ]);
    expect(result.valid).toBe(false);
  });
});
