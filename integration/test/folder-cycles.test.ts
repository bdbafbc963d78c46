// Arrows between the folders of a package go one way (tools/folder-cycles): the repository passes with its
// list of known cycles, and planted trees show that each kind of import closes a cycle, that the report names
// the imports, and that a known cycle which is gone fails the check, so the list can only shrink.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkFolderCycles, type KnownFolderCycle } from '../../tools/folder-cycles/folder-cycles.js';
import { KNOWN_FOLDER_CYCLES } from '../../tools/folder-cycles/known-folder-cycles.js';
import { workspaceGraphs } from '../../tools/folder-cycles/workspace-graphs.js';
import { ROOT } from '../src/repository-root.js';

/** A scratch repository with `packages/<pkg>/src/<path>` files, removed when the test's scope ends. */
function plantedTree(files: Readonly<Record<string, string>>): { root: string } & Disposable {
  const root = mkdtempSync(join(tmpdir(), 'datastreamer-cycles-'));
  for (const [path, text] of Object.entries(files)) {
    const file = join(root, 'packages', path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { root, [Symbol.dispose]: () => rmSync(root, { recursive: true, force: true }) };
}

function check(files: Readonly<Record<string, string>>, known: readonly KnownFolderCycle[] = []) {
  using tree = plantedTree(files);
  return checkFolderCycles(workspaceGraphs(tree.root), known);
}

describe('folder cycles', () => {
  it('passes on the repository with its known list', () => {
    const report = checkFolderCycles(workspaceGraphs(ROOT), KNOWN_FOLDER_CYCLES);
    expect(report.cycles).toEqual([]);
    expect(report.stale).toEqual([]);
  });

  it('exits 0 from its command on the repository', () => {
    const script = fileURLToPath(
      new URL('../../tools/folder-cycles/check-folder-cycles.ts', import.meta.url),
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('names a planted cycle with the import that draws each arrow', () => {
    const report = check({
      'p/src/index.ts': "export { a } from './cache/a.js';\n",
      'p/src/cache/a.ts': "// a\n\nimport { b } from '../table/b.js';\nexport const a = b;\n",
      'p/src/table/b.ts': "import type { A } from '../cache/types.js';\nexport const b: A = 1;\n",
      'p/src/cache/types.ts': 'export type A = number;\n',
    });
    expect(report.cycles).toEqual(['p: cache -> table -> cache via cache/a.ts:3, table/b.ts:1']);
  });

  it.each([
    ['an import type', "import type { X } from '../a/x.js';\nexport type Y = X;\n"],
    ['a re-export', "export { type X } from '../a/x.js';\n"],
    ['an export star', "export * from '../a/x.js';\n"],
    ['an import() type', "export type Y = import('../a/x.js').X;\n"],
    ['a dynamic import', "export const load = () => import('../a/x.js');\n"],
    ['an import of the folder index', "import type { X } from '../a/index.js';\nexport type Y = X;\n"],
  ])('counts %s as an arrow', (_kind, text) => {
    const report = check({
      'p/src/a/x.ts': "import type { Y } from '../b/y.js';\nexport type X = number;\nexport type Z = Y;\n",
      'p/src/a/index.ts': "export type { X } from './x.js';\n",
      'p/src/b/y.ts': text,
    });
    expect(report.cycles).toHaveLength(1);
    expect(report.cycles[0]).toMatch(/^p: a -> b -> a via a\/x\.ts:1, b\/y\.ts:1$/);
  });

  it('counts an inner folder importing the root index as an arrow to the root', () => {
    const report = check({
      'demo/src/index.ts': "export { run } from './run/run.js';\nexport const name = 'demo';\n",
      'demo/src/run/run.ts': "import { name } from '../index.js';\nexport const run = () => name;\n",
    });
    expect(report.cycles).toEqual(['demo: (root) -> run -> (root) via index.ts:1, run/run.ts:1']);
  });

  it('finds a cycle through several folders and reports it once', () => {
    const report = check({
      'p/src/a/a.ts': "import '../b/b.js';\n",
      'p/src/b/b.ts': "import '../c/c.js';\n",
      'p/src/c/c.ts': "import '../a/a.js';\n",
    });
    expect(report.cycles).toEqual(['p: a -> b -> c -> a via a/a.ts:1, b/b.ts:1, c/c.ts:1']);
  });

  it('passes arrows that go one way, imports inside a folder and imports of other packages', () => {
    const report = check({
      'p/src/index.ts': "export * from './a/a.js';\nimport '@datastreamer/protocol';\n",
      'p/src/a/a.ts': "import '../b/b.js';\nimport './a2.js';\nimport 'node:fs';\n",
      'p/src/a/a2.ts': "import '../b/b.js';\n",
      'p/src/b/b.ts': "import '@datastreamer/client';\n",
      'q/src/b/b.ts': "import '../a/a.js';\n",
      'q/src/a/a.ts': 'export const a = 1;\n',
    });
    expect(report).toEqual({ cycles: [], stale: [], tolerated: 0 });
  });

  it('tolerates a cycle whose arrows are all on the known list', () => {
    const files = {
      'p/src/a/a.ts': "import '../b/b.js';\n",
      'p/src/b/b.ts': "import '../a/a.js';\n",
    };
    const known = [
      { pkg: 'p', from: 'a', to: 'b', reason: 'fixed elsewhere' },
      { pkg: 'p', from: 'b', to: 'a', reason: 'fixed elsewhere' },
    ];
    expect(check(files, known)).toEqual({ cycles: [], stale: [], tolerated: 2 });
    expect(check(files, known.slice(0, 1)).cycles).toEqual(['p: b -> a -> b via b/b.ts:1, a/a.ts:1']);
  });

  it('fails on a known cycle that no longer exists', () => {
    const report = check({ 'p/src/a/a.ts': "import '../b/b.js';\n", 'p/src/b/b.ts': 'export {};\n' }, [
      { pkg: 'p', from: 'a', to: 'b', reason: 'fixed elsewhere' },
      { pkg: 'gone', from: 'x', to: 'y', reason: 'fixed elsewhere' },
    ]);
    expect(report.cycles).toEqual([]);
    expect(report.stale).toEqual([
      'p: a -> b is on the known list but no longer in a cycle (fixed elsewhere)',
      'gone: x -> y is on the known list but no longer in a cycle (fixed elsewhere)',
    ]);
  });
});
