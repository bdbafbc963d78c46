/**
 * `pnpm screenshots`: makes the two pictures the demo's README shows, in Debian's headless Chromium, the way
 * the browser tests drive it: the live web view of a chaos run (once its verdict is in) and the report of a
 * history with a planted violation. Writes apps/demo/images/live-view.png (the whole page) and report.png
 * (its top), 1100 pixels wide.
 *
 *   pnpm screenshots
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { launchChromium } from './chromium.js';
import { writePlanted } from './planted-history.js';
import { killWebDemos, ROOT, runSimCommand, startWebDemo } from './repository.js';

const IMAGES = join(ROOT, 'apps/demo/images');
const VIEWPORT = { width: 1100, height: 820 };

const browser = await launchChromium();
const dir = mkdtempSync(join(tmpdir(), 'datastreamer-screenshots-'));
try {
  mkdirSync(IMAGES, { recursive: true });

  const files = await writePlanted(dir);
  const html = join(dir, 'report.html');
  const report = await runSimCommand('report-cli.ts', [
    files.planted,
    '--html',
    html,
    '--seed',
    '7',
    '--replay',
    'pnpm --filter @datastreamer/sim-cluster replay scenario.json',
    '--title',
    'History report: planted.jsonl',
  ]);
  if (report.code !== 0) throw new Error(`report failed: ${report.stderr}`);
  const reportPage = await browser.newPage();
  await reportPage.setViewportSize(VIEWPORT);
  await reportPage.goto(pathToFileURL(html).href);
  await reportPage.waitForSelector('#key-chart canvas');
  await reportPage.screenshot({ path: join(IMAGES, 'report.png') });
  console.log(`screenshots: ${join(IMAGES, 'report.png')}`);

  const { demo, exit, url } = await startWebDemo(['chaos', '--events', '150000']);
  const livePage = await browser.newPage();
  await livePage.setViewportSize(VIEWPORT);
  await livePage.goto(url);
  await livePage.waitForSelector('.verdict', { timeout: 300_000 });
  // The whole page: the partitions with their primaries and terms, and the faults, are below the charts.
  await livePage.screenshot({ path: join(IMAGES, 'live-view.png'), fullPage: true });
  console.log(`screenshots: ${join(IMAGES, 'live-view.png')}`);
  await livePage.close();
  demo.kill('SIGINT');
  await exit;
} finally {
  killWebDemos();
  await browser.close();
  rmSync(dir, { recursive: true, force: true });
}
