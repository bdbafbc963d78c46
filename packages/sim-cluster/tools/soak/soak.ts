/**
 * `pnpm test:soak`: the scenario property over many scenarios, spread over worker threads and, with
 * `--shard i/n`, over machines (see soak-plan.ts for why every split runs the same scenarios). Prints each
 * failure with its replay lines, the tally of what the runs exercised, and a closing line; exits 1 when any
 * scenario failed, 2 on a bad argument.
 *
 *   pnpm test:soak [--runs N] [--workers N] [--shard i/n] [--seed S] [--end-on-failure] [--json]
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import {
  type ExactTally,
  emptyExactTally,
  emptyReplicationTally,
  emptyTally,
  formatTally,
  type ReplicationTally,
  type Tally,
} from '../../test/support/property-tally.js';
import { parseSoakArgs, SOAK_USAGE, type SoakOptions, SoakUsageError, shardRange } from './soak-plan.js';
import type { ScenarioOutcome } from './soak-scenario.js';
import type { SoakJob } from './soak-worker.js';

type WorkerReply = ScenarioOutcome | { readonly index: number; readonly crashed: string };

/**
 * Wall-clock ms a scenario may take before it counts as hung (a stream that never settles, say): its worker is
 * terminated, the scenario reported failed, and a fresh worker goes on. Scenarios take well under a second.
 */
const SCENARIO_WALL_LIMIT_MS = 180_000;

/** Runs indexes `from..to-1` on `workers` threads, handing out the next index as one frees up. */
async function runAll(options: SoakOptions, base: number, from: number, to: number): Promise<WorkerReply[]> {
  const replies: WorkerReply[] = [];
  let next = from;
  const count = Math.min(options.workers, Math.max(1, to - from));
  const threads = Array.from({ length: count }, async () => {
    let worker = new Worker(new URL('./soak-worker-entry.mjs', import.meta.url));
    try {
      while (next < to) {
        const job: SoakJob = { index: next++, base, endOnFailure: options.endOnFailure };
        const reply = await new Promise<WorkerReply>((resolve) => {
          const hung = setTimeout(() => {
            resolve({
              index: job.index,
              crashed:
                `no answer within ${SCENARIO_WALL_LIMIT_MS / 1000} s: the scenario hangs (a stream that never ` +
                `settles?); it is scenario ${job.index} of base seed ${base}`,
            });
          }, SCENARIO_WALL_LIMIT_MS);
          worker.once('message', (message: WorkerReply) => {
            clearTimeout(hung);
            resolve(message);
          });
          worker.once('error', (error: unknown) => {
            clearTimeout(hung);
            resolve({ index: job.index, crashed: String(error) });
          });
          worker.postMessage(job);
        });
        worker.removeAllListeners('message');
        worker.removeAllListeners('error');
        if ('crashed' in reply) {
          // A hung or broken worker is not reused.
          await worker.terminate();
          worker = new Worker(new URL('./soak-worker-entry.mjs', import.meta.url));
        }
        replies.push(reply);
      }
    } finally {
      await worker.terminate();
    }
  });
  await Promise.all(threads);
  return replies.sort((a, b) => a.index - b.index);
}

/** Adds every count of `from` into `into` (the same keys). */
function addCounts<T extends object>(into: T, from: T): void {
  const target = into as Record<string, number>;
  for (const [k, v] of Object.entries(from as Record<string, number>)) target[k] = (target[k] ?? 0) + v;
}

function addTally(into: Tally, from: Tally): void {
  into.runs += from.runs;
  into.resolved += from.resolved;
  into.rejected += from.rejected;
  addCounts(into.faults, from.faults);
  addCounts(into.recovery, from.recovery);
  addCounts(into.buggify, from.buggify);
}

async function main(): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakArgs(process.argv.slice(2), process.env, availableParallelism());
  } catch (error) {
    if (!(error instanceof SoakUsageError)) throw error;
    console.error(`soak: ${error.message}\n${SOAK_USAGE}`);
    return 2;
  }
  // A fresh base seed is drawn once and printed: rerunning with --seed repeats the whole soak.
  const base = options.seed ?? Math.floor(Math.random() * 0x7fff_ffff);
  const { from, to } = shardRange(options.runs, options.shard);
  const where = `shard ${options.shard.index}/${options.shard.count}: scenarios ${from}..${to - 1} of ${options.runs}`;
  if (!options.json) console.error(`soak: base seed ${base}, ${where}, ${options.workers} worker(s)`);
  const started = performance.now();
  const replies = await runAll(options, base, from, to);
  const seconds = (performance.now() - started) / 1000;
  const tally = emptyTally();
  const exact: ExactTally = emptyExactTally();
  const replication: ReplicationTally = emptyReplicationTally();
  const failed: WorkerReply[] = [];
  for (const reply of replies) {
    if ('crashed' in reply || reply.failure !== undefined) failed.push(reply);
    if ('tally' in reply) {
      addTally(tally, reply.tally);
      addCounts(exact, reply.exact);
      addCounts(replication, reply.replication);
    }
  }
  if (options.json) {
    console.log(JSON.stringify({ base, shard: options.shard, from, to, seconds, scenarios: replies }));
  } else {
    for (const reply of failed) {
      const why = 'crashed' in reply ? `crashed: ${reply.crashed}` : reply.failure;
      console.error(`\nscenario ${reply.index} failed\n${why}`);
    }
    console.log(
      `${formatTally(tally)}\nexact outcomes: ${JSON.stringify(exact)}\nreplication: ${JSON.stringify(replication)}`,
    );
    console.log(
      `soak: ${replies.length} scenarios (${where}, base seed ${base}) in ${seconds.toFixed(1)} s on ` +
        `${options.workers} worker(s): ${failed.length} failed` +
        (failed.length > 0 ? ` (${failed.map((f) => f.index).join(', ')})` : ''),
    );
  }
  return failed.length === 0 ? 0 : 1;
}

process.exitCode = await main();
