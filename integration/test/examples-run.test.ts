// Every example runs by the one command its header gives (from the repository root, as a user would type
// it) and ends with exit code 0; each example checks its own result and exits non-zero when it does not hold.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/pack-and-install.js';
import { ROOT } from '../src/repository-root.js';

const EXAMPLES = join(ROOT, 'examples');
const NODE_PREFIX = 'node --conditions=@datastreamer/source --import tsx ';

/** The example files and the command each one's header names (`// Run: <command>` on its first line). */
function examples(): { file: string; command: string }[] {
  return readdirSync(EXAMPLES)
    .filter((f) => f.endsWith('.ts') && f !== 'vitest.config.ts')
    .map((file) => {
      const first = readFileSync(join(EXAMPLES, file), 'utf8').split('\n')[0] ?? '';
      const command = /^\/\/ Run: (.+)$/.exec(first)?.[1] ?? '';
      return { file, command };
    });
}

describe('Examples', () => {
  it('each name their command on their first line', () => {
    const all = examples();
    expect(all.map((e) => e.file).sort()).toEqual([
      'crash-restart-check.ts',
      'first-stream.ts',
      'receiver-property.test.ts',
      'resume-after-failure.ts',
    ]);
    for (const { file, command } of all) {
      if (file.endsWith('.test.ts')) {
        // A test example runs in the examples' own suite (their test task); its command runs just it.
        const name = file.replace(/\.test\.ts$/, '');
        expect(command).toBe(`pnpm --filter @datastreamer/examples exec vitest run ${name}`);
      } else expect(command).toBe(`${NODE_PREFIX}examples/${file}`);
    }
  });

  for (const { file, command } of examples().filter((e) => !e.file.endsWith('.test.ts'))) {
    it(`${file} runs from the repository root and succeeds`, () => {
      const script = command.slice(NODE_PREFIX.length);
      const args = NODE_PREFIX.trim().split(' ').slice(1);
      // Throws with the example's output when it exits non-zero.
      const output = run([process.execPath, ...args, script], ROOT);
      expect(output.length).toBeGreaterThan(0);
    });
  }
});
