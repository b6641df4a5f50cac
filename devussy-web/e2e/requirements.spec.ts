// Issue 9, the UI part, with the built-in engine: the numbered requirements are reviewed after the
// design (edit, add, remove; ids stable), the reviewed list goes with the plan and detail requests,
// and the coverage matrix shows what the server's check (POST /api/coverage) says, with uncovered and
// violated requirements highlighted and each step a link into the execution view.
import { expect, test, type Page } from '@playwright/test';
import { backend, bodiesOf, createProject, recordPageErrors, screenshot } from './helpers';

test.use({ baseURL: backend('builtin') });

const IDEA = 'A web app for booking climbing gym classes: members book and cancel classes, staff manage the schedule. Stripe payments.';

type Requirement = { id: string; text: string; kind: string; source: string };

const requirementRow = (page: Page, id: string) => page.locator(`[data-testid="requirement"][data-requirement="${id}"]`);
const coverageRow = (page: Page, id: string) => page.locator(`[data-testid="coverage-row"][data-requirement="${id}"]`);


/** The design's requirement ids shown in the review, in order. */
async function shownIds(page: Page): Promise<string[]> {
  return page.getByTestId('requirement').evaluateAll((items) => items.map((item) => item.getAttribute('data-requirement') ?? ''));
}

/** A new project's design, its requirements shown for review. */
async function designToReview(page: Page, name: string): Promise<void> {
  await page.goto('/');
  await createProject(page, name, IDEA);
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('requirements-review')).toBeVisible({ timeout: 60_000 });
}

async function addRequirement(page: Page, text: string, kind: string): Promise<string> {
  const id = (await page.locator('.req-add .req-id').textContent())!.trim();
  await page.getByLabel(/^New requirement/).fill(text);
  await page.getByLabel('Kind of the new requirement').selectOption(kind);
  await page.getByTestId('add-requirement').click();
  await expect(requirementRow(page, id)).toBeVisible();
  return id;
}

test('requirements are reviewed before planning; the edited list goes with the plan and detail requests', async ({ page }) => {
  const errors = recordPageErrors(page);
  const designs = bodiesOf(page, '/api/design');
  const plans = bodiesOf(page, '/api/plan/basic');
  const details = bodiesOf(page, '/api/plan/detail');
  let designDone: { requirements?: Requirement[]; design: { requirements?: Requirement[] } } | null = null;
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname !== '/api/design') return;
    const text = await response.text();
    const line = text.split('\n').find((row) => row.startsWith('data: ') && row.includes('"type":"done"'));
    if (line) designDone = JSON.parse(line.slice(6));
  });
  await designToReview(page, 'Climbing gym');
  expect(designs).toHaveLength(1);

  // The design's done event carries the requirements (== design.requirements), and the review shows them.
  await expect.poll(() => designDone).not.toBeNull();
  const extracted = designDone!.requirements ?? [];
  expect(designDone!.design.requirements ?? []).toEqual(extracted);
  expect(await shownIds(page)).toEqual(extracted.map((requirement) => requirement.id));
  const highest = Math.max(0, ...extracted.map((requirement) => Number(requirement.id.slice(1))));

  // Add two: each gets the next free id, marked as said by the user.
  const booking = await addRequirement(page, 'Members can cancel a booking up to two hours before the class', 'feature');
  const existingDb = await addRequirement(page, 'The Postgres database already exists', 'constraint');
  expect([booking, existingDb]).toEqual([`R${highest + 1}`, `R${highest + 2}`]);
  await expect(requirementRow(page, booking).locator('.req-source')).toHaveText('interview');

  // Edit the text and the kind; an emptied requirement blocks planning until it is fixed.
  await page.getByLabel(`Requirement ${booking}`).fill('');
  await expect(requirementRow(page, booking)).toContainText(`${booking} is empty`);
  await expect(page.getByTestId('approve-design')).toBeDisabled();
  await page.getByLabel(`Requirement ${booking}`).fill('Members can cancel a booking');
  await page.getByLabel(`Kind of ${existingDb}`).selectOption('non_goal');
  await page.getByLabel(`Kind of ${existingDb}`).selectOption('constraint');

  // Remove one and undo; ids of the others never change.
  const extra = await addRequirement(page, 'A waitlist for full classes', 'feature');
  await page.getByRole('button', { name: `Remove ${extra}` }).click();
  await expect(requirementRow(page, extra)).toHaveCount(0);
  await page.getByTestId('undo').click();
  await expect(requirementRow(page, extra)).toBeVisible();
  await page.getByRole('button', { name: `Remove ${extra}` }).click();
  // A new one after a removal does not take the removed id back.
  const later = await addRequirement(page, 'Staff see who booked a class', 'feature');
  expect(later).toBe(`R${highest + 4}`);
  await screenshot(page, 'requirements-review');

  const reviewed = (await shownIds(page)).filter((id) => id !== extra);
  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  const sent = plans[0].requirements as Requirement[];
  expect(sent.map((requirement) => requirement.id)).toEqual(reviewed);
  expect(sent.find((requirement) => requirement.id === booking)).toEqual({ id: booking, text: 'Members can cancel a booking', kind: 'feature', source: 'interview' });
  expect(sent.find((requirement) => requirement.id === existingDb)!.kind).toBe('constraint');

  // The plan's done carries the list; each detail request sends it too.
  await page.getByTestId('approve-plan').click();
  const phaseCount = await page.getByTestId('phase-card').count();
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(phaseCount, { timeout: 90_000 });
  expect(details.length).toBe(phaseCount);
  for (const body of details) expect((body.requirements as Requirement[]).map((requirement) => requirement.id)).toEqual(reviewed);
  expect(errors).toEqual([]);
});

type CoverageAnswer = {
  body: { plan: { phases: unknown[] }; requirements?: Requirement[] };
  report: { requirements: { id: string; status: string; steps: string[] }[]; violations: { requirement: string; step: string; message: string }[]; gaps: { step: string }[] };
};

/** The server's coverage answers (status 200), in order. */
function coverageAnswers(page: Page): CoverageAnswer[] {
  const answers: CoverageAnswer[] = [];
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname !== '/api/coverage' || response.status() !== 200) return;
    answers.push({ body: response.request().postDataJSON(), report: (await response.json()).coverage });
  });
  return answers;
}

/** Every row shows what the server's last check said (nothing computed in the page). */
async function expectMatrixIsLastAnswer(page: Page, answers: CoverageAnswer[]): Promise<void> {
  await expect(page.getByTestId('coverage-matrix')).not.toHaveAttribute('aria-busy', 'true');
  const last = answers.at(-1)!;
  await expect(page.getByTestId('coverage-row')).toHaveCount(last.report.requirements.length);
  for (const entry of last.report.requirements) await expect(coverageRow(page, entry.id)).toHaveAttribute('data-status', entry.status);
}

test('the coverage matrix is the server\'s check: a constraint added after planning shows the steps that violate it, an integration nothing covers stands out, a step opens in the execution view', async ({ page }) => {
  const errors = recordPageErrors(page);
  const answers = coverageAnswers(page);
  await designToReview(page, 'Coverage');
  const feature = await addRequirement(page, 'Members see their past bookings', 'feature');

  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  // After the plan (no details yet): the matrix is there for every reviewed requirement, as planned.
  await expect(page.getByTestId('coverage-table')).toBeVisible();
  await expect(coverageRow(page, feature)).toHaveAttribute('data-status', 'planned');

  await page.getByTestId('approve-plan').click();
  const phaseCount = await page.getByTestId('phase-card').count();
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(phaseCount, { timeout: 90_000 });
  await expect(coverageRow(page, feature)).toHaveAttribute('data-status', 'covered');
  await expectMatrixIsLastAnswer(page, answers);
  expect(answers.at(-1)!.body.plan.phases).toHaveLength(phaseCount);

  // The user remembers two things after planning: the database exists, and an export nobody planned.
  await page.getByTestId('stage-design').click();
  const constraint = await addRequirement(page, 'The Postgres database already exists', 'constraint');
  const nobody = await addRequirement(page, 'Export the schedule to a smart fridge', 'integration');
  await expect(page.getByTestId('stale-banner')).toBeVisible();
  await page.getByTestId('stage-execute').click();
  await expect(coverageRow(page, constraint)).toHaveAttribute('data-status', 'violated');
  await expect(coverageRow(page, nobody)).toHaveAttribute('data-status', 'uncovered');
  await expect(coverageRow(page, constraint)).toHaveClass(/cov-violated/);
  await expect(coverageRow(page, nobody)).toHaveClass(/cov-uncovered/);
  await expectMatrixIsLastAnswer(page, answers);
  const violation = answers.at(-1)!.report.violations.find((entry) => entry.requirement === constraint)!;
  expect(violation).toBeTruthy();
  await expect(coverageRow(page, constraint).getByTestId('coverage-violation').first()).toContainText(violation.step);
  await expect(coverageRow(page, constraint).getByTestId('coverage-violation').first()).toContainText(violation.message);
  await screenshot(page, 'coverage-matrix');

  // A step in the matrix opens in the execution view, focused.
  await coverageRow(page, constraint).getByRole('button', { name: `Show step ${violation.step}` }).first().click();
  const opened = page.locator(`details[data-step-id="${violation.step}"]`);
  await expect(opened).toHaveAttribute('open', '');
  await expect(opened.locator('summary')).toBeFocused();
  await expect(opened.getByTestId('step-body')).toContainText(/migrat/i);

  // From the plan view as well.
  const covering = answers.at(-1)!.report.requirements.find((entry) => entry.id === feature)!.steps[0];
  await page.getByTestId('stage-plan').click();
  await coverageRow(page, feature).getByRole('button', { name: `Show step ${covering}` }).click();
  await expect(page.getByTestId('execution-view')).toBeVisible();
  await expect(page.locator(`details[data-step-id="${covering}"] summary`)).toBeFocused();
  expect(errors).toEqual([]);
});

test('steps a model left without a test command or a Covers line are listed as gaps, each opening its step', async ({ page }) => {
  const answers = coverageAnswers(page);
  await designToReview(page, 'Gaps');
  // The offline engine never leaves a gap; a model may. Phase 2's answer loses step 2.1's test command
  // and step 2.2's citations on the way (the server's coverage check is what finds them).
  await page.route('**/api/plan/detail', async (route) => {
    const response = await route.fetch();
    const text = await response.text();
    if ((route.request().postDataJSON() as { phaseNumber: number }).phaseNumber !== 2) return route.fulfill({ response, body: text });
    const lines = text.split('\n');
    const index = lines.findIndex((line) => line.startsWith('data: ') && line.includes('"type":"done"'));
    const done = JSON.parse(lines[index].slice(6));
    delete done.phase.steps[0].testCommand;
    done.phase.steps[1].covers = [];
    lines[index] = `data: ${JSON.stringify(done)}`;
    return route.fulfill({ response, body: lines.join('\n') });
  });
  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  await page.getByRole('button', { name: 'Go to execution without starting' }).click();
  const card = page.locator('[data-testid="phase-card"][data-phase="2"]');
  await card.getByTestId('retry-phase').click();
  await expect(card).toHaveAttribute('data-status', 'done', { timeout: 60_000 });
  const gaps = page.getByTestId('coverage-gaps');
  await gaps.locator('summary').click();
  await expect(gaps).toContainText('2.1: no test command');
  await expect(gaps).toContainText('2.2: no Covers: line');
  expect(answers.at(-1)!.report.gaps.map((gap) => gap.step)).toEqual(['2.1', '2.2']);
  await gaps.getByRole('button', { name: 'Show step 2.2' }).click();
  await expect(page.locator('details[data-step-id="2.2"] summary')).toBeFocused();
});

test('removing a requirement the plan cites warns where; the server then refuses the plan, and says which id', async ({ page }) => {
  await designToReview(page, 'Cited');
  const feature = await addRequirement(page, 'Members book a class', 'feature');
  await page.getByTestId('approve-design').click();
  await expect(page.getByTestId('plan-phases')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('coverage-table')).toBeVisible();

  await page.getByTestId('stage-design').click();
  // The offline engine's plan cites the requirement the user added (in the phases that build it).
  const cited = (await requirementRow(page, feature).getByTestId('requirement-cited').textContent())!;
  expect(cited).toMatch(/^cited by phases? \d+(, \d+)*$/);
  await page.getByRole('button', { name: `Remove ${feature}` }).click();
  await expect(page.getByTestId('undo-toast')).toContainText(`The plan cites it in ${cited.replace('cited by ', '')}`);
  await expect(page.getByTestId('stale-banner')).toBeVisible();
  await page.getByTestId('stage-plan').click();
  await expect(page.getByTestId('coverage-error')).toContainText(feature);
  await expect(page.getByTestId('coverage-error')).toContainText('invalid_request');
  // Undo puts it back and the matrix is right again.
  await page.getByTestId('undo').click();
  await expect(requirementRow(page, feature)).toBeVisible();
  await page.getByTestId('stage-plan').click();
  await expect(coverageRow(page, feature)).toHaveAttribute('data-status', 'planned');
  await expect(page.getByTestId('coverage-error')).toHaveCount(0);
});
