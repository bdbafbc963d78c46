import { describe, expect, it } from 'vitest';
import { ScenarioNames } from '../src/scenarios/scenario.js';
import { collect, parseFlags, refusal, spawnDemo } from './demo-harness.js';

/** `--help`, run once for the tests that read it. */
let helpRun: ReturnType<typeof collect> | undefined;
const help = () => {
  helpRun ??= collect(spawnDemo(['--help']));
  return helpRun;
};

describe('demo command line', () => {
  it('explains every scenario, flag and fault profile in --help', async () => {
    const { code, stdout } = await help();
    expect(code).toBe(0);
    for (const name of ScenarioNames) expect(stdout).toContain(name);
    for (const flag of [
      '--seed',
      '--nodes',
      '--partitions',
      '--events',
      '--faults',
      '--json',
      '--log-level',
      '--generate',
      '--file',
      '--clock',
      '--web',
      '--port',
    ]) {
      expect(stdout).toContain(flag);
    }
    expect(stdout).toContain('flaky');
    expect(stdout).toContain('NO_COLOR');
  });

  it('promises a replay only for --clock virtual, never for a real-clock run', async () => {
    const { stdout } = await help();
    const claims = stdout.split('\n').filter((line) => /\breplay/.test(line));
    expect(claims.length).toBeGreaterThan(0);
    for (const line of claims) expect(line).toMatch(/virtual/);
    expect(stdout).toMatch(/differ from\s+run to run/);
  });

  it('refuses an unknown scenario and a bad value with exit code 2, naming them', async () => {
    expect(await refusal(['encore'])).toContain('unknown scenario');
    expect(await refusal(['album-release', '--clock', 'sundial'])).toContain('--clock');
    const nodes = await collect(spawnDemo(['album-release', '--nodes', '0']));
    expect(nodes.code).toBe(2);
    expect(nodes.stderr).toContain('--nodes');
  });

  it('parses the flags with their defaults', async () => {
    expect(await parseFlags([])).toEqual({
      scenario: undefined,
      flags: {
        seed: 42,
        nodes: 3,
        partitions: 16,
        json: false,
        logLevel: 'silent',
        history: 'auto',
        clock: 'real',
        web: false,
      },
    });
    const { scenario, flags } = await parseFlags([
      'chaos',
      '--events',
      '1_000',
      '--faults',
      'flaky',
      '--seed',
      '9',
    ]);
    expect(scenario).toBe('chaos');
    expect(flags).toMatchObject({ events: 1000, faults: 'flaky', seed: 9 });
  });

  it('takes --web with a port, and refuses a port without --web or out of range', async () => {
    expect((await parseFlags(['chaos', '--web', '--port', '8080'])).flags).toMatchObject({
      web: true,
      port: 8080,
    });
    expect((await parseFlags(['chaos', '--web'])).flags.port).toBeUndefined();
    expect(await refusal(['chaos', '--port', '8080'])).toContain('--port needs --web');
    expect(await refusal(['chaos', '--web', '--port', '70000'])).toContain('--port');
  });
});
