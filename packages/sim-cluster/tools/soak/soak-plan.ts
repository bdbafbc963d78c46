/**
 * What a soak run covers, as pure functions: the command line (`--runs`, `--workers`, `--shard i/n`,
 * `--seed`), the range of scenario indexes a shard owns, and each scenario's own fast-check seed and shape.
 *
 * Scenario `k` of a soak with base seed `S` is the same scenario wherever it runs: its fast-check seed is
 * drawn from `S` and `k` alone, never from the position of `k` within a worker or a shard. So splitting a soak
 * over workers or machines changes who runs what, not what runs: the same scenarios pass or fail, and
 * failures dump the same replay files. It runs nothing.
 */
import { createRng } from '@datastreamer/protocol';

/**
 * The shapes a soak cycles through (by index): the default one, dense early faults, and streams that fail and
 * resume; then the same on replicated partitions (3 replicas on 3 nodes, 3 replicas on 5 nodes with dense
 * faults, and resumed streams on 3 replicas, with destroys and crashes that lose unsynced writes). So half of
 * a soak's scenarios are replicated: 10,000 of them take `--runs 20000`.
 */
export const SoakShapes = [
  'default',
  'dense',
  'resume',
  'replicated-3',
  'replicated-5',
  'replicated-resume',
] as const;
export type SoakShape = (typeof SoakShapes)[number];

export interface SoakOptions {
  /** Scenarios in the whole soak (every shard together). */
  readonly runs: number;
  /** Worker threads on this machine. */
  readonly workers: number;
  /** This machine's share: shard `index` (1-based) of `count`. */
  readonly shard: { readonly index: number; readonly count: number };
  /** The base seed every scenario's seed derives from; undefined: draw a fresh one (and print it). */
  readonly seed: number | undefined;
  /** Stop each failing scenario at its first failure, without shrinking. */
  readonly endOnFailure: boolean;
  /** Print one JSON object (per-scenario results) on stdout instead of text. */
  readonly json: boolean;
}

export const SOAK_USAGE =
  'usage: pnpm test:soak [--runs N] [--workers N] [--shard i/n] [--seed S] [--end-on-failure] [--json]\n' +
  '  --runs     scenarios in the whole soak (default $SOAK_RUNS, else 1000)\n' +
  '  --workers  worker threads (default: the core count)\n' +
  '  --shard    run only the i-th of n equal ranges of scenario indexes (machines of a CI matrix)\n' +
  '  --seed     base seed (default $PROPERTY_SEED, else a fresh one, printed); every shard needs the same';

/** A command-line mistake: the message names the flag. */
export class SoakUsageError extends Error {
  override readonly name = 'SoakUsageError';
}

function positiveInteger(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text === '' || !Number.isSafeInteger(value) || value < 1) {
    throw new SoakUsageError(`${flag} must be an integer >= 1, got ${text ?? 'nothing'}`);
  }
  return value;
}

/**
 * The options from `argv` (the arguments after the script) and the environment (`SOAK_RUNS`,
 * `PROPERTY_SEED`, `PROPERTY_END_ON_FAILURE=1`).
 * @throws SoakUsageError naming a bad or unknown flag.
 */
export function parseSoakArgs(argv: readonly string[], env: NodeJS.ProcessEnv, cores: number): SoakOptions {
  let runs = env['SOAK_RUNS'] === undefined ? 1000 : positiveInteger('SOAK_RUNS', env['SOAK_RUNS']);
  let workers = Math.max(1, cores);
  let shard = { index: 1, count: 1 };
  const seedText = env['PROPERTY_SEED'];
  let seed = seedText === undefined || seedText === '' ? undefined : seedOf('PROPERTY_SEED', seedText);
  let endOnFailure = env['PROPERTY_END_ON_FAILURE'] === '1';
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => argv[++i];
    if (flag === '--runs') runs = positiveInteger('--runs', value());
    else if (flag === '--workers') workers = positiveInteger('--workers', value());
    else if (flag === '--shard') shard = shardOf(value());
    else if (flag === '--seed') seed = seedOf('--seed', value());
    else if (flag === '--end-on-failure') endOnFailure = true;
    else if (flag === '--json') json = true;
    else if (flag === '--') continue;
    else throw new SoakUsageError(`unknown argument ${flag}`);
  }
  return { runs, workers, shard, seed, endOnFailure, json };
}

function seedOf(flag: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || !Number.isSafeInteger(value) || value < 0) {
    throw new SoakUsageError(`${flag} must be an integer >= 0, got ${text ?? 'nothing'}`);
  }
  return value;
}

function shardOf(text: string | undefined): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text ?? '');
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (match === null || index < 1 || count < 1 || index > count) {
    throw new SoakUsageError(`--shard must be i/n with 1 <= i <= n, got ${text ?? 'nothing'}`);
  }
  return { index, count };
}

/** The scenario indexes shard `index` of `count` owns: the `index`-th of `count` near-equal ranges. */
export function shardRange(runs: number, shard: { readonly index: number; readonly count: number }) {
  const from = Math.floor(((shard.index - 1) * runs) / shard.count);
  const to = Math.floor((shard.index * runs) / shard.count);
  return { from, to };
}

/** The fast-check seed of scenario `index` of a soak with base seed `base` (a 31-bit integer). */
export function scenarioSeed(base: number, index: number): number {
  return Number(createRng(base).child(`soak-scenario-${index}`).seed & 0x7fff_ffffn);
}

/** The shape of scenario `index`: the shapes in turn, a sixth of the scenarios each. */
export function scenarioShape(index: number): SoakShape {
  return SoakShapes[index % SoakShapes.length] ?? 'default';
}
