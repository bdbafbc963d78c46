import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  browserTestsOff,
  launchChromium,
  pageErrors,
  SCREENSHOTS_DIR,
} from '../src/chromium.js';
import { killWebDemos, startWebDemo } from '../src/repository.js';

/** Whether something answers at `url` now. */
async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * A hang guard, not a speed check: each test starts the demo through tsx (twice: the CLI and its story
 * process) and, on 2 cores shared with other test runs, that alone can take tens of seconds.
 */
const DEMO_TEST_TIMEOUT_MS = 240_000;

describe.runIf(!browserTestsOff())('the live web view in Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterEach(() => killWebDemos());

  afterAll(async () => {
    await browser?.close();
  });

  it(
    'shows a short run as it goes and its verdict; Ctrl-C then stops the server',
    async () => {
      const { demo, exit, url } = await startWebDemo([
        'album-release',
        '--events',
        '20000',
        '--faults',
        'flaky',
      ]);

      const page = await browser.newPage();
      const errors = pageErrors(page);
      await page.goto(url);
      await page.waitForSelector('.verdict.VALID', { timeout: 120_000 });
      // Charts with data points: rows/s per node and in total, items in flight, retries and reroutes.
      for (const chart of ['#rate-chart', '#inflight-chart', '#retry-chart']) {
        expect(Number(await page.locator(chart).getAttribute('data-points'))).toBeGreaterThan(1);
      }
      expect(await page.locator('#rate-chart .u-legend').textContent()).toContain('node-3');
      // 16 partitions, each with one primary, on 3 nodes.
      expect(await page.locator('#partitions').getAttribute('data-partitions')).toBe('16');
      expect(await page.locator('#partitions td.primary').count()).toBe(16);
      expect(await page.locator('#partitions tr').count()).toBe(4);
      // The flaky profile's link settings are a fault on the time axis.
      expect(await page.locator('#faults').textContent()).toContain('faults');
      expect(await page.locator('#phase').textContent()).toBe('ended');

      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      await page.screenshot({
        path: fileURLToPath(new URL('live-view.png', SCREENSHOTS_DIR)),
        fullPage: true,
      });
      await page.close();
      expect(errors).toEqual([]);

      demo.kill('SIGINT');
      const { code, stdout } = await exit;
      expect(code).toBe(0);
      expect(stdout).toContain('VALID');
      expect(await answers(url)).toBe(false);
    },
    DEMO_TEST_TIMEOUT_MS,
  );

  it(
    'stops the run and the server at the first Ctrl-C while it streams',
    async () => {
      const { demo, exit, stderr, url } = await startWebDemo([
        'album-release',
        '--events',
        '5000000',
        '--history',
        'off',
      ]);
      expect(await answers(url)).toBe(true);
      await stderr.waitFor(/\[album-release\] started/);
      demo.kill('SIGINT');
      const { code, stdout } = await exit;
      expect(code).toBe(130);
      expect(stdout).toContain('partial');
      expect(await answers(url)).toBe(false);
    },
    DEMO_TEST_TIMEOUT_MS,
  );
});
