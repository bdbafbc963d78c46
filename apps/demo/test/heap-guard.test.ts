import { describe, expect, it } from 'vitest';
import { BYTES_PER_EVENT, checkHeapFor } from '../src/run/memory-guard.js';

describe('checkHeapFor', () => {
  it('lets a run through that fits in the heap', () => {
    expect(() => checkHeapFor('album-release', 500_000, 4e9)).not.toThrow();
  });

  it('refuses a run that would not fit, naming the heap needed and the option that fits it', () => {
    expect(() => checkHeapFor('album-release', 2_500_000, 4.3e9)).toThrow(
      /album-release with 2,500,000 events needs about 10\.0 GB .* has 4\.3 GB: run it with NODE_OPTIONS=--max-old-space-size=12288/,
    );
  });

  it('draws the line at 90% of the heap', () => {
    const limit = 1e9;
    const fits = Math.floor((limit * 0.9) / BYTES_PER_EVENT);
    expect(() => checkHeapFor('chaos', fits, limit)).not.toThrow();
    expect(() => checkHeapFor('chaos', fits + 1, limit)).toThrow(/chaos/);
  });
});
