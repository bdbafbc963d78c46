import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFailure, dumpScenario, replayCommand } from '../src/replay/dump-scenario.js';
import { JsonLineLogger } from '../src/replay/json-line-logger.js';
import { runScenario } from '../src/replay/run-scenario.js';
import type { Scenario } from '../src/replay/scenario.js';
import { ScenarioError } from '../src/replay/scenario-error.js';
import { scenarioFromJson, scenarioToJson } from '../src/replay/scenario-json.js';
import { generateWorkload } from '../src/replay/scenario-workload.js';

const dir = mkdtempSync(join(tmpdir(), 'replay-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario: Scenario = {
  version: 1,
  name: 'crash, drops and a swarm',
  seed: 9_007_199_254_740_993n,
  cluster: { nodes: 3, partitions: 8 },
  client: { requestTimeoutMs: 2000 },
  workload: generateWorkload(5, { streams: 2, items: 120, keys: 12, streamOptions: { pageSize: 10 } }),
  faults: [
    { atMs: 3, fault: { kind: 'crash', node: 'node-2' } },
    { atMs: 10, fault: { kind: 'setFaults', faults: { drop: 0.02 } } },
    { atMs: 400, fault: { kind: 'restart', node: 'node-2' } },
  ],
  swarm: { durationMs: 1500, kinds: ['pause', 'disconnect', 'move'] },
  fastCheck: { seed: 1234, path: '3:1:0' },
};

describe('runScenario', () => {
  it('streams the workload through the faults and passes every checker', async () => {
    const result = await runScenario(scenario);
    expect(result.verdict.report).toMatch(/atLeastOnce: passed/);
    expect(result.valid).toBe(true);
    expect(result.streams.map((s) => s.outcome)).toEqual(['resolved', 'resolved']);
    expect(result.schedule.applied).toBe(3);
    expect(result.history.ofType('submit')).toHaveLength(240);
    expect(result.seed).toBe(9_007_199_254_740_993n);
  });

  it('replays a dumped scenario to the same history hash', async () => {
    const first = await runScenario(scenario);
    const path = dumpScenario(
      { ...scenario, expected: { historyHash: first.historyHash, valid: first.valid } },
      dir,
    );
    const loaded = scenarioFromJson(readFileSync(path, 'utf8'));
    expect(loaded.seed).toBe(scenario.seed);
    const again = await runScenario(loaded);
    expect(again.historyHash).toBe(first.historyHash);
    expect(loaded.expected?.historyHash).toBe(first.historyHash);
  });

  it('gives a different history for a different seed', async () => {
    const a = await runScenario({ ...scenario, swarm: { durationMs: 200 } });
    const b = await runScenario({ ...scenario, seed: 8, swarm: { durationMs: 200 } });
    expect(b.historyHash).not.toBe(a.historyHash);
  });
});

describe('scenario JSON', () => {
  it('round-trips, the seed as a decimal string', () => {
    const text = scenarioToJson(scenario);
    expect(JSON.parse(text).seed).toBe('9007199254740993');
    expect(scenarioFromJson(text)).toEqual(scenario);
    expect(scenarioFromJson(scenarioToJson({ ...scenario, seed: 42 })).seed).toBe(42);
  });

  it('rejects a malformed scenario naming the field', () => {
    const text = (patch: object) => JSON.stringify({ ...JSON.parse(scenarioToJson(scenario)), ...patch });
    expect(() => scenarioFromJson(text({ seed: '-3' }))).toThrow(/scenario.seed must be a decimal integer/);
    expect(() => scenarioFromJson(text({ version: 2 }))).toThrow(/scenario.version must be 1/);
    expect(() =>
      scenarioFromJson(text({ workload: { streams: [{ items: [{ op: 'GET', key: 1 }] }] } })),
    ).toThrow(/scenario.workload.streams\[0\].items\[0\] must be/);
    expect(() => scenarioFromJson(text({ cluster: { nodes: 0 } }))).toThrow(ScenarioError);
    expect(() =>
      scenarioFromJson(text({ faults: [{ atMs: 0, fault: { kind: 'crash', node: 'node-5' } }] })),
    ).toThrow(/unknown node "node-5"/);
    expect(() => scenarioFromJson('{')).toThrow(/must be JSON/);
  });
});

describe('dumpScenario', () => {
  it('names the seeds, the file and the replay command', () => {
    const path = dumpScenario(scenario, dir);
    const text = describeFailure(scenario, path);
    expect(text).toContain('simulation seed: 9007199254740993');
    expect(text).toContain('fast-check seed: 1234 path: "3:1:0"');
    expect(text).toContain(replayCommand(path));
    expect(replayCommand(path)).toBe(`pnpm --filter @datastreamer/sim-cluster replay ${path}`);
  });
});

describe('JsonLineLogger', () => {
  it('writes pino-shaped JSON lines at and above its level, with bindings and virtual time', () => {
    const lines: string[] = [];
    const logger = new JsonLineLogger({ level: 'debug', write: (line) => lines.push(line) });
    logger.useClock({ now: () => 17 });
    const child = logger.child({ component: 'x' });
    child.trace('hidden');
    child.debug({ big: 5n, error: Object.assign(new Error('boom'), { code: 'E1' }) }, 'shown');
    logger.info('plain');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 20,
      time: 17,
      component: 'x',
      big: '5',
      error: { type: 'Error', message: 'boom', code: 'E1' },
      msg: 'shown',
    });
    expect(JSON.parse(lines[1] as string)).toEqual({ level: 30, time: 17, msg: 'plain' });
  });
});

describe('replay command', () => {
  it('re-runs a dumped scenario with debug logs on stderr and reports the reproduction', async () => {
    const small: Scenario = {
      version: 1,
      seed: 3,
      cluster: { nodes: 2, partitions: 4 },
      workload: generateWorkload(3, { items: 30, keys: 5, streamOptions: { pageSize: 5 } }),
      faults: [{ atMs: 2, fault: { kind: 'pause', node: 'node-1', ms: 50 } }],
    };
    const first = await runScenario(small);
    const path = dumpScenario({ ...small, expected: { historyHash: first.historyHash } }, dir);
    const pkg = fileURLToPath(new URL('..', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const { stdout, stderr } = await promisify(execFile)(
      tsx,
      ['--conditions=@datastreamer/source', 'src/replay/replay-cli.ts', path],
      { cwd: pkg },
    );
    expect(stdout).toContain(`history hash: ${first.historyHash}`);
    expect(stdout).toContain('reproduced');
    const logLines = stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((l) => JSON.parse(l).level === 20)).toBe(true);
  });
});
