/**
 * The links of Markdown text (`[text](target)`, `![alt](target)`, `<https://...>`) with their lines, and
 * where a relative one points. It reads text; whether a target is allowed is the caller's rule.
 */
import { dirname, join, normalize } from 'node:path';

/** One link. */
export interface MarkdownLink {
  readonly line: number;
  readonly target: string;
}

const INLINE = /!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const AUTOLINK = /<((?:https?|ftp):\/\/[^>\s]+)>/g;
const REFERENCE = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$/;

/** The links of `markdown`, outside fenced code blocks and inline code. */
export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((raw, i) => {
    const fenceMatch = /^ {0,3}(`{3,}|~{3,})/.exec(raw);
    if (fenceMatch !== null) {
      const mark = fenceMatch[1] ?? '';
      if (fence === undefined) fence = mark;
      else if (mark.startsWith(fence)) fence = undefined;
      return;
    }
    if (fence !== undefined) return;
    const text = raw.replace(/`[^`]*`/g, '');
    for (const match of text.matchAll(INLINE)) links.push({ line: i + 1, target: match[1] ?? '' });
    for (const match of text.matchAll(AUTOLINK)) links.push({ line: i + 1, target: match[1] ?? '' });
    const reference = REFERENCE.exec(text);
    if (reference !== null) links.push({ line: i + 1, target: reference[1] ?? '' });
  });
  return links;
}

/** Whether `target` leaves the repository by itself: a URL with a scheme, or a protocol-relative one. */
export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');
}

/**
 * The repository-relative path a relative `target` of `file` (itself repository-relative) points at, without
 * its `#anchor`; `undefined` for a link to an anchor of the same file. A result starting with `..` is outside
 * the repository.
 */
export function resolveTarget(file: string, target: string): string | undefined {
  const path = target.split('#')[0] ?? '';
  if (path === '') return undefined;
  return normalize(join(dirname(file), decodeURIComponent(path)));
}
