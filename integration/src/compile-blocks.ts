/**
 * Compiles TypeScript code blocks of Markdown with the repository's strict settings, each block as its own
 * module, in one `tsc` run, and maps every error back to the Markdown file and line it came from. The blocks
 * resolve the workspace packages as their users do, through the built declarations (`dist/`, which the caller
 * builds first), so only the blocks themselves are checked, not every package's sources again. It neither
 * runs the blocks nor decides which blocks to compile.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { CodeBlock } from './markdown-blocks.js';
import { ROOT, TSC } from './repository-root.js';

/** A compile error, at its place in the Markdown (or in another file, when a block is not to blame). */
export interface BlockError {
  /** `README.md:42:7`, or the file tsc named when it is not a block. */
  readonly where: string;
  readonly message: string;
}

/**
 * The repository's settings (`tsconfig.base.json`), minus the unused-name checks (a snippet may show a value
 * without using it, which says nothing about whether it compiles) and the source condition (packages resolve
 * to their published `types`).
 */
function tsconfig(workDir: string): string {
  return JSON.stringify(
    {
      extends: relative(workDir, join(ROOT, 'tsconfig.base.json')),
      compilerOptions: {
        noEmit: true,
        noUnusedLocals: false,
        noUnusedParameters: false,
        customConditions: [],
      },
      include: ['*.ts'],
    },
    null,
    2,
  );
}

const ERROR_LINE = /^(.+?)\((\d+),(\d+)\): error (TS\d+: .*)$/;

/**
 * Compiles `blocks` in `workDir` (a folder inside the repository, so packages resolve; emptied first) and
 * returns the errors.
 * @throws Error when tsc cannot run at all.
 */
export function compileBlocks(blocks: readonly CodeBlock[], workDir: string): BlockError[] {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  const byFile = new Map<string, CodeBlock>();
  blocks.forEach((block, i) => {
    const name = `block-${String(i).padStart(3, '0')}.ts`;
    byFile.set(name, block);
    // `export {}` makes every block a module, so blocks never see each other's names.
    writeFileSync(join(workDir, name), `${block.code}\nexport {};\n`);
  });
  writeFileSync(join(workDir, 'tsconfig.json'), tsconfig(workDir));
  const [node = process.execPath, ...args] = TSC;
  const run = spawnSync(node, [...args, '-p', join(workDir, 'tsconfig.json'), '--pretty', 'false'], {
    encoding: 'utf8',
    cwd: workDir,
  });
  if (run.error !== undefined) throw run.error;
  const errors: BlockError[] = [];
  for (const line of `${run.stdout}${run.stderr}`.split('\n')) {
    const match = ERROR_LINE.exec(line.trim());
    if (match === null) continue;
    const [, file = '', row = '0', column = '0', message = ''] = match;
    const block = byFile.get(file.replace(/^.*[\\/]/, ''));
    errors.push({
      where: block === undefined ? file : `${block.file}:${block.line + Number(row) - 1}:${column}`,
      message,
    });
  }
  if (run.status !== 0 && errors.length === 0) {
    throw new Error(`tsc failed without a located error:\n${run.stdout}${run.stderr}`);
  }
  return errors;
}
