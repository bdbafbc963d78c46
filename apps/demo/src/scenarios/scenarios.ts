/**
 * Every scenario by name, in the order the full story runs them. It runs nothing.
 */
import { aggregate } from './aggregate.js';
import { albumRelease, chaos } from './album-release.js';
import { historyImport } from './history-import.js';
import { lifecycle } from './lifecycle.js';
import { realtime } from './realtime.js';
import type { Scenario, ScenarioName } from './scenario.js';

export const scenarios: Readonly<Record<ScenarioName, Scenario>> = {
  'album-release': albumRelease,
  lifecycle,
  'history-import': historyImport,
  realtime,
  aggregate,
  chaos,
};
