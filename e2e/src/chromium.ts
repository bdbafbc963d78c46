/**
 * Debian's Chromium, headless, driven by playwright-core (which downloads no browser): a fresh profile
 * directory per launch, no sandbox (CI runs as root), no GPU, and nothing that reaches the network on its
 * own (no component updates, no sync, no QUIC, no background networking). A missing browser is an error
 * that says how to install it; only `DATASTREAMER_SKIP_BROWSER_TESTS=1` turns the browser tests off.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** The variable that turns the browser tests off on purpose (a machine without Chromium). */
export const SKIP_VARIABLE = 'DATASTREAMER_SKIP_BROWSER_TESTS';

/** Whether the browser tests were turned off on purpose. */
export function browserTestsOff(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[SKIP_VARIABLE] === '1';
}

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A running browser with one fresh profile; `close()` ends it and removes the profile. */
export interface Browser {
  readonly context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts Chromium.
 * @throws Error saying how to install Chromium (or how to turn the tests off) when `executablePath` is absent.
 */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `Chromium is not installed at ${executablePath}: the browser tests need Debian's chromium package ` +
        `(apt-get install -y chromium, as .ci/run does), or set ${SKIP_VARIABLE}=1 to turn them off on purpose`,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'datastreamer-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: ARGS,
      viewport: { width: 1280, height: 900 },
    });
    return {
      context,
      newPage: () => context.newPage(),
      close: async () => {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}

/** The console errors and uncaught exceptions of `page`, as they come. */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) => {
    // The event stream is cut when the demo stops; any other failed request is a fault of the page.
    if (!request.url().endsWith('/events')) errors.push(`request failed: ${request.url()}`);
  });
  return errors;
}

/** Where the tests save their screenshots (gitignored). */
export const SCREENSHOTS_DIR = new URL('../.screenshots/', import.meta.url);
