import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Browser,
  browserTestsOff,
  launchChromium,
  pageErrors,
  SCREENSHOTS_DIR,
} from '../src/chromium.js';
import { type PlantedFiles, writePlanted } from '../src/planted-history.js';
import { runSimCommand } from '../src/repository.js';

/** Opens `file` with every request that is not the file itself refused: the page must need no network. */
async function openOffline(browser: Browser, file: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors = pageErrors(page);
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    errors.push(`network request: ${url}`);
    return route.abort();
  });
  await page.goto(pathToFileURL(file).href);
  return { page, errors };
}

const points = async (page: Page, selector: string) =>
  Number(await page.locator(selector).getAttribute('data-points'));

/** A hang guard, not a speed check: each test runs a command through tsx, slow on 2 busy cores. */
const COMMAND_TEST_TIMEOUT_MS = 180_000;

describe.runIf(!browserTestsOff())('the history report in Chromium', () => {
  let dir: string;
  let files: PlantedFiles;
  let browser: Browser;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'datastreamer-report-'));
    files = await writePlanted(dir);
    browser = await launchChromium();
  }, COMMAND_TEST_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(
    'lists the planted violation and links it to the events that prove it',
    async () => {
      const out = join(dir, 'planted.html');
      const replay = `pnpm --filter @datastreamer/sim-cluster replay ${files.scenario}`;
      const run = await runSimCommand('report-cli.ts', [
        files.planted,
        '--html',
        out,
        '--seed',
        '7',
        '--replay',
        replay,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('INVALID');

      const { page, errors } = await openOffline(browser, out);
      await expect.poll(() => page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('h1 .verdict').textContent()).toBe('INVALID');
      expect(await page.locator('#replay-command').textContent()).toBe(replay);
      expect(await page.locator('.facts').textContent()).toContain('seed7');

      const violation = page.locator('.violation').first();
      expect(await violation.textContent()).toContain('atLeastOnce: lost item');
      const link = violation.locator('a.event-link').first();
      const href = await link.getAttribute('href');
      expect(href).toMatch(/^#e-\d+$/);
      await link.click();
      expect(new URL(page.url()).hash).toBe(href);
      const row = page.locator(href as string);
      expect(await row.isVisible()).toBe(true);
      expect(await row.textContent()).toContain(`key ${files.key}`);

      // Both charts have data: events over time, and the timeline of the violation's key.
      expect(await points(page, '#overview-chart')).toBeGreaterThan(0);
      expect(await points(page, '#key-chart')).toBeGreaterThan(0);
      expect(await page.locator('#key-chart').getAttribute('data-key')).toBe(files.key);
      expect(await page.locator('#key-events tbody tr').count()).toBeGreaterThan(0);
      // The crash and restart are on the page as a band.
      expect(await page.locator('#faults').textContent()).toContain('crash node-2');

      mkdirSync(SCREENSHOTS_DIR, { recursive: true });
      await page.screenshot({ path: fileURLToPath(new URL('report.png', SCREENSHOTS_DIR)), fullPage: true });
      expect(errors).toEqual([]);
    },
    COMMAND_TEST_TIMEOUT_MS,
  );

  it(
    'writes the report of a replayed run with replay --html: seed, replay command, every checker passed',
    async () => {
      const out = join(dir, 'replayed.html');
      const run = await runSimCommand('replay-cli.ts', [files.scenario, '--level', 'silent', '--html', out]);
      expect(run.code, run.stdout + run.stderr).toBe(0);

      const { page, errors } = await openOffline(browser, out);
      await expect.poll(() => page.locator('canvas').count()).toBeGreaterThanOrEqual(2);
      expect(await page.locator('h1 .verdict').textContent()).toBe('VALID');
      expect(await page.locator('#replay-command').textContent()).toContain(`replay ${files.scenario}`);
      expect(await page.locator('.facts').textContent()).toContain('seed7');
      expect(await page.locator('#violations').textContent()).toContain('None: every checker passed.');
      expect(await points(page, '#overview-chart')).toBeGreaterThan(0);
      expect(await points(page, '#key-chart')).toBeGreaterThan(0);
      expect(errors).toEqual([]);
    },
    COMMAND_TEST_TIMEOUT_MS,
  );
});
