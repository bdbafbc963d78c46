import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '../src/errors/error-codes.js';
import { decodeValue, encodeValue } from '../src/values/value-codec.js';
import * as w from './support/wire-builder.js';
import { dumpMsgPack } from './support/wire-dump.js';
import { GOLDEN_VALUES, goldenBodies } from './support/wire-golden.js';
import { goldenBlock, PAYLOAD_LABELS } from './support/wire-print-golden.js';

const DOC_PATH = new URL('../../../docs/PROTOCOL.md', import.meta.url);
const doc = readFileSync(DOC_PATH, 'utf8');

/** The hex of every `<!-- golden: NAME -->` block of the document (the part of each line before `#`). */
function documentedBodies(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const pattern = /<!-- golden: (.+?) -->\n```text\n([\s\S]*?)\n```/g;
  for (const match of doc.matchAll(pattern)) {
    const [, name = '', block = ''] = match;
    const hexText = block
      .split('\n')
      .map((line) => line.split('#')[0] ?? '')
      .join(' ');
    const names = found.get(name) ?? [];
    names.push(w.hex(w.fromHex(hexText)));
    found.set(name, names);
  }
  return found;
}

describe('docs/PROTOCOL.md', () => {
  const documented = documentedBodies();
  const golden = goldenBodies();

  it('lists every error code with its id and whether it is retryable, and nothing else', () => {
    const rows = [...doc.matchAll(/^\| (\d+) \| ([A-Z_]+) \| (yes|no) \|$/gm)].map(
      ([, id, code, retryable]) => [Number(id), code, retryable === 'yes'] as const,
    );
    const expected = Object.entries(ErrorCodes)
      .map(([code, { id, retryable }]) => [id, code, retryable] as const)
      .sort((a, b) => a[0] - b[0]);
    expect(rows).toEqual(expected);
  });

  it('shows every golden message exactly once', () => {
    for (const name of golden.keys()) expect(documented.get(name)?.length ?? 0, name).toBe(1);
  });

  it('shows no example that is not a golden message', () => {
    for (const name of documented.keys()) expect(golden.has(name), name).toBe(true);
  });

  for (const [name, { bytes }] of golden) {
    it(`shows the golden bytes of the ${name}`, () => {
      expect(documented.get(name)?.[0]).toBe(w.hex(bytes));
    });
  }

  it('shows each example exactly as the print script renders it, labels included', () => {
    for (const [name, { bytes, kind }] of golden) expect(doc, name).toContain(goldenBlock(name, kind, bytes));
  });

  it('names every payload value of the annotated examples, no more and no fewer', () => {
    for (const [name, labels] of Object.entries(PAYLOAD_LABELS)) {
      const entry = golden.get(name);
      if (entry === undefined) throw new Error(`no golden message named ${name}`);
      const topLevel = dumpMsgPack(w.u8(entry.bytes)).filter((line) => /# \S/.test(line)).length;
      const envelope = entry.kind === 'request' ? 2 : 3 + ((entry.bytes[1] ?? 0) & 1);
      expect(labels.length, name).toBe(topLevel - envelope);
    }
  });

  it('shows value codec examples that the value codec writes and reads', () => {
    for (const example of GOLDEN_VALUES) {
      expect(w.hex(encodeValue(example.value)), example.name).toBe(w.hex(example.bytes));
      expect(w.hex(encodeValue(decodeValue(w.u8(example.bytes))))).toBe(w.hex(example.bytes));
    }
  });

  it('states the defaults the code uses', () => {
    expect(doc).toContain('16 MiB (16,777,216 bytes)');
    expect(doc).toContain('currently **1.0.0**');
    expect(doc).toContain('limited to 64 levels');
  });
});
