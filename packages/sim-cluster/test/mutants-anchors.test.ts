import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `pnpm test:mutants` plants each bug by exact-string replacement and refuses to run when an anchor is gone.
// It is slow and not part of `pnpm test`, so a refactor could leave a mutant pointing at code that no longer
// exists for sessions on end; this test makes such a refactor fail at once.

interface Patch {
  readonly file: string;
  readonly find: string;
  readonly replace: string;
}
interface Mutant {
  readonly name: string;
  readonly bug: string;
  readonly patches: readonly Patch[];
}

const root = fileURLToPath(new URL('../../../', import.meta.url));
const catalogue = new URL('../tools/mutants/mutants.mjs', import.meta.url).href;

describe('The planted bugs of pnpm test:mutants', () => {
  it('find every anchor exactly once in the current sources', async () => {
    const { mutants } = (await import(catalogue)) as { mutants: readonly Mutant[] };
    expect(mutants.length).toBeGreaterThan(0);
    const problems: string[] = [];
    for (const mutant of mutants) {
      for (const patch of mutant.patches) {
        const text = readFileSync(`${root}${patch.file}`, 'utf8');
        const count = text.split(patch.find).length - 1;
        if (count !== 1) problems.push(`${mutant.name}: anchor found ${count} times in ${patch.file}`);
        if (patch.find === patch.replace) problems.push(`${mutant.name}: a patch that changes nothing`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('have unique names', async () => {
    const { mutants } = (await import(catalogue)) as { mutants: readonly Mutant[] };
    const names = mutants.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
