/** The repository's root folder, and how to run the workspace's own tools (tsc, pnpm) from a test. */
import { fileURLToPath } from 'node:url';

/** The repository root (the folder above `integration/`). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** turbo of the workspace, as a command. */
export const TURBO = [
  process.execPath,
  fileURLToPath(new URL('../../node_modules/turbo/bin/turbo', import.meta.url)),
];

/** `tsc` of the workspace, as a command: node and the compiler's script. */
export const TSC = [
  process.execPath,
  fileURLToPath(new URL('../../node_modules/typescript/lib/tsc.js', import.meta.url)),
];

/**
 * The pnpm running this test, as a command: under `pnpm run` (and so under turbo) pnpm names its own script
 * in `npm_execpath`, which works even when pnpm was started through `npx` and is not on the PATH.
 */
export function pnpmCommand(): string[] {
  const execPath = process.env['npm_execpath'];
  if (execPath !== undefined && /pnpm/.test(execPath)) return [process.execPath, execPath];
  return ['pnpm'];
}
