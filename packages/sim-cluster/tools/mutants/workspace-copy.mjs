// A throw-away copy of the workspace's sources, for running tests against patched code without touching
// the real tree: the working tree's files (tracked and untracked, minus ignored ones) or one commit's, the
// root node_modules linked, and each package's node_modules copied as the symlinks pnpm made (relative
// links, so `@datastreamer/*` inside the copy resolve to the copy's packages). It never changes git state.

import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Folders holding workspace packages. */
const PACKAGE_FOLDERS = ['packages', 'apps'];

/**
 * Copies the workspace at `root` into a new temporary folder and returns its path.
 *
 * @param {string} root the repository root.
 * @param {{ ref?: string, overlay?: readonly string[] }} [options] `ref`: copy that commit's files instead
 *   of the working tree (`git archive`); `overlay`: paths (from the root) copied from the working tree on top
 *   of `ref`'s files, e.g. tests not committed yet.
 * @returns {string}
 */
export function copyWorkspace(root, options = {}) {
  const target = mkdtempSync(join(tmpdir(), 'datastreamer-mutant-'));
  if (options.ref === undefined) {
    const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    })
      .toString('utf8')
      .split('\0')
      .filter((file) => file !== '');
    for (const file of listed) {
      // A tracked file deleted in the working tree is left out, as the working tree has it.
      if (!existsSync(join(root, file))) continue;
      copyFile(root, target, file);
    }
  } else {
    const tar = execFileSync('git', ['archive', '--format=tar', options.ref], {
      cwd: root,
      maxBuffer: 256 * 1024 * 1024,
    });
    execFileSync('tar', ['-x', '-C', target], { input: tar });
    for (const path of options.overlay ?? []) {
      cpSync(join(root, path), join(target, path), { recursive: true, force: true });
    }
  }
  symlinkSync(join(root, 'node_modules'), join(target, 'node_modules'), 'dir');
  for (const folder of PACKAGE_FOLDERS) {
    const packages = join(root, folder);
    if (!existsSync(packages)) continue;
    for (const name of readdirSync(packages)) {
      const modules = join(packages, name, 'node_modules');
      if (!existsSync(modules) || !existsSync(join(target, folder, name))) continue;
      cpSync(modules, join(target, folder, name, 'node_modules'), {
        recursive: true,
        verbatimSymlinks: true,
        // Vite's caches hold absolute paths of the real tree.
        filter: (source) => !/[\\/]\.vite(-temp)?$/.test(source),
      });
    }
  }
  return target;
}

/** @param {string} from @param {string} to @param {string} file */
function copyFile(from, to, file) {
  const destination = join(to, file);
  mkdirSync(dirname(destination), { recursive: true });
  writeFileSync(destination, readFileSync(join(from, file)));
}
