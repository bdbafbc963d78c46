/**
 * A history with a planted violation, for the report's tests and screenshot: a short scenario run for real
 * (3 nodes, two streams, a node crashed and restarted on schedule), whose history then loses every apply of
 * one acknowledged key, so `atLeastOnce` must report lost items and link their submits and acks.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  generateWorkload,
  History,
  type HistoryEvent,
  runScenario,
  type Scenario,
  scenarioToJson,
} from '@datastreamer/sim-cluster';

export const PLANTED_SEED = 7;

/** The scenario that is run. */
export function plantedScenario(): Scenario {
  return {
    version: 1,
    name: 'report-fixture',
    seed: PLANTED_SEED,
    cluster: { nodes: 3, partitions: 4 },
    workload: generateWorkload(PLANTED_SEED, {
      streams: 2,
      items: 80,
      keys: 10,
      streamOptions: { pageSize: 4 },
    }),
    faults: [
      { atMs: 2, fault: { kind: 'crash', node: 'node-2' } },
      { atMs: 30, fault: { kind: 'restart', node: 'node-2' } },
    ],
  };
}

/** What `writePlanted` wrote: the scenario, the run's history and the history with the violation. */
export interface PlantedFiles {
  readonly scenario: string;
  readonly history: string;
  readonly planted: string;
  /** The key whose applies were removed. */
  readonly key: string;
}

/**
 * Runs the scenario, then writes into `dir` the scenario (JSON), its history and the planted history (JSON
 * lines).
 * @throws Error when the run itself was not valid (the fixture would plant nothing of its own).
 */
export async function writePlanted(dir: string): Promise<PlantedFiles> {
  const scenario = plantedScenario();
  const result = await runScenario(scenario);
  if (!result.valid) throw new Error(`the fixture's run is not valid:\n${result.verdict.report}`);
  const events = result.history.events;
  const acked = events.find((e) => e.type === 'apply');
  if (acked?.type !== 'apply') throw new Error('the fixture run applied nothing');
  const kept: HistoryEvent[] = events
    .filter((e) => !(e.type === 'apply' && e.key === acked.key))
    .map((e, n) => ({ ...e, n }));
  const files = {
    scenario: join(dir, 'scenario.json'),
    history: join(dir, 'history.jsonl'),
    planted: join(dir, 'planted.jsonl'),
    key: acked.key,
  };
  writeFileSync(files.scenario, scenarioToJson(scenario));
  writeFileSync(files.history, result.history.toJsonLines());
  writeFileSync(files.planted, History.fromEvents(kept).toJsonLines());
  return files;
}
