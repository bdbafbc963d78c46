import { describe, expect, it } from 'vitest';
import { userPath } from '../src/replay/user-path.js';

describe('userPath', () => {
  it('resolves a relative path against the folder the command was typed in (INIT_CWD)', () => {
    expect(userPath('run.jsonl', { INIT_CWD: '/home/me/work' })).toBe('/home/me/work/run.jsonl');
    expect(userPath('../s.json', { INIT_CWD: '/home/me/work' })).toBe('/home/me/s.json');
  });

  it('keeps an absolute path, and falls back to the working directory', () => {
    expect(userPath('/tmp/run.jsonl', { INIT_CWD: '/home/me' })).toBe('/tmp/run.jsonl');
    expect(userPath('run.jsonl', {})).toBe(`${process.cwd()}/run.jsonl`);
  });
});
