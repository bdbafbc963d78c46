import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isWellFormedText, scanWellFormedText } from '../src/schema/value-check.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Well-formed exactly when UTF-8 round-trips it (a lone surrogate comes back as U+FFFD). */
function roundTrips(text: string): boolean {
  return decoder.decode(encoder.encode(text)) === text;
}

/** UTF-16 text rich in surrogates: paired, lone, reversed, at either end. */
const textArb = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0xd800, max: 0xdbff }),
      fc.integer({ min: 0xdc00, max: 0xdfff }),
    ),
    { maxLength: 80 },
  )
  .map((units) => String.fromCharCode(...units));

describe('isWellFormedText', () => {
  it('accepts exactly the text that UTF-8 round-trips, natively and by the fallback loop', () => {
    fc.assert(
      fc.property(fc.oneof(textArb, fc.string({ unit: 'binary', maxLength: 40 })), (text) => {
        const expected = roundTrips(text);
        expect(isWellFormedText(text)).toBe(expected);
        expect(scanWellFormedText(text)).toBe(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(['', 'abc', '\uD83D\uDE00', 'x\uD83D\uDE00y', 'Ключ'])('accepts %j', (text) => {
    expect(isWellFormedText(text)).toBe(true);
    expect(scanWellFormedText(text)).toBe(true);
  });

  it.each(['\uD800', '\uDC00', 'a\uD800', '\uDC00\uD800', '\uD83D\uD83D\uDE00\uDE00'])(
    'rejects %j',
    (text) => {
      expect(isWellFormedText(text)).toBe(false);
      expect(scanWellFormedText(text)).toBe(false);
    },
  );
});
