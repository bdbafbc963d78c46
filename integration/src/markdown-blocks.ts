/**
 * Fenced code blocks of Markdown files, with the line each starts on, so a check over them can point at the
 * line of the document; and the Markdown files of the repository. It reads text; it compiles nothing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** One fenced block. */
export interface CodeBlock {
  /** The file, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the block's first line of code (the line after the opening fence). */
  readonly line: number;
  /** The fence's language (`ts`, `sh`, ...), or `''`. */
  readonly lang: string;
  readonly code: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/;

/** The fenced blocks of `markdown` (a fence closes with the same character, at least as long). */
export function codeBlocks(markdown: string, file: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i] ?? '');
    if (open === null) continue;
    const fence = open[1] ?? '```';
    const lang = open[2] ?? '';
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const text = lines[j] ?? '';
      const close = FENCE.exec(text);
      if (close !== null && close[2] === '' && (close[1] ?? '').startsWith(fence)) break;
      body.push(text);
    }
    blocks.push({ file, line: i + 2, lang, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** TypeScript blocks: fences marked `ts` or `typescript`. */
export function isTypeScript(block: CodeBlock): boolean {
  return block.lang === 'ts' || block.lang === 'typescript';
}

const SKIPPED_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo', 'coverage']);

/** Every Markdown file under `root` (dependencies, builds and dot-folders other than `.changeset` left out). */
export function markdownFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (SKIPPED_DIRS.has(entry.name)) continue;
        if (entry.name.startsWith('.') && entry.name !== '.changeset') continue;
        walk(path);
      } else if (entry.name.endsWith('.md')) out.push(relative(root, path));
    }
  };
  walk(root);
  return out.sort();
}

/** The blocks of every Markdown file under `root`. */
export function repositoryBlocks(root: string): CodeBlock[] {
  return markdownFiles(root).flatMap((file) => codeBlocks(readFileSync(join(root, file), 'utf8'), file));
}
