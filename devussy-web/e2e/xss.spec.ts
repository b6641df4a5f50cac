// Model output and user text are rendered as text or sanitized markdown: markup in a phase title
// (which flows into the streams, the handoff markdown and the files) never becomes an element.
import { expect, test } from '@playwright/test';
import { backend, createDesignAndPlan, createProject, recordDialogs, screenshot, recordPageErrors } from './helpers';

test.use({ baseURL: backend('builtin') });

const PAYLOAD = '<img src=x onerror=alert(1)>';

test('a phase title with HTML renders as text everywhere', async ({ page }) => {
  const pageErrors = recordPageErrors(page);
  const dialogs = recordDialogs(page);
  await page.goto('/');
  await createProject(page, `XSS ${PAYLOAD}`, `A notes app. ${PAYLOAD} <script>alert(2)</script> [link](javascript:alert(3))`);
  await createDesignAndPlan(page);
  await page.getByLabel('Phase 1 title').fill(`Setup ${PAYLOAD}`);
  await page.getByTestId('approve-plan').click();
  const first = page.locator('[data-testid="phase-card"][data-phase="1"]');
  await expect(first.getByTestId('phase-title')).toHaveText(`Setup ${PAYLOAD}`);
  await expect(page.locator('[data-testid="phase-card"]:not([data-status="done"])')).toHaveCount(0, { timeout: 90_000 });

  await page.getByTestId('create-handoff').click();
  await expect(page.getByTestId('handoff-prompt')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('artifact-file').first()).toBeVisible({ timeout: 30_000 });
  // Open every file view (markdown files go through the markdown renderer).
  const viewButtons = page.getByRole('button', { name: 'View', exact: true });
  for (let left = await viewButtons.count(); left > 0; left -= 1) await viewButtons.first().click();
  await expect(viewButtons).toHaveCount(0);
  await expect(page.getByTestId('project-title')).toHaveText(`XSS ${PAYLOAD}`);
  await screenshot(page, 'xss-handoff');

  await page.waitForTimeout(500); // give any injected handler a chance to fire
  expect(dialogs).toEqual([]);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.locator('main script').count()).toBe(0);
  expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  expect(pageErrors).toEqual([]);
});
