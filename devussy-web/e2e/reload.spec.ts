// The project lives in the browser: a reload in the middle of streaming (after the "Leave site?"
// prompt) keeps everything, pauses the interrupted streams with their partial text, and the run can
// be completed.
import { expect, test } from '@playwright/test';
import { backend, createDesignAndPlan, createProject, phaseCards, screenshot } from './helpers';

test.use({ baseURL: backend('fake') });

test('reload mid-way keeps the project and its partial output', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Reload survivor', 'A booking system for a small climbing gym: members, classes, payments and waivers.');
  await createDesignAndPlan(page);
  const phaseCount = await page.getByTestId('plan-phase').count();
  await page.getByTestId('approve-plan').click();
  await page.getByTestId('concurrency').selectOption('2');

  // Wait until some text has streamed into a card, then reload mid-stream.
  const streaming = page.locator('[data-testid="phase-card"][data-status="running"] [data-testid="phase-stream"]');
  await expect(streaming.first()).not.toBeEmpty({ timeout: 30_000 });
  await page.waitForTimeout(800);
  page.once('dialog', (dialog) => void dialog.accept());
  await page.reload();

  await expect(page.getByTestId('project-title')).toHaveText('Reload survivor');
  await expect(page.getByTestId('stage-design')).toHaveAttribute('data-status', 'done');
  await expect(phaseCards(page)).toHaveCount(phaseCount);
  const interrupted = page.locator('[data-testid="phase-card"][data-status="paused"]');
  await expect(interrupted.first()).toContainText('Paused');
  expect((await interrupted.first().getByTestId('phase-stream').textContent())?.length ?? 0).toBeGreaterThan(0);
  await screenshot(page, 'reload-interrupted');

  // Finish the run: only phases that are not done run again.
  const doneBefore = await page.locator('[data-testid="phase-card"][data-status="done"]').count();
  await page.getByTestId('run-all-phases').click();
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(phaseCount, { timeout: 120_000 });
  expect(doneBefore).toBeLessThan(phaseCount);
});
