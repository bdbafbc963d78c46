// The repository's READMEs and docs link only inside the repository, to files that exist: a clone or an npm
// tarball carries nothing else, so a link out (or to a design folder beside the repository) is a dead end
// for a user.

import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { markdownFiles } from '../src/markdown-blocks.js';
import { isExternal, markdownLinks, resolveTarget } from '../src/markdown-links.js';
import { ROOT } from '../src/repository-root.js';

/** Every broken or outside link of the repository's Markdown, as `file:line target (why)`. */
function badLinks(root: string): string[] {
  const bad: string[] = [];
  for (const file of markdownFiles(root)) {
    for (const { line, target } of markdownLinks(readFileSync(join(root, file), 'utf8'))) {
      if (isExternal(target)) {
        bad.push(`${file}:${line} ${target} (outside the repository)`);
        continue;
      }
      const path = resolveTarget(file, target);
      if (path === undefined) continue;
      if (path.startsWith('..')) bad.push(`${file}:${line} ${target} (outside the repository)`);
      else if (!existsSync(join(root, path))) bad.push(`${file}:${line} ${target} (no such file)`);
    }
  }
  return bad;
}

const SKIPPED = new Set(['node_modules', 'dist', '.git', '.turbo', 'coverage', '.blocks', '.blocks-failing']);

/** Text files of the repository that name the design folder beside it (the string is built, not written). */
function filesNamingSharedFolder(root: string): string[] {
  const needle = ['..', 'shared'].join('/');
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      if (SKIPPED.has(name)) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (statSync(path).size < 2_000_000 && readFileSync(path, 'utf8').includes(needle))
        found.push(relative(root, path));
    }
  };
  walk(root);
  return found;
}

describe('Repository links', () => {
  it('stay inside the repository and point at files that exist', () => {
    expect(badLinks(ROOT)).toEqual([]);
  });

  it('never name the design folder beside the repository', () => {
    expect(filesNamingSharedFolder(ROOT)).toEqual([]);
  });

  it('are reported when they leave the repository, miss their file, or name the design folder', () => {
    const root = mkdtempSync(join(tmpdir(), 'datastreamer-links-'));
    try {
      mkdirSync(join(root, 'docs'));
      writeFileSync(join(root, 'docs', 'A.md'), '# A\n');
      writeFileSync(
        join(root, 'README.md'),
        [
          '[fine](docs/A.md) [web](https://example.com) [gone](docs/B.md)',
          `[beside](${['..', 'shared'].join('/')}/docs/C.md)`,
        ].join('\n'),
      );
      expect(badLinks(root)).toEqual([
        'README.md:1 https://example.com (outside the repository)',
        'README.md:1 docs/B.md (no such file)',
        `README.md:2 ${['..', 'shared'].join('/')}/docs/C.md (outside the repository)`,
      ]);
      expect(filesNamingSharedFolder(root)).toEqual(['README.md']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('markdownLinks', () => {
  it('finds inline, image, reference and autolinks, and skips code', () => {
    const markdown = [
      'See [docs](docs/A.md#part) and ![img](img/b.png "title").',
      '`[not](a/link.md)`',
      '```md',
      '[inside](fence.md)',
      '```',
      '<https://example.com/x>',
      '[ref]: ../outside.md',
    ].join('\n');
    expect(markdownLinks(markdown)).toEqual([
      { line: 1, target: 'docs/A.md#part' },
      { line: 1, target: 'img/b.png' },
      { line: 6, target: 'https://example.com/x' },
      { line: 7, target: '../outside.md' },
    ]);
  });

  it('resolves relative targets from the linking file, and flags schemes', () => {
    expect(resolveTarget('packages/client/README.md', '../../docs/A.md#x')).toBe('docs/A.md');
    expect(resolveTarget('README.md', '#section')).toBeUndefined();
    expect(resolveTarget('README.md', '../elsewhere/B.md')).toBe('../elsewhere/B.md');
    expect(isExternal('https://example.com')).toBe(true);
    expect(isExternal('mailto:a@b.c')).toBe(true);
    expect(isExternal('docs/A.md')).toBe(false);
  });
});
