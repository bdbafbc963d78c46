/**
 * @datastreamer/demo: the music-event ingestion demo. `pnpm demo` runs it as a CLI (src/main.ts); these names
 * let a script or a test run it in-process.
 */
export { type DemoIo, type DemoRun, ExitCodes, runDemo, type StoryJson } from './cli/run-demo.js';
export { type Scenario, type ScenarioName, ScenarioNames } from './scenarios/scenario.js';
export { scenarios } from './scenarios/scenarios.js';
