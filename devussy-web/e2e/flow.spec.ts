// The whole flow with the built-in engine: idea → interview → design (edit) → plan (edit, reorder,
// add, delete) → execution → handoff → files and zip; export and import.
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { backend, createDesignAndPlan, createProject, phaseCards, recordDialogs, recordPageErrors, screenshot } from './helpers';

test.use({ baseURL: backend('builtin') });

test('full flow with the built-in engine', async ({ page }) => {
  const errors = recordPageErrors(page);
  recordDialogs(page);
  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Plan your next project' })).toBeVisible();
  await screenshot(page, '00-empty');

  // Interview: one exchange with the built-in interviewer.
  await page.getByTestId('new-project').click();
  await page.getByTestId('start-interview').click();
  await page.getByLabel('Your answer').fill('A web app where families share recipes and plan weekly meals, in Python with FastAPI.');
  await page.getByRole('button', { name: 'Send' }).click();
  await expect(page.getByTestId('bubble-assistant').first()).toBeVisible({ timeout: 30_000 });
  await screenshot(page, '01-interview');

  await page.getByRole('button', { name: 'Back to the idea' }).click();
  await page.getByLabel('Project name').fill('Recipe box');
  await page.getByLabel('What do you want to build?').fill(
    'A web app where families share recipes, plan weekly meals and get a combined shopping list. Users sign in, invite family members, and import recipes from URLs.',
  );
  await page.getByLabel(/^Languages/).fill('Python, TypeScript');
  await page.getByLabel(/^Frameworks/).fill('FastAPI, React');
  await screenshot(page, '02-idea');

  // Design: streams, then is shown and editable.
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('stage-design')).toHaveAttribute('data-status', 'done');
  await screenshot(page, '03-design');
  await page.getByTestId('edit-design').click();
  await page.getByLabel('Summary').fill('Edited: a family recipe box with meal plans.');
  await page.getByRole('button', { name: 'Save design' }).click();
  await expect(page.getByTestId('design-details')).toContainText('Edited: a family recipe box with meal plans.');

  // Plan: streams, then edit, reorder, add, delete.
  await page.getByTestId('approve-design').click();
  const planPhases = page.getByTestId('plan-phase');
  await expect(planPhases.first()).toBeVisible({ timeout: 60_000 });
  const count = await planPhases.count();
  expect(count).toBeGreaterThanOrEqual(2);
  const secondTitle = await page.getByLabel('Phase 2 title').inputValue();
  await page.getByLabel('Phase 1 title').fill('Project skeleton and CI');
  await page.getByRole('button', { name: 'Move phase 2 up' }).click();
  await expect(page.getByLabel('Phase 1 title')).toHaveValue(secondTitle);
  await expect(page.getByLabel('Phase 2 title')).toHaveValue('Project skeleton and CI');
  await page.getByLabel('Title', { exact: true }).fill('Launch checklist');
  await page.getByLabel('Summary', { exact: true }).fill('Monitoring, backups and a launch runbook.');
  await page.getByTestId('add-phase').click();
  await expect(planPhases).toHaveCount(count + 1);
  await expect(page.getByLabel(`Phase ${count + 1} title`)).toHaveValue('Launch checklist');
  await page.getByRole('button', { name: `Delete phase ${count}` }).click();
  await expect(planPhases).toHaveCount(count);
  await expect(page.getByLabel(`Phase ${count} title`)).toHaveValue('Launch checklist');
  await screenshot(page, '04-plan');

  // Execution: every phase detailed.
  await page.getByTestId('approve-plan').click();
  await expect(phaseCards(page)).toHaveCount(count);
  await expect(page.locator('[data-testid="phase-card"][data-status="done"]')).toHaveCount(count, { timeout: 90_000 });
  await expect(phaseCards(page).first().getByTestId('phase-steps')).toBeVisible();
  await expect(page.locator(`[data-testid="phase-card"][data-phase="${count}"]`)).toContainText('Launch checklist');
  await screenshot(page, '05-execution');

  // Handoff: rendered markdown, files, zip.
  await page.getByTestId('create-handoff').click();
  await expect(page.getByTestId('handoff-prompt')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('handoff-prompt').locator('h1, h2, h3').first()).toBeVisible();
  await expect(page.getByTestId('artifact-file').first()).toBeVisible({ timeout: 30_000 });
  const fileNames = await page.getByTestId('artifact-file').locator('.file-name').allTextContents();
  expect(fileNames.some((name) => name.endsWith('handoff.md'))).toBe(true);
  await screenshot(page, '06-handoff');
  const [zip] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
  expect(zip.suggestedFilename()).toMatch(/\.zip$/);
  const zipBytes = readFileSync((await zip.path())!);
  expect(zipBytes.subarray(0, 2).toString()).toBe('PK');

  // Export, then import: a broken file is refused with a clear error, the export comes back.
  const [exported] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const exportedJson = readFileSync((await exported.path())!, 'utf8');
  expect(JSON.parse(exportedJson).schema).toBe('devussy-project');
  await page.getByTestId('import-input').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"hello": 1}') });
  await expect(page.getByTestId('import-error')).toContainText('not a valid Devussy project');
  await page.getByTestId('import-input').setInputFiles({ name: 'p.json', mimeType: 'application/json', buffer: Buffer.from(exportedJson) });
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await expect(page.getByTestId('project-list').getByText('Recipe box')).toHaveCount(2);

  expect(errors).toEqual([]);
});

test('keyboard only: the idea form and stepper work without a mouse', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-project').focus();
  await page.keyboard.press('Enter');
  await page.getByLabel('Project name').focus();
  await page.keyboard.type('Keyboard project');
  await page.keyboard.press('Tab');
  await page.keyboard.type('A command line tool that renames photos by the date they were taken.');
  await page.getByTestId('create-design').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('stage-new').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByLabel('Project name')).toHaveValue('Keyboard project');
});

test('model settings come from /api/models and are sent as modelConfig', async ({ page }) => {
  await page.goto('/');
  await createProject(page, 'Settings project', 'A tiny URL shortener with click statistics.');
  await page.getByTestId('open-settings').click();
  const dialog = page.getByTestId('settings-dialog');
  await expect(dialog.getByRole('combobox', { name: 'Design engine' })).toContainText('builtin');
  await dialog.getByRole('spinbutton', { name: 'Design temperature' }).fill('0.3');
  await dialog.getByRole('spinbutton', { name: 'Design max tokens' }).fill('1500');
  await screenshot(page, '07-settings');
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(dialog).toBeHidden();
  const [request] = await Promise.all([page.waitForRequest('**/api/design'), page.getByTestId('create-design').click()]);
  expect(request.postDataJSON().modelConfig).toEqual({ temperature: 0.3, maxTokens: 1500 });
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
});

test('dark theme on a phone-sized screen', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto('/');
  await page.getByRole('button', { name: /Switch to dark theme/ }).click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await createProject(page, 'Pocket planner', 'A habit tracker for a phone: streaks, reminders, and a weekly summary email.');
  await createDesignAndPlan(page);
  await page.getByTestId('approve-plan').click();
  await expect(page.locator('[data-testid="phase-card"]:not([data-status="done"])')).toHaveCount(0, { timeout: 90_000 });
  await screenshot(page, '08-dark-mobile');
  // The theme is remembered across a reload.
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test('the interview produces a brief that the design is made from', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('new-project').click();
  await page.getByTestId('start-interview').click();
  const answers = ['A CLI that backs up photos to S3, in Python', 'No database, files only', 'Just me, a single developer', 'It runs from cron on my laptop', 'No other constraints'];
  for (const [index, answer] of answers.entries()) {
    await page.getByLabel('Your answer').fill(answer);
    await page.getByLabel('Your answer').press('Enter');
    await expect(page.getByTestId('bubble-assistant')).toHaveCount(index + 1, { timeout: 30_000 });
    if (await page.getByTestId('brief-ready').isVisible()) break;
  }
  await expect(page.getByTestId('brief-ready')).toBeVisible();
  await screenshot(page, '01-interview-brief');
  await page.getByRole('button', { name: /Create the design from this brief/ }).click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('project-title')).not.toHaveText('Untitled project');
});
