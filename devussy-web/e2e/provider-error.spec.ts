// A provider failure mid-stream (the fake server cuts phase 3's first detail request) shows on the
// right card with its partial text, the other phases finish, and a retry succeeds.
import { expect, test } from '@playwright/test';
import { FAILING_PHASE } from './global-setup';
import { backend, createDesignAndPlan, createProject, screenshot, recordPageErrors } from './helpers';

test.use({ baseURL: backend('failing') });

test('a provider error is shown on the right card and retried successfully', async ({ page }) => {
  const pageErrors = recordPageErrors(page);
  await page.goto('/');
  await createProject(page, 'Flaky provider', 'An inventory tracker for a bike shop with barcode scanning, suppliers, purchase orders and reports.');
  await createDesignAndPlan(page);
  await page.getByRole('button', { name: 'Go to execution without starting' }).click();
  await page.getByTestId('concurrency').selectOption('0');
  await page.getByTestId('run-all-phases').click();

  const failing = page.locator(`[data-testid="phase-card"][data-phase="${FAILING_PHASE}"]`);
  await expect(failing).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
  await expect(failing.getByTestId('error-box')).toBeVisible();
  await expect(page.locator('[data-testid="phase-card"][data-status="error"]')).toHaveCount(1);
  await expect(page.locator(`[data-testid="phase-card"]:not([data-phase="${FAILING_PHASE}"]):not([data-status="done"])`)).toHaveCount(0, { timeout: 90_000 });
  await screenshot(page, 'provider-error');

  await failing.getByTestId('retry-phase').click();
  await expect(failing).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  await expect(failing.getByTestId('error-box')).toHaveCount(0);
  await expect(page.getByTestId('create-handoff')).toBeVisible();
  expect(pageErrors).toEqual([]);
});
