// Many phases streaming at once from a provider that streams at a controlled rate: the user's
// concurrency limit is honoured, and "run everything" starts phase details while the plan streams.
import { expect, test } from '@playwright/test';
import { backend, createDesignAndPlan, createProject, maxConcurrentStreams, phaseCards, screenshot, trackConcurrentStreams, recordPageErrors } from './helpers';

test.use({ baseURL: backend('fake') });

const BIG_IDEA =
  'A multi-tenant SaaS for logistics companies: real-time fleet tracking with GPS devices, route optimisation, ' +
  'driver mobile app, customer portal, invoicing with Stripe, role-based access control, audit logs, analytics ' +
  'dashboards, webhooks and a public REST API, Kubernetes deployment with PostgreSQL, Redis and Kafka, GDPR compliance.';

test('six or more phases stream concurrently within the limit', async ({ page }) => {
  const pageErrors = recordPageErrors(page);
  await page.goto('/');
  await createProject(page, 'Fleet platform', BIG_IDEA, { languages: 'Python, TypeScript, Kotlin', frameworks: 'FastAPI, React, Kafka' });
  await createDesignAndPlan(page);
  const phaseCount = await page.getByTestId('plan-phase').count();
  expect(phaseCount).toBeGreaterThanOrEqual(6);

  await page.getByRole('button', { name: 'Go to execution without starting' }).click();
  await page.getByTestId('concurrency').selectOption('3');
  await trackConcurrentStreams(page);
  await page.getByTestId('run-all-phases').click();
  await expect(page.locator('[data-testid="phase-card"][data-status="running"]')).toHaveCount(3);
  await expect(page.locator('[data-testid="phase-card"][data-status="queued"]')).toHaveCount(phaseCount - 3);
  await screenshot(page, 'concurrency-running');
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(phaseCount, { timeout: 120_000 });
  expect(await maxConcurrentStreams(page)).toBe(3);

  // Cancel one running phase, others go on; a finished phase is not re-run by "Run all".
  const firstDoneText = await phaseCards(page).first().locator('.steps').textContent();
  await page.getByTestId('concurrency').selectOption('0');
  await page.locator('[data-testid="phase-card"][data-phase="2"]').getByTestId('rerun-phase').click();
  const second = page.locator('[data-testid="phase-card"][data-phase="2"]');
  await expect(second).toHaveAttribute('data-status', 'running');
  await second.getByTestId('cancel-phase').click();
  await expect(second).toHaveAttribute('data-status', 'cancelled');
  await trackConcurrentStreams(page);
  await page.getByTestId('run-all-phases').click();
  await expect(second).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  expect(await maxConcurrentStreams(page)).toBe(1);
  expect(await phaseCards(page).first().locator('.steps').textContent()).toBe(firstDoneText);
  expect(pageErrors).toEqual([]);
});

test('run everything starts phase details while the plan is still streaming', async ({ page }) => {
  const pageErrors = recordPageErrors(page);
  await page.goto('/');
  await createProject(page, 'Fleet auto', BIG_IDEA);
  await page.getByTestId('run-everything').click();
  await expect(page.getByTestId('execution-view')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('concurrency').selectOption('2');
  // A phase card is streaming while the plan stage is still running.
  await expect(async () => {
    const planStatus = await page.getByTestId('stage-plan').getAttribute('data-status');
    const running = await page.locator('[data-testid="phase-card"][data-status="running"]').count();
    expect(planStatus).toBe('running');
    expect(running).toBeGreaterThan(0);
  }).toPass({ timeout: 30_000, intervals: [100] });
  await screenshot(page, 'run-everything-overlap');
  await expect(page.getByTestId('handoff-prompt')).toBeVisible({ timeout: 150_000 });
  expect(pageErrors).toEqual([]);
});
