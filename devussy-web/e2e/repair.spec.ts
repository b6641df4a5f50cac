// Issue 9 / CONTRACT point 6, through a model: a phase detail that contradicts a constraint gets one
// targeted repair request; this model sends the same detail back, so the problem stays. The card shows
// the second pass and what is still open, and the coverage matrix the violation (nothing hidden).
import { expect, test } from '@playwright/test';
import { backend, createProject, recordPageErrors, screenshot } from './helpers';

test.use({ baseURL: backend('defective') });

test('a repair that leaves a constraint violated: the card says so, and the matrix shows the violation', async ({ page }) => {
  const errors = recordPageErrors(page);
  await page.goto('/');
  await createProject(page, 'Gym bookings', 'A web app where members of a climbing gym book classes and staff manage the schedule. The Postgres database already exists.');
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('requirements-review')).toBeVisible({ timeout: 60_000 });
  const constraint = page.locator('[data-testid="requirement"]').filter({ has: page.locator('select option:checked[value="constraint"]') });
  await expect(constraint).toHaveCount(1);
  const id = (await constraint.getAttribute('data-requirement'))!;
  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('approve-plan').click();
  const count = await page.getByTestId('phase-card').count();
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(count, { timeout: 90_000 });

  // Exactly one phase got the contradicting step; its card lists the repair and what stayed open.
  const card = page.locator('[data-testid="phase-card"]').filter({ has: page.getByTestId('run-check-unresolved') });
  await expect(card).toHaveCount(1);
  await expect(card.getByTestId('run-check-repair')).toContainText('Second pass: the first answer had');
  await expect(card.getByTestId('run-check-unresolved')).toContainText('still open after the repair');
  await expect(card.getByTestId('run-check-unresolved')).toContainText(id);
  const matrixRow = page.locator(`[data-testid="coverage-row"][data-requirement="${id}"]`);
  await expect(matrixRow).toHaveAttribute('data-status', 'violated');
  const phase = await card.getAttribute('data-phase');
  await expect(matrixRow.getByTestId('coverage-violation').first()).toContainText(`${phase}.`);
  await screenshot(page, 'repair-unresolved');
  expect(errors).toEqual([]);
});
