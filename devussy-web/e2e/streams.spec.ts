// Issue 13, with a provider that streams at 80 tokens/s: joining a stage in flight, leaving and
// coming back, and what a stream shows while it runs.
import { expect, test, type Page } from '@playwright/test';
import { backend, createProject, recordPageErrors, screenshot } from './helpers';

test.use({ baseURL: backend('fake') });

const IDEA = 'A booking system for a small climbing gym: members, classes, payments and waivers.';

/** Count the API calls per path. */
function countCalls(page: Page): Record<string, number> {
  const calls: Record<string, number> = {};
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/api/')) calls[path] = (calls[path] ?? 0) + 1;
  });
  return calls;
}

test('"Run everything" during a design stream joins it: one design call, never shown as cancelled', async ({ page }) => {
  const errors = recordPageErrors(page);
  const calls = countCalls(page);
  await page.goto('/');
  await createProject(page, 'Join me', IDEA);
  // Watch the design stage for a cancelled state or the empty "No design yet" view.
  await page.evaluate(() => {
    const w = window as unknown as { __designSeen: string[] };
    w.__designSeen = [];
    new MutationObserver(() => {
      const status = document.querySelector('[data-testid="stage-design"]')?.getAttribute('data-status');
      if (status === 'cancelled' || status === 'error') w.__designSeen.push(status);
      if (document.body.textContent?.includes('No design yet')) w.__designSeen.push('no design yet');
      if (document.querySelector('[data-testid="error-box"]')) w.__designSeen.push('error box');
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-stream')).not.toBeEmpty();
  await page.getByTestId('run-everything').click();
  await expect(page.getByTestId('stage-plan')).toHaveAttribute('data-status', 'running', { timeout: 60_000 });
  expect(await page.evaluate(() => (window as unknown as { __designSeen: string[] }).__designSeen)).toEqual([]);
  expect(calls['/api/design']).toBe(1);
  await page.getByTestId('cancel-everything').click();
  await expect(page.getByTestId('stage-design')).toHaveAttribute('data-status', 'done');
  expect(errors).toEqual([]);
});

test('a stream shows live markdown, live token counts, one Cancel all, and the overall progress', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Live view', IDEA);
  await page.getByTestId('create-design').click();
  const stream = page.getByTestId('design-stream');
  // Rendered markdown (headings or list items), not a monospace <pre> of raw text.
  await expect(stream.locator('h1, h2, h3, li').first()).toBeVisible({ timeout: 30_000 });
  expect(await stream.evaluate((element) => element.tagName)).not.toBe('PRE');
  // The stage header counts tokens while streaming.
  await expect(page.getByTestId('stage-stats')).not.toContainText(/\b0 tokens/);
  await expect(page.getByTestId('stage-stats')).toContainText(/[1-9]\d* tokens?/);
  await expect(page.getByTestId('run-overview').locator('progress')).toBeVisible();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });

  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('approve-plan').click();
  await expect(page.locator('[data-testid="phase-card"][data-status="running"]').first()).toBeVisible();
  await expect(page.getByRole('button', { name: /Cancel all/ })).toHaveCount(1);
  await expect(page.getByTestId('run-elapsed')).toHaveText(/^\d+s$|^\d+m \d\ds$/);
  await screenshot(page, 'live-markdown-streams');
  await page.getByTestId('cancel-everything').click();
});

test('leaving mid-run: a warning, Back stays in the app, and the run comes back paused with Resume', async ({ page }) => {
  const calls = countCalls(page);
  await page.goto('/');
  await createProject(page, 'Come back', IDEA);
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  const phaseCount = await page.getByTestId('plan-phase').count();
  await page.getByTestId('approve-plan').click();
  await expect(page.locator('[data-testid="phase-card"][data-status="running"] [data-testid="phase-stream"]').first()).not.toBeEmpty({ timeout: 30_000 });

  // Back goes to the previous stage inside the app, and the streams go on.
  await page.goBack();
  await expect(page.getByTestId('plan-view')).toBeVisible();
  await page.goForward();
  await expect(page.getByTestId('execution-view')).toBeVisible();
  await expect(page.locator('[data-testid="phase-card"][data-status="running"]').first()).toBeVisible();

  // Leaving while streaming asks first.
  let dialogType = '';
  page.once('dialog', (dialog) => {
    dialogType = dialog.type();
    void dialog.accept();
  });
  await page.reload();
  expect(dialogType).toBe('beforeunload');

  // Back: the interrupted phases are paused (not errors), finished ones kept; Resume runs only the rest.
  await expect(page.getByTestId('execution-view')).toBeVisible();
  await expect(page.locator('[data-testid="phase-card"][data-status="error"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="phase-card"][data-status="paused"]').first()).toContainText('Paused');
  await expect(page.getByTestId('paused-banner')).toBeVisible();
  const unfinished = await page.locator('[data-testid="phase-card"]:not([data-status="done"])').count();
  const before = calls['/api/plan/detail'] ?? 0;
  await page.getByTestId('resume').click();
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(phaseCount, { timeout: 120_000 });
  expect((calls['/api/plan/detail'] ?? 0) - before).toBe(unfinished);
});
