// Issue 14, the UI part: a plan `devussy plan` wrote (its zip or its folder) opened in the browser,
// ticked, blocked, unblocked and annotated through the real workspace endpoints, then exported back
// and read again by the CLI. Errors the server finds (not a plan, a cycle, an unknown step) are shown.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { backend, recordPageErrors, screenshot } from './helpers';
import { cliStatus, makeZip, readZip, writePlan, writeRecipePlan, type WrittenPlan } from './plans';

test.use({ baseURL: backend('builtin') });

const IDEA = 'A recipe box web app: save recipes, search them by ingredient, and share a shopping list. Premium plans paid with Stripe.';
// What the CLI writes today, and the pytest suite's plan with requirements (R1 covered by 2.2, R2 by
// 3.2, R3 a constraint, R4 covered by no step; phases 2 and 3 wait for phase 1).
let plan: WrittenPlan;
let recipe: WrittenPlan;

test.beforeAll(() => {
  plan = writePlan(IDEA, 'Recipe Box');
  recipe = writeRecipePlan();
});

const step = (page: Page, id: string) => page.locator(`[data-testid="ws-step"][data-step="${id}"]`);

async function openZip(page: Page, zip: string): Promise<void> {
  await page.getByTestId('open-plan-zip').setInputFiles(zip);
  await expect(page.getByTestId('workspace-view')).toBeVisible();
}

test('a plan zip opens with its progress; ticks, blocks, notes and unblocks go through the server; the zip goes back to the CLI', async ({ page }) => {
  const errors = recordPageErrors(page);
  const updates: unknown[] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/workspace/update')) updates.push(request.postDataJSON());
  });
  await page.goto('/');
  await openZip(page, recipe.zip);
  const before = cliStatus(recipe.dir);
  await expect(page.getByTestId('workspace-title')).toHaveText('Recipe Box');
  await expect(page.getByTestId('workspace-progress')).toHaveText(`0 of ${before.total} steps done`);
  await expect(page.getByTestId('ws-phase')).toHaveCount(before.phases.length);
  await expect(page.locator('[data-testid="ws-phase"][data-phase="1"] [data-testid="ws-phase-count"]')).toHaveText(`0/${before.phases[0].total}`);
  // The next task group: wave 1 is what can start now.
  await expect(page.getByTestId('ws-wave').first()).toContainText('1.1');
  await expect(page.getByTestId('ws-open-requirements')).toContainText('R1');
  await expect(page.getByTestId('ws-open-requirements')).toContainText('planned in 2.2');
  await expect(page.getByTestId('ws-open-requirements')).toContainText('R4');
  await expect(page.getByTestId('ws-open-requirements')).toContainText('no step covers it');
  await expect(page.getByTestId('workspace-handoff')).toContainText('1.1');
  await screenshot(page, 'living-opened');

  // Tick 1.1: the server ticks the box, logs it, moves the next task group and rewrites the handoff.
  await page.getByLabel(/^1\.1 /).check();
  await expect(step(page, '1.1')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('workspace-progress')).toHaveText(`1 of ${before.total} steps done`);
  await expect(page.locator('[data-testid="ws-phase"][data-phase="1"] [data-testid="ws-phase-count"]')).toHaveText(`1/${before.phases[0].total}`);
  await expect(page.getByTestId('workspace-announce')).toContainText('Done 1.1');
  await expect(page.getByTestId('ws-wave').first()).not.toContainText('1.1 ');
  await expect(page.getByTestId('ws-recent')).toContainText('Done 1.1');
  expect(updates[0]).toMatchObject({ actions: [{ action: 'done', step: '1.1' }] });
  expect((updates[0] as { now: string }).now).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);

  // Block 1.2 with a reason: it shows as blocked, what waits on it is held, the handoff says so.
  await step(page, '1.2').getByRole('button', { name: 'Block… 1.2' }).click();
  await page.getByLabel('Why is 1.2 blocked?').fill('waiting for CI credentials');
  await page.getByLabel('Why is 1.2 blocked?').press('Enter');
  await expect(step(page, '1.2')).toHaveAttribute('data-status', 'blocked');
  await expect(step(page, '1.2').getByTestId('ws-block-reason')).toHaveText('Blocked: waiting for CI credentials');
  await expect(page.getByTestId('ws-blocked')).toContainText('waiting for CI credentials');
  await expect(page.getByTestId('ws-held')).toContainText('1.3');
  await expect(page.getByTestId('ws-next')).toContainText('Nothing can start');
  await expect(page.getByTestId('workspace-handoff')).toContainText('waiting for CI credentials');
  // The handoff's links to phase files open that phase's checklist instead of leading nowhere.
  await page.getByTestId('workspace-handoff').getByRole('button', { name: 'phase2.md' }).first().click();
  await expect(page.locator('[data-testid="ws-phase"][data-phase="2"] summary')).toBeFocused();

  // A note on the done step.
  await step(page, '1.1').getByRole('button', { name: 'Add note… to 1.1' }).click();
  await page.getByLabel('Note on 1.1').fill('repository is on the company GitLab');
  await page.getByRole('button', { name: 'Add note', exact: true }).click();
  await expect(step(page, '1.1').getByTestId('ws-notes')).toContainText('repository is on the company GitLab');
  await screenshot(page, 'living-changed');

  // The keyboard works as well: the checkbox of 1.3 toggles with Space... but 1.3 is held, so unblock 1.2 first.
  await page.getByTestId('ws-blocked').getByRole('button', { name: 'Unblock 1.2' }).click();
  await expect(step(page, '1.2')).not.toHaveAttribute('data-status', 'blocked');
  await page.getByLabel(/^1\.2 /).focus();
  await page.keyboard.press('Space');
  await expect(step(page, '1.2')).toHaveAttribute('data-status', 'done');
  await expect(page.getByTestId('workspace-progress')).toHaveText(`2 of ${before.total} steps done`);

  // A reload keeps the opened plan and its state.
  await page.reload();
  await expect(page.getByTestId('workspace-progress')).toHaveText(`2 of ${before.total} steps done`);
  await expect(step(page, '1.1').getByTestId('ws-notes')).toContainText('repository is on the company GitLab');

  // Export: the zip the server builds; unpacked over the folder, the CLI reads the same state.
  const download = page.waitForEvent('download');
  await page.getByTestId('workspace-export').click();
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'devussy-export-')), (await download).suggestedFilename());
  await (await download).saveAs(file);
  const exported = readZip(file);
  const phase1 = Object.entries(exported).find(([name]) => name.endsWith('/phase1.md'))![1];
  expect(phase1).toContain('- [x] **1.1 ');
  expect(phase1).toContain('repository is on the company GitLab');
  const unpacked = mkdtempSync(path.join(os.tmpdir(), 'devussy-unpacked-'));
  for (const [name, text] of Object.entries(exported)) writeFileSync(path.join(unpacked, path.basename(name)), text);
  const after = cliStatus(unpacked);
  expect(after.done).toBe(2);
  expect(after.blocked).toEqual([]);
  expect(errors).toEqual([]);
});

test('the folder `devussy plan` wrote opens from the folder picker, and a zip dropped on the sidebar opens too', async ({ page }) => {
  const errors = recordPageErrors(page);
  await page.goto('/');
  // The folder holds the zip and .devussy/ as well: only the plan files are sent.
  const sent: string[][] = [];
  page.on('request', (request) => {
    if (request.url().endsWith('/api/workspace/status')) sent.push(Object.keys((request.postDataJSON() as { files?: object }).files ?? {}).sort());
  });
  await page.getByTestId('open-plan-folder').setInputFiles(plan.dir);
  await expect(page.getByTestId('workspace-title')).toHaveText('Recipe Box');
  expect(sent[0]).toContain('plan.json');
  expect(sent[0].every((name) => /^(plan\.json|devplan\.md|design\.md|handoff\.md|phase\d+\.md)$/.test(name))).toBe(true);
  await expect(page.getByTestId('workspace-list').getByRole('listitem')).toHaveCount(1);

  // Opening the same files again shows the plan already open instead of adding a copy.
  await page.getByTestId('new-project').click();
  await expect(page.getByTestId('workspace-view')).toHaveCount(0);
  await page.getByTestId('open-plan-folder').setInputFiles(plan.dir);
  await expect(page.getByTestId('workspace-view')).toBeVisible();
  await expect(page.getByTestId('workspace-list').getByRole('listitem')).toHaveCount(1);

  // Drag and drop of the zip onto the drop zone (a changed copy, so it is a second plan).
  await page.getByLabel(/^1\.1 /).check();
  await expect(step(page, '1.1')).toHaveAttribute('data-status', 'done');
  const bytes = readFileSync(plan.zip).toString('base64');
  const transfer = await page.evaluateHandle((data) => {
    const binary = atob(data);
    const array = new Uint8Array(binary.length);
    for (let index = 0; index < binary.length; index += 1) array[index] = binary.charCodeAt(index);
    const dropped = new DataTransfer();
    dropped.items.add(new File([array], 'recipe-box-devplan.zip', { type: 'application/zip' }));
    return dropped;
  }, bytes);
  await page.getByTestId('plan-dropzone').dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByTestId('workspace-list').getByRole('listitem')).toHaveCount(2);
  await expect(page.getByTestId('workspace-progress')).toHaveText(/^0 of \d+ steps done$/);

  // Removing one offers Undo.
  await page.getByRole('button', { name: 'Remove Recipe Box from this browser' }).first().click();
  await expect(page.getByTestId('workspace-list').getByRole('listitem')).toHaveCount(1);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('workspace-list').getByRole('listitem')).toHaveCount(2);
  expect(errors).toEqual([]);
});

test('what is not a plan, a dependency cycle and an unknown step get the server\'s clear error', async ({ page }) => {
  await page.goto('/');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'devussy-bad-'));

  // A folder with no plan in it: refused before anything is sent.
  const notes = path.join(scratch, 'notes');
  mkdirSync(notes);
  writeFileSync(path.join(notes, 'README.md'), '# my notes\n');
  await page.getByTestId('open-plan-folder').setInputFiles(notes);
  await expect(page.getByTestId('open-plan-error')).toContainText('No plan files here');

  // A zip with no plan in it: the server says so.
  await page.getByTestId('open-plan-zip').setInputFiles(makeZip(path.join(scratch, 'notes.zip'), { 'notes/devplan.md': '# not really' }));
  await expect(page.getByTestId('open-plan-error')).toContainText('not_a_plan');
  await expect(page.getByTestId('workspace-view')).toHaveCount(0);

  // A cycle someone wrote by hand in a phase file: the server names it.
  const cyclic = path.join(scratch, 'cyclic');
  cpSync(plan.dir, cyclic, { recursive: true });
  const phase1 = readFileSync(path.join(cyclic, 'phase1.md'), 'utf8');
  const [head, details] = phase1.split('## Step details');
  writeFileSync(path.join(cyclic, 'phase1.md'), `${head}## Step details${details.replace('**Depends on:** none', '**Depends on:** 1.3')}`);
  await page.getByTestId('open-plan-folder').setInputFiles(cyclic);
  await expect(page.getByTestId('open-plan-error')).toContainText('dependency_cycle');
  await expect(page.getByTestId('open-plan-error')).toContainText('1.1 →');

  // An action on a step the plan does not have (as if the files changed under the page): 404 unknown_step.
  await openZip(page, plan.zip);
  await page.route('**/api/workspace/update', async (route) => {
    const body = route.request().postDataJSON() as { actions: { step: string }[] };
    body.actions[0].step = '9.9';
    await route.continue({ postData: JSON.stringify(body) });
  });
  await page.getByLabel(/^1\.1 /).click();
  await expect(page.getByTestId('workspace-error')).toContainText('unknown_step');
  await expect(page.getByTestId('workspace-error')).toContainText("no step '9.9'");
  // Nothing changed: the step is still open and can be ticked once the files are right.
  await expect(step(page, '1.1')).toHaveAttribute('data-status', 'ready');
  await expect(page.getByLabel(/^1\.1 /)).not.toBeChecked();
  await screenshot(page, 'living-error');
});
