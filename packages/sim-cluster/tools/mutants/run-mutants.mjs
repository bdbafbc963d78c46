#!/usr/bin/env node
// `pnpm test:mutants`: plants each bug of mutants.mjs in its own temporary copy of the workspace, runs the
// property suite there with its default budget, and reports which mutants the suite caught. It exits 1 when
// a mutant survives, the unpatched copy fails (the baseline must pass, or a catch means nothing), or an
// anchor is missing (a refactor moved the code: update the mutant). The real tree is never modified.
//
//   node packages/sim-cluster/tools/mutants/run-mutants.mjs [--only a,b] [--jobs 2] [--keep]
//        [--ref <commit> [--overlay <path>]...] [--no-baseline] [--timeout <s>]
//
// A catch counts only when a property reported a failing scenario ("scenario property failed", "race
// property failed", "stored-rows property failed", "metastorage property failed" or "stale-assignment scenario
// failed"), not when the copy fails to compile or a test crashes otherwise.

import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mutants } from './mutants.mjs';
import { copyWorkspace } from './workspace-copy.mjs';

const ROOT = resolve(fileURLToPath(new URL('../../../..', import.meta.url)));
const PACKAGE = 'packages/sim-cluster';
/** The property suite the mutants are judged by: the default suite, default budget. */
const SUITE = [
  'test/property-at-least-once-order.test.ts',
  'test/property-races.test.ts',
  'test/property-exact-outcomes.test.ts',
  'test/property-replicated.test.ts',
  'test/property-linearizable.test.ts',
  'test/property-corrupted-batches.test.ts',
  'test/metastorage-linearizable.test.ts',
  'test/metastorage-assignments.test.ts',
];
const CAUGHT =
  /scenario property failed|race property failed|stored-rows property failed|metastorage property failed|stale-assignment scenario failed/;
const USAGE =
  'usage: run-mutants.mjs [--only name,...] [--jobs N] [--keep] [--ref <commit> [--overlay <path>]...] [--no-baseline] [--timeout <s>]';

/** @param {readonly string[]} argv */
function parseArgs(argv) {
  /** @type {{ only?: string[], jobs: number, keep: boolean, ref?: string, overlay: string[], baseline: boolean, timeoutS: number }} */
  const args = { jobs: 2, keep: false, overlay: [], baseline: true, timeoutS: 600 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--only') args.only = value().split(',');
    else if (arg === '--jobs') args.jobs = Math.max(1, Number.parseInt(value(), 10) || 1);
    else if (arg === '--keep') args.keep = true;
    else if (arg === '--ref') args.ref = value();
    else if (arg === '--overlay') args.overlay.push(value());
    else if (arg === '--no-baseline') args.baseline = false;
    else if (arg === '--timeout') args.timeoutS = Math.max(1, Number.parseInt(value(), 10) || 600);
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return args;
}

/**
 * Applies `mutant`'s patches in `dir`.
 * @throws Error naming the file and anchor when an anchor is missing or not unique.
 */
function plant(dir, mutant) {
  for (const patch of mutant.patches) {
    const file = join(dir, patch.file);
    const text = readFileSync(file, 'utf8');
    const count = text.split(patch.find).length - 1;
    if (count !== 1) {
      throw new Error(
        `mutant ${mutant.name}: the anchor is ${count === 0 ? 'missing from' : `found ${count} times in`} ${patch.file}:\n${patch.find}`,
      );
    }
    writeFileSync(
      file,
      text.replace(patch.find, () => patch.replace),
    );
  }
}

/**
 * Runs the property suite in the copy at `dir`; resolves with its exit code and output. A suite still
 * running after `timeoutS` is killed (a hang is not a catch: the property must fail, not stall).
 */
function runSuite(dir, timeoutS) {
  return new Promise((done) => {
    const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const child = spawn(process.execPath, [vitest, 'run', ...SUITE], {
      cwd: join(dir, PACKAGE),
      env: {
        ...process.env,
        // Stop at the first failing scenario: the catch is what counts here, not the shrunk scenario.
        PROPERTY_END_ON_FAILURE: '1',
        SIM_FAILURES_DIR: join(dir, 'sim-failures'),
        FORCE_COLOR: '0',
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const timer = setTimeout(() => {
      output += `\n(run-mutants: killed after ${timeoutS} s)\n`;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code: code ?? 1, output });
    });
  });
}

/** Typechecks every package a mutant patches, in the copy; the compiler's output when it fails. */
function typecheckPatched(dir, mutant) {
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const packages = new Set(mutant.patches.map((patch) => patch.file.split('/').slice(0, 2).join('/')));
  for (const pkg of packages) {
    // Unused names are style, not breakage: a bug often leaves one behind.
    const flags = ['--noEmit', '--noUnusedLocals', 'false', '--noUnusedParameters', 'false'];
    const result = spawnSync(process.execPath, [tsc, ...flags, '-p', join(dir, pkg)], { encoding: 'utf8' });
    if (result.status !== 0) return `${pkg}: ${(result.stdout + result.stderr).slice(0, 2000)}`;
  }
  return undefined;
}

/** The first line naming what failed (a checker, or a stream that gave up), for the summary. */
function firstFinding(output) {
  const lines = output.split('\n');
  const line = lines.find((l) => /: FAILED|gave up/.test(l)) ?? lines.find((l) => /Property failed/.test(l));
  return line === undefined ? '' : line.trim().slice(0, 160);
}

/** Runs one job (a mutant, or the baseline with `mutant` undefined). */
async function runOne(args, mutant) {
  const name = mutant?.name ?? 'baseline';
  const started = Date.now();
  let dir;
  try {
    dir = copyWorkspace(ROOT, {
      ...(args.ref === undefined ? {} : { ref: args.ref }),
      overlay: args.overlay,
    });
    if (mutant !== undefined) plant(dir, mutant);
  } catch (error) {
    if (dir !== undefined && !args.keep) rmSync(dir, { recursive: true, force: true });
    return { name, status: 'anchor', detail: error instanceof Error ? error.message : String(error), ms: 0 };
  }
  // A mutant must compile: one that fails with a ReferenceError or a type error would be "caught" by
  // accident, and a renamed variable in the sources would silently turn a planted bug into a crash.
  if (mutant !== undefined) {
    const problem = typecheckPatched(dir, mutant);
    if (problem !== undefined) {
      if (!args.keep) rmSync(dir, { recursive: true, force: true });
      return {
        name,
        status: 'broken',
        detail: `the mutant does not typecheck:\n${problem}`,
        ms: Date.now() - started,
      };
    }
  }
  const { code, output } = await runSuite(dir, args.timeoutS);
  const ms = Date.now() - started;
  writeFileSync(join(dir, `${name}.log`), output);
  if (!args.keep) rmSync(dir, { recursive: true, force: true });
  const where = args.keep ? ` (copy kept in ${dir})` : '';
  if (mutant === undefined) {
    return code === 0
      ? { name, status: 'passed', detail: `the unpatched copy passes${where}`, ms }
      : { name, status: 'broken', detail: `the unpatched copy fails${where}\n${output.slice(-4000)}`, ms };
  }
  if (code !== 0 && CAUGHT.test(output)) return { name, status: 'caught', detail: firstFinding(output), ms };
  if (code === 0) return { name, status: 'survived', detail: `the suite passed with the bug in${where}`, ms };
  return {
    name,
    status: 'broken',
    detail: `the suite failed without a property failure${where}\n${output.slice(-4000)}`,
    ms,
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const chosen = args.only === undefined ? mutants : mutants.filter((m) => args.only?.includes(m.name));
  if (args.only !== undefined && chosen.length !== args.only.length) {
    throw new Error(`unknown mutant in --only (known: ${mutants.map((m) => m.name).join(', ')})`);
  }
  /** @type {(import('./mutants.mjs').Mutant | undefined)[]} */
  const jobs = [...(args.baseline ? [undefined] : []), ...chosen];
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const mutant = jobs[next++];
      const result = await runOne(args, mutant);
      results.push(result);
      process.stdout.write(
        `${result.status.padEnd(8)} ${result.name} (${(result.ms / 1000).toFixed(1)} s) ${result.detail.split('\n')[0]}\n`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, jobs.length) }, worker));
  const bad = results.filter((r) => r.status !== 'caught' && r.status !== 'passed');
  for (const r of bad) process.stdout.write(`\n--- ${r.name}: ${r.status}\n${r.detail}\n`);
  const caught = results.filter((r) => r.status === 'caught').length;
  process.stdout.write(
    `\nmutants: ${caught} of ${chosen.length} caught${bad.length === 0 ? '' : `; ${bad.length} problem(s)`}\n`,
  );
  return bad.length === 0 && caught === chosen.length ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
