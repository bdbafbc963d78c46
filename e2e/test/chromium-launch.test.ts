import { describe, expect, it } from 'vitest';
import { browserTestsOff, launchChromium, SKIP_VARIABLE } from '../src/chromium.js';

describe('launchChromium', () => {
  it('fails with how to install Chromium when the browser is absent', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(/apt-get install -y chromium/);
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(SKIP_VARIABLE);
  });

  it('turns the browser tests off only when the variable says 1', () => {
    expect(browserTestsOff({})).toBe(false);
    expect(browserTestsOff({ [SKIP_VARIABLE]: 'true' })).toBe(false);
    expect(browserTestsOff({ [SKIP_VARIABLE]: '1' })).toBe(true);
  });
});
