// Issue 13, "refine by asking", with the built-in engine: an instruction regenerates the design, the
// plan or one phase (the request carries it and the previous result), the run streams like any
// other, and the page shows what changed; Undo puts the previous result back.
import { expect, test, type Page } from '@playwright/test';
import { backend, bodiesOf, createProject, recordPageErrors, screenshot } from './helpers';

test.use({ baseURL: backend('builtin') });

async function requirementIds(page: Page): Promise<string[]> {
  return page.getByTestId('requirement').evaluateAll((items) => items.map((item) => item.getAttribute('data-requirement') ?? ''));
}

/** The ids of the list a request sent. */
const sentIds = (body: Record<string, unknown>) => (body.requirements as { id: string }[]).map((requirement) => requirement.id);

/** The review keeps `before` in order and shows at least one new id after them, said in the interview. */
async function expectAddedRequirements(page: Page, before: string[]): Promise<string[]> {
  await expect.poll(async () => (await requirementIds(page)).length).toBeGreaterThan(before.length);
  const now = await requirementIds(page);
  expect(now.slice(0, before.length)).toEqual(before);
  for (const id of now.slice(before.length)) {
    expect(Number(id.slice(1))).toBeGreaterThan(Math.max(0, ...before.map((known) => Number(known.slice(1)))));
    await expect(page.locator(`[data-testid="requirement"][data-requirement="${id}"] .req-source`)).toHaveText('interview');
  }
  return now;
}

async function expectCovered(page: Page, id: string, status: string): Promise<void> {
  await expect(page.locator(`[data-testid="coverage-row"][data-requirement="${id}"]`)).toHaveAttribute('data-status', status);
  await expect(page.getByTestId('coverage-error')).toHaveCount(0);
}


test('an instruction refines the design, the plan and one phase, and each shows what changed', async ({ page }) => {
  const errors = recordPageErrors(page);
  const designs = bodiesOf(page, '/api/design');
  const plans = bodiesOf(page, '/api/plan/basic');
  const details = bodiesOf(page, '/api/plan/detail');
  await page.goto('/');
  await createProject(page, 'Team polls', 'A web app where a team creates polls, votes on them and sees the results live.');
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  const before = await page.getByTestId('design-details').textContent();
  const idsBefore = await requirementIds(page);

  // The design, refined: the request carries the instruction and the design as it was.
  await page.getByLabel('Refine the design by asking').fill('Make voting anonymous');
  await page.getByLabel('Refine the design by asking').press('Enter');
  await expect(page.getByTestId('refine-changes')).toBeVisible({ timeout: 60_000 });
  expect(designs).toHaveLength(2);
  expect(designs[1].instruction).toBe('Make voting anonymous');
  expect((designs[1].previousDesign as { summary: string }).summary).toBeTruthy();
  await expect(page.getByTestId('refine-changes')).toContainText('Refined: “Make voting anonymous”');
  // The offline engine turns the instruction into requirement(s) (source "interview") added to the
  // list, which keeps every requirement it had.
  await expectAddedRequirements(page, idsBefore);
  await expect(page.locator('[data-testid="refine-change"][data-kind="added"]').filter({ hasText: /Requirement R\d+/ }).first()).toContainText(/anonymous/i);
  await expect(page.locator('[data-testid="refine-change"][data-kind="removed"]').filter({ hasText: /Requirement R\d+/ })).toHaveCount(0);
  await screenshot(page, 'refine-design');

  // Undo puts the previous design back, and with it no "what changed".
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('refine-changes')).toHaveCount(0);
  await expect(page.getByTestId('design-details')).toHaveText(before!);
  await page.getByLabel('Refine the design by asking').fill('Make voting anonymous');
  await page.getByRole('button', { name: 'Refine', exact: true }).click();
  await expect(page.getByTestId('refine-changes')).toBeVisible({ timeout: 60_000 });

  // The plan, refined: the request carries the instruction and the plan as it was.
  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  const phasesBefore = await page.getByTestId('plan-phase').count();
  await page.getByLabel('Refine the plan by asking').fill('Split phase 3 into two phases');
  await page.getByLabel('Refine the plan by asking').press('Enter');
  await expect(page.getByTestId('plan-view').getByTestId('refine-changes')).toBeVisible({ timeout: 60_000 });
  expect(plans.at(-1)!.instruction).toBe('Split phase 3 into two phases');
  expect((plans.at(-1)!.previousPlan as { phases: unknown[] }).phases).toHaveLength(phasesBefore);
  await expect(page.getByTestId('plan-view').getByTestId('refine-counts')).not.toHaveText('nothing changed');
  // What the refinement added to the list joins the review, and the server's coverage check knows it.
  await page.getByTestId('stage-design').click();
  const afterPlan = await expectAddedRequirements(page, sentIds(plans.at(-1)!));
  await page.getByTestId('stage-plan').click();
  await expectCovered(page, afterPlan.at(-1)!, 'planned');

  // One phase, refined: the plan in the request holds that phase with its steps.
  await page.getByRole('button', { name: 'Go to execution without starting' }).click();
  const card = page.locator('[data-testid="phase-card"][data-phase="1"]');
  await card.getByTestId('retry-phase').click();
  await expect(card).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const steps = await card.getByTestId('step').count();
  await card.getByTestId('refine-phase').click();
  await card.getByLabel('Refine phase 1 by asking').fill('Add a step that load-tests the voting endpoint');
  await card.getByRole('button', { name: 'Refine', exact: true }).click();
  await expect(card.getByTestId('refine-changes')).toBeVisible({ timeout: 60_000 });
  const refined = details.at(-1)!;
  expect(refined.instruction).toBe('Add a step that load-tests the voting endpoint');
  expect((refined.plan as { phases: { number: number; steps?: unknown[] }[] }).phases.find((phase) => phase.number === 1)!.steps).toHaveLength(steps);
  await expect(card).toHaveAttribute('data-status', 'done');
  // The phase's new requirement: in the changes, in the list, covered by the refined phase.
  await expect(card.locator('[data-testid="refine-change"][data-kind="added"]').filter({ hasText: /Requirement R\d+/ })).toContainText(/load-tests/i);
  await page.getByTestId('stage-design').click();
  const afterPhase = await expectAddedRequirements(page, sentIds(refined));
  await page.getByTestId('stage-execute').click();
  await expectCovered(page, afterPhase.at(-1)!, 'covered');
  await screenshot(page, 'refine-phase');
  expect(errors).toEqual([]);
});

test('an instruction the server refuses (too long) never starts a stream', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Long ask', 'A shared shopping list for a family.');
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  await page.getByLabel('Refine the design by asking').fill('x'.repeat(2001));
  await expect(page.getByTestId('refine-submit')).toBeDisabled();
  await expect(page.getByTestId('refine-form')).toContainText('At most 2,000 characters');
});
