// A real headless Chromium for the browser tests: the binary ships inside the @sparticuz/chromium npm
// package (no download, no system package), driven by puppeteer-core.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';

/** Flags that keep the browser to itself: no sandbox (containers), no GPU, no network of its own. */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches Chromium with a fresh profile. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'shiftgate-chromium-'));
  return puppeteer.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    args: [...FLAGS, `--user-data-dir=${profile}`],
  });
}

/** What went wrong while a page was open: console errors, page errors, failed requests, dialogs. */
export interface PageProblems {
  console: string[];
  errors: string[];
  failed: string[];
  dialogs: string[];
}

/** A page that records every console error, uncaught error, failed request and dialog. */
export async function watchedPage(browser: Browser): Promise<{ page: Page; problems: PageProblems }> {
  const page = await browser.newPage();
  const problems: PageProblems = { console: [], errors: [], failed: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push(m.text());
  });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  page.on('requestfailed', (r) => problems.failed.push(`${r.url()}: ${r.failure()?.errorText ?? ''}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.failed.push(`${r.url()}: ${r.status()}`);
  });
  page.on('dialog', (d) => {
    problems.dialogs.push(d.message());
    void d.dismiss();
  });
  return { page, problems };
}
