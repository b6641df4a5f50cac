// Issue 13, what users of the best tools expect, with the built-in engine: openable steps, undo,
// stale marks with one-click regeneration, example ideas; and (issue 8) a `done` payload that does
// not match the server's schema is an error on its card, not a crash.
import { expect, test, type Page } from '@playwright/test';
import { backend, createDesignAndPlan, createProject, recordPageErrors, screenshot } from './helpers';

test.use({ baseURL: backend('builtin') });

async function detailEverything(page: Page): Promise<number> {
  await createDesignAndPlan(page);
  const count = await page.getByTestId('plan-phase').count();
  await page.getByTestId('approve-plan').click();
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(count, { timeout: 90_000 });
  return count;
}

test('a step opens to its details, acceptance criteria and test command, numbered once', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Steps', 'A tiny URL shortener with click statistics.');
  await detailEverything(page);
  const card = page.locator('[data-testid="phase-card"][data-phase="1"]');
  await expect(card.getByTestId('step-count')).toHaveText(/^\d+ steps?$/);
  const step = card.getByTestId('step').first();
  await expect(step.getByTestId('step-body')).toHaveCount(0);
  await step.locator('summary').click();
  await expect(step.getByTestId('step-body')).toBeVisible();
  await expect(step.getByTestId('step-body')).toContainText('Acceptance criteria');
  await expect(step.getByTestId('step-body')).toContainText('Test command');
  // One number per step: its id, and no list marker in front of it.
  expect(await card.locator('ol.steps').evaluate((list) => getComputedStyle(list).listStyleType)).toBe('none');
  await expect(step.locator('summary')).toHaveText(/^1\.1 /);
  await screenshot(page, 'step-open');
});

test('requirement ids a step covers are shown when the server sends them', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Covers', 'A tiny URL shortener with click statistics.');
  await createDesignAndPlan(page);
  // Answer phase 1's detail with a step that covers R1 and R2 (the server adds `covers` to steps).
  await page.route('**/api/plan/detail', async (route) => {
    const body = route.request().postDataJSON() as { phaseNumber: number; plan: { phases: { number: number; title: string; summary: string }[] } };
    const phase = body.plan.phases.find((p) => p.number === body.phaseNumber)!;
    const done = {
      type: 'done',
      done: true,
      usage: { promptTokens: 1, completionTokens: 2 },
      phase: {
        ...phase,
        steps: [{ id: `${phase.number}.1`, title: 'Shorten a URL', details: 'POST /links', acceptanceCriteria: ['returns 201'], testCommand: 'pytest', covers: ['R1', 'R2'] }],
      },
    };
    await route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/event-stream' },
      body: `event: token\ndata: {"type":"token","content":"## Steps"}\n\nevent: done\ndata: ${JSON.stringify(done)}\n\n`,
    });
  });
  await page.getByTestId('approve-plan').click();
  const card = page.locator('[data-testid="phase-card"][data-phase="1"]');
  await expect(card).toHaveAttribute('data-status', 'done');
  // The phase's own chips are the requirements it serves (from the plan); the step shows what it covers.
  await expect(card.getByTestId('requirement-ids').first()).toHaveText('R1');
  await card.getByTestId('step').first().locator('summary').click();
  await expect(card.getByTestId('step-covers')).toContainText('R1');
  await expect(card.getByTestId('step-covers')).toContainText('R2');
});

test('a done payload that does not match the schema is a clear error on its card', async ({ page }) => {
  const errors = recordPageErrors(page);
  await page.goto('/');
  await createProject(page, 'Bad payload', 'A tiny URL shortener with click statistics.');
  await createDesignAndPlan(page);
  await page.route('**/api/plan/detail', (route) =>
    route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/event-stream' },
      body: `event: done\ndata: ${JSON.stringify({ type: 'done', done: true, usage: {}, phase: { number: 1, steps: [{ id: 'one' }] } })}\n\n`,
    }),
  );
  await page.getByRole('button', { name: 'Go to execution without starting' }).click();
  const card = page.locator('[data-testid="phase-card"][data-phase="1"]');
  await card.getByTestId('retry-phase').click();
  await expect(card).toHaveAttribute('data-status', 'error');
  await expect(card.getByTestId('error-box')).toContainText('invalid');
  await expect(card.getByTestId('error-box')).toContainText('phase.steps.0');
  await expect(card.getByTestId('error-box')).toContainText('invalid_response');
  expect(errors).toEqual([]);
});

test('undo brings back a deleted phase, a deleted project and a regenerated design', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Undo me', 'A habit tracker with streaks and reminders.');
  await createDesignAndPlan(page);
  const count = await page.getByTestId('plan-phase').count();
  await page.getByRole('button', { name: `Delete phase ${count}` }).click();
  await expect(page.getByTestId('plan-phase')).toHaveCount(count - 1);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('plan-phase')).toHaveCount(count);

  await page.getByTestId('stage-design').click();
  await page.getByTestId('edit-design').click();
  await page.getByLabel('Summary').fill('My own summary, keep it.');
  await page.getByRole('button', { name: 'Save design' }).click();
  await page.getByTestId('regenerate-design').click();
  await expect(page.getByTestId('design-details')).not.toContainText('My own summary', { timeout: 60_000 });
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('design-details')).toContainText('My own summary, keep it.');

  await page.getByRole('button', { name: 'Delete Undo me' }).click();
  await expect(page.getByTestId('project-list')).not.toContainText('Undo me');
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('project-list')).toContainText('Undo me');
  await expect(page.getByTestId('plan-phase')).toHaveCount(0); // it reopens where it was (the design)
  await expect(page.getByTestId('design-details')).toContainText('My own summary, keep it.');
});

test('editing an earlier stage marks later ones stale; one click regenerates only what is stale', async ({ page }) => {
  const details: number[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/plan/detail')) details.push((request.postDataJSON() as { phaseNumber: number }).phaseNumber);
  });
  await page.goto('/');
  await createProject(page, 'Stale', 'A web app where a bakery takes online orders, with Stripe payments.');
  const count = await detailEverything(page);
  await page.getByTestId('create-handoff').click();
  await expect(page.getByTestId('handoff-prompt')).toBeVisible({ timeout: 60_000 });

  // A phase's title edited: that phase and the handoff are stale, nothing else.
  await page.getByTestId('stage-plan').click();
  await page.getByLabel('Phase 2 title').fill('Orders, renamed');
  await page.getByTestId('stage-execute').click();
  await expect(page.locator('[data-testid="phase-card"][data-phase="2"]').getByTestId('stale-mark')).toBeVisible();
  await expect(page.getByTestId('stale-mark')).toHaveCount(1);
  await expect(page.getByTestId('stale-banner')).toBeVisible();
  const before = details.length;
  await page.getByTestId('regenerate-stale').click();
  await expect(page.getByTestId('stale-banner')).toBeHidden({ timeout: 60_000 });
  expect(details.slice(before)).toEqual([2]);
  await expect(page.getByTestId('stale-mark')).toHaveCount(0);

  // The design edited: the plan (and everything after it) is stale; one click makes all of it again.
  await page.getByTestId('stage-design').click();
  await page.getByTestId('edit-design').click();
  await page.getByLabel('Summary').fill('A bakery shop, now with delivery slots.');
  await page.getByRole('button', { name: 'Save design' }).click();
  await page.getByTestId('stage-plan').click();
  await expect(page.getByTestId('plan-view').getByTestId('stale-mark')).toBeVisible();
  const beforePlan = details.length;
  await page.getByTestId('regenerate-stale').click();
  await expect(page.getByTestId('handoff-view')).toBeVisible({ timeout: 90_000 });
  await expect(page.getByTestId('handoff-prompt')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('stale-banner')).toBeHidden();
  await expect(page.getByTestId('stale-mark')).toHaveCount(0);
  expect(details.length - beforePlan).toBe(count);
});

test('the empty state offers three example ideas that run to the handoff on the offline engine', async ({ page }) => {
  const errors = recordPageErrors(page);
  const providers: unknown[] = [];
  page.on('request', (request) => {
    if (request.method() === 'POST' && /\/api\/(design|plan|handoff)/.test(request.url())) providers.push((request.postDataJSON() as { modelConfig?: { provider?: string } }).modelConfig?.provider);
  });
  await page.goto('/');
  await expect(page.getByTestId('example-idea')).toHaveCount(3);
  await page.getByTestId('example-idea').first().click();
  await expect(page.getByTestId('handoff-prompt')).toBeVisible({ timeout: 120_000 });
  expect(providers.length).toBeGreaterThan(2);
  expect(new Set(providers)).toEqual(new Set(['builtin']));
  expect(errors).toEqual([]);
});
