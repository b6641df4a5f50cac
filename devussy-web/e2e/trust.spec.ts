// Issue 13, with the built-in engine: the bugs that broke a new user's trust, each checked the way a
// person would meet it.
import { expect, test, type Page } from '@playwright/test';
import { backend, createDesignAndPlan, createProject, recordPageErrors, screenshot } from './helpers';

test.use({ baseURL: backend('builtin') });

async function newIdea(page: Page, idea: string): Promise<void> {
  await page.getByTestId('new-project').click();
  await page.getByLabel('What do you want to build?').fill(idea);
}

test('with no name, the project is named from the idea and "Untitled project" never reaches the content', async ({ page }) => {
  const errors = recordPageErrors(page);
  await page.goto('/');
  await newIdea(page, 'A habit tracker for runners with streaks, reminders and a weekly summary email.');
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('design-details')).not.toContainText('Untitled');
  await expect(page.getByTestId('project-title')).not.toHaveText(/Untitled/);
  await expect(page.getByTestId('project-list')).not.toContainText('Untitled');
  // The derived name is editable like a typed one.
  await page.getByTestId('stage-new').click();
  await expect(page.getByLabel('Project name')).not.toHaveValue('');
  await page.getByLabel('Project name').fill('Runner streaks');
  await expect(page.getByTestId('project-title')).toHaveText('Runner streaks');
  expect(errors).toEqual([]);
});

test('a 10,000-character idea shows a counter and is summarised, not echoed, in the design', async ({ page }) => {
  await page.goto('/');
  const sentence = 'A shared calendar for a rowing club where members book boats and coaches plan sessions. ';
  const idea = sentence.repeat(Math.ceil(10_000 / sentence.length)).slice(0, 10_000);
  await page.getByTestId('new-project').click();
  await page.getByLabel('What do you want to build?').fill(idea);
  await expect(page.getByTestId('idea-count')).toContainText('10,000 / 50,000 characters');
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  const summary = await page.getByTestId('design-details').locator('dd').first().textContent();
  expect(summary!.length).toBeLessThan(1_000);
});

test('moving a phase past one it depends on drops that dependency, says so, and can be undone', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Ordered', 'A web app where a bakery takes online orders, with Stripe payments and a kitchen dashboard.');
  await createDesignAndPlan(page);
  await expect(page.getByTestId('plan-phase').nth(1)).toContainText('Depends on phase 1');
  const secondTitle = await page.getByLabel('Phase 2 title').inputValue();
  await page.getByRole('button', { name: 'Move phase 2 up' }).click();
  await expect(page.getByLabel('Phase 1 title')).toHaveValue(secondTitle);
  await expect(page.getByTestId('undo-toast')).toContainText('no longer depends on');
  // No phase depends on itself or on a phase after it, in the editor or in what the server gets.
  const phases = page.getByTestId('plan-phase');
  for (let index = 0; index < (await phases.count()); index += 1) {
    const text = (await phases.nth(index).getByTestId('phase-depends').allTextContents()).join(' ');
    for (const dep of text.match(/\d+/g) ?? []) expect(Number(dep)).toBeLessThan(index + 1);
  }
  await page.getByTestId('undo').click();
  await expect(page.getByLabel('Phase 2 title')).toHaveValue(secondTitle);
  await expect(page.getByTestId('plan-phase').nth(1)).toContainText('Depends on phase 1');
});

test('"New project" reuses an untouched project instead of piling up empty ones', async ({ page }) => {
  await page.goto('/');
  for (let click = 0; click < 3; click += 1) await page.getByTestId('new-project').click();
  await expect(page.getByTestId('project-list').locator('li')).toHaveCount(1);
});

test('clicking a stage tab does not re-sort the project list', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Older', 'A tool that renames photos by date.');
  await createProject(page, 'Newer', 'A tool that tracks plant watering.');
  const names = () => page.getByTestId('project-list').locator('.name').allTextContents();
  expect(await names()).toEqual(['Newer', 'Older']);
  await page.getByTestId('project-list').getByText('Older').click();
  await page.getByTestId('stage-interview').click();
  await page.getByTestId('stage-new').click();
  expect(await names()).toEqual(['Newer', 'Older']);
});

test('the hidden file input is not a tab stop', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: 'Import JSON' }).focus();
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.type)).not.toBe('file');
});

test('the default concurrency is 3, as everywhere else', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Defaults', 'A shared shopping list.');
  await page.getByTestId('open-settings').click();
  await expect(page.getByLabel('Phase details at once')).toHaveValue('3');
});

test('the interview starts from the idea already typed', async ({ page }) => {
  await page.goto('/');
  const idea = 'A CLI that backs up my photos to S3 every night, in Python.';
  await newIdea(page, idea);
  await page.getByTestId('start-interview').click();
  await expect(page.getByTestId('bubble-user').first()).toHaveText(idea);
  await expect(page.getByTestId('bubble-assistant').first()).toBeVisible({ timeout: 30_000 });
});

test('an interview reply streams outside the aria-live region (a screen reader is not fed tokens)', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-project').click();
  await page.getByTestId('start-interview').click();
  // Record, whenever the streaming reply is in the page, whether it sits inside a live region.
  await page.evaluate(() => {
    const w = window as unknown as { __liveStreams: boolean[] };
    w.__liveStreams = [];
    new MutationObserver(() => {
      const chat = document.querySelector('[data-testid="chat"]');
      const streaming = chat?.querySelector('.bubble.assistant:last-child .stream, [data-testid="interview-stream"]');
      if (streaming) w.__liveStreams.push(Boolean(streaming.closest('[aria-live="polite"], [aria-live="assertive"]')));
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByLabel('Your answer').fill('A recipe app for families.');
  await page.getByLabel('Your answer').press('Enter');
  await expect(page.getByTestId('bubble-assistant').first()).toBeVisible({ timeout: 30_000 });
  const seen = await page.evaluate(() => (window as unknown as { __liveStreams: boolean[] }).__liveStreams);
  expect(seen.length).toBeGreaterThan(0);
  expect(seen.filter(Boolean)).toEqual([]);
  // Finished turns are announced.
  await expect(page.locator('[aria-live="polite"]').getByTestId('bubble-assistant').first()).toBeVisible();
});

test('finished streams end cleanly: no aborted requests', async ({ page }) => {
  const failed: string[] = [];
  page.on('requestfailed', (request) => {
    if (request.url().includes('/api/')) failed.push(`${request.url()} ${request.failure()?.errorText}`);
  });
  await page.goto('/');
  await createProject(page, 'Clean ends', 'A tiny URL shortener with click statistics.');
  await createDesignAndPlan(page);
  await page.waitForTimeout(500);
  expect(failed).toEqual([]);
});

test('dark theme: a disabled primary button looks disabled', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('button', { name: /Switch to dark theme/ }).click();
  await createProject(page, 'Dark', 'A habit tracker with streaks.');
  await createDesignAndPlan(page);
  await page.getByTestId('approve-plan').click();
  await expect(page.locator('[data-testid="phase-card"]:not([data-status="done"])')).toHaveCount(0, { timeout: 90_000 });
  const runAll = page.getByTestId('run-all-phases');
  await expect(runAll).toBeDisabled();
  const look = (selector: string) =>
    page.locator(selector).first().evaluate((element) => {
      const style = getComputedStyle(element);
      return { background: style.backgroundColor, color: style.color, opacity: style.opacity };
    });
  const disabled = await look('[data-testid="run-all-phases"]');
  const enabled = await look('[data-testid="create-handoff"]');
  expect(disabled.background).not.toBe(enabled.background);
  await screenshot(page, 'dark-disabled-run-all');
});
