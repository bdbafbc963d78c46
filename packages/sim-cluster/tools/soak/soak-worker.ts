/**
 * A soak worker thread: runs the scenario indexes the main thread sends, one at a time, and posts each
 * outcome back. It ends when the main thread closes its port. It chooses nothing itself.
 */
import { parentPort } from 'node:worker_threads';
import { runSoakScenario } from './soak-scenario.js';

/** What the main thread sends: one scenario to run. */
export interface SoakJob {
  readonly index: number;
  readonly base: number;
  readonly endOnFailure: boolean;
}

const port = parentPort;
if (port === null) throw new Error('soak-worker.ts runs as a worker thread of soak.ts');
port.on('message', (job: SoakJob) => {
  runSoakScenario(job.index, job.base, job.endOnFailure).then(
    (outcome) => port.postMessage(outcome),
    (error: unknown) => port.postMessage({ index: job.index, crashed: String(error) }),
  );
});
