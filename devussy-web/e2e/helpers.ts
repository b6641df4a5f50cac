import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { expect, type Page, type Request } from '@playwright/test';
import { WEB_DIR } from './stack';

export const SCREENSHOT_DIR = path.join(WEB_DIR, 'test-results', 'screenshots');

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // A full-page shot of a scrolled page repeats the sticky header mid-page; start from the top.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

export function backend(name: 'builtin' | 'fake' | 'failing' | 'defective'): string {
  const url = { builtin: process.env.E2E_BUILTIN_URL, fake: process.env.E2E_FAKE_URL, failing: process.env.E2E_FAILING_URL, defective: process.env.E2E_DEFECTIVE_URL }[name];
  if (!url) throw new Error(`the ${name} backend was not started by the global setup`);
  return url;
}

/** Any alert/confirm/prompt that fires is recorded (and dismissed). */
export function recordDialogs(page: Page): string[] {
  const seen: string[] = [];
  page.on('dialog', (dialog) => {
    seen.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return seen;
}

/** Uncaught page errors and console errors (React warnings included), to assert there are none. */
export function recordPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('response', (response) => {
    if (response.status() === 404) errors.push(`404 ${response.url()}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') errors.push(`console ${message.type()}: ${message.text()}`);
  });
  return errors;
}

export async function createProject(page: Page, name: string, idea: string, extra: { languages?: string; frameworks?: string } = {}): Promise<void> {
  await page.getByTestId('new-project').click();
  await page.getByLabel('Project name').fill(name);
  await page.getByLabel('What do you want to build?').fill(idea);
  if (extra.languages) await page.getByLabel(/^Languages/).fill(extra.languages);
  if (extra.frameworks) await page.getByLabel(/^Frameworks/).fill(extra.frameworks);
  await expect(page.getByTestId('project-title')).toHaveText(name);
}

export async function createDesignAndPlan(page: Page): Promise<void> {
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
}

export const phaseCards = (page: Page) => page.getByTestId('phase-card');

/**
 * Track, inside the page, the largest number of phase cards streaming at the same moment (checked
 * on every DOM mutation), so short overlaps are not missed between polls.
 */
export async function trackConcurrentStreams(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __maxStreaming: number; __streamingObserver?: MutationObserver };
    w.__maxStreaming = 0;
    w.__streamingObserver?.disconnect();
    const check = () => {
      const count = document.querySelectorAll('[data-testid="phase-card"][data-status="running"]').length;
      if (count > w.__maxStreaming) w.__maxStreaming = count;
    };
    const observer = new MutationObserver(check);
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    w.__streamingObserver = observer;
    check();
  });
}

export async function maxConcurrentStreams(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as { __maxStreaming: number }).__maxStreaming);
}

/** The JSON bodies the page POSTs to an API path, in order. */
export function bodiesOf(page: Page, path: string): Record<string, unknown>[] {
  const bodies: Record<string, unknown>[] = [];
  page.on('request', (request: Request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === path) bodies.push(request.postDataJSON() as Record<string, unknown>);
  });
  return bodies;
}
