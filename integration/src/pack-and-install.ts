/**
 * Packs the published packages as `pnpm publish` would (their `prepack` builds them), and installs the
 * tarballs into a scratch npm project outside the repository, as a user would install them from a registry.
 * It checks nothing itself: the test imports and compiles against the scratch project.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pnpmCommand, ROOT, TURBO } from './repository-root.js';

/** The published packages, each after the packages it depends on. */
export const PUBLISHED = ['protocol', 'server-node', 'client', 'sim-cluster'] as const;

/** Runs `command` in `cwd`; returns its output. @throws Error with the output when it fails. */
export function run(command: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const [file = '', ...args] = command;
  const result = spawnSync(file, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error !== undefined) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command.join(' ')} (in ${cwd}) exited with ${result.status}:\n${output}`);
  }
  return output;
}

/**
 * Builds the published packages (`dist/`, what their `exports` name outside the workspace) through turbo, so
 * a build the packing or another test already made is a cache hit.
 */
export function buildPublished(): void {
  const filters = PUBLISHED.map((name) => `--filter=@datastreamer/${name}`);
  run([...TURBO, 'run', 'build', ...filters, '--output-logs=errors-only'], ROOT, {
    TURBO_TELEMETRY_DISABLED: '1',
  });
}

/**
 * Packs every published package into `destination`; returns the tarballs' paths, in {@link PUBLISHED} order.
 * Each pack runs the package's `prepack` (a turbo build); the four are built first in one turbo run, which
 * builds the two middle ones side by side, so each prepack then finds its build in the cache.
 */
export function packPublished(destination: string): string[] {
  mkdirSync(destination, { recursive: true });
  buildPublished();
  const pnpm = pnpmCommand();
  for (const name of PUBLISHED) {
    run([...pnpm, 'pack', '--pack-destination', destination], join(ROOT, 'packages', name), {
      TURBO_TELEMETRY_DISABLED: '1',
    });
  }
  const files = readdirSync(destination);
  return PUBLISHED.map((name) => {
    const file = files.find((f) => f.startsWith(`datastreamer-${name}-`) && f.endsWith('.tgz'));
    if (file === undefined)
      throw new Error(`pnpm pack wrote no tarball for ${name} (found: ${files.join(', ')})`);
    return join(destination, file);
  });
}

/**
 * A scratch npm project in `dir` with the tarballs installed from their files and `extra` (name@range) from
 * the registry. npm, not pnpm: what a user of the packages most likely has.
 */
export function scratchProject(dir: string, tarballs: readonly string[], extra: readonly string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'scratch', private: true, type: 'module' }, null, 2)}\n`,
  );
  run(['npm', 'install', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...extra], dir);
}
