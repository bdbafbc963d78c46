// Every TypeScript block of the repository's Markdown (READMEs, docs) compiles with the repository's strict
// settings: a user copies these first, and an example that does not compile is worse than none.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileBlocks } from '../src/compile-blocks.js';
import { codeBlocks, isTypeScript, repositoryBlocks } from '../src/markdown-blocks.js';
import { buildPublished } from '../src/pack-and-install.js';
import { ROOT } from '../src/repository-root.js';

describe('TypeScript blocks of the Markdown', () => {
  it('compile, each as its own module, with the strict settings', () => {
    const blocks = repositoryBlocks(ROOT).filter(isTypeScript);
    // The READMEs of the root and of every published package have examples; none may slip out of the check.
    const files = new Set(blocks.map((b) => b.file));
    for (const readme of [
      'README.md',
      'packages/client/README.md',
      'packages/sim-cluster/README.md',
      'packages/protocol/README.md',
    ]) {
      expect(files, `${readme} has no ts block`).toContain(readme);
    }
    buildPublished();
    const errors = compileBlocks(blocks, join(ROOT, 'integration', '.blocks'));
    expect(errors.map((e) => `${e.where}: ${e.message}`).join('\n')).toBe('');
  }, 300_000);

  it('points a failing block at its Markdown file and line', () => {
    const markdown = [
      '# Doc',
      '',
      '```ts',
      'const ok: number = 1;',
      "const bad: number = 'one';",
      '```',
      '',
      '```sh',
      'not typescript',
      '```',
    ].join('\n');
    const blocks = codeBlocks(markdown, 'docs/EXAMPLE.md').filter(isTypeScript);
    expect(blocks).toHaveLength(1);
    const errors = compileBlocks(blocks, join(ROOT, 'integration', '.blocks-failing'));
    expect(errors).toHaveLength(1);
    expect(errors[0]?.where).toBe('docs/EXAMPLE.md:5:7');
    expect(errors[0]?.message).toMatch(/^TS2322/);
  });
});

describe('codeBlocks', () => {
  it('reads fences of backticks and tildes, their language and first line, and nothing outside them', () => {
    const markdown = ['text', '````ts', 'a', '```', 'still inside', '````', '~~~', 'b', '~~~', '```'].join(
      '\n',
    );
    expect(codeBlocks(markdown, 'x.md')).toEqual([
      { file: 'x.md', line: 3, lang: 'ts', code: 'a\n```\nstill inside' },
      { file: 'x.md', line: 8, lang: '', code: 'b' },
      { file: 'x.md', line: 11, lang: '', code: '' },
    ]);
  });
});
