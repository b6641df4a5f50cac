// A server started with DEVUSSY_ACCESS_TOKEN: the app asks for the token after a 401, sends it as a
// bearer token, and keeps it out of localStorage and exports.
import { expect, test } from '@playwright/test';
import { createProject } from './helpers';
import { startStack, stopPids, type Stack } from './stack';

const TOKEN = 'e2e-access-token-1234';
let stack: Stack;

test.beforeAll(async () => {
  stack = await startStack({ env: { DEVUSSY_ACCESS_TOKEN: TOKEN } });
});
test.afterAll(() => stopPids(stack?.pids ?? []));

test('asks for the access token and uses it', async ({ page }) => {
  await page.goto(stack.baseURL);
  await createProject(page, 'Locked server', 'A shared shopping list for a household.');
  await page.getByTestId('create-design').click();
  await expect(page.getByTestId('error-box')).toContainText('unauthorized');
  await expect(page.getByTestId('access-token')).toBeVisible();
  await page.getByLabel(/needs an access token/).fill(TOKEN);
  await page.getByRole('button', { name: 'Use token' }).click();
  await expect(page.getByTestId('access-token')).toBeHidden();
  await page.getByTestId('regenerate-design').click();
  await expect(page.getByTestId('design-details')).toBeVisible({ timeout: 60_000 });
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain(TOKEN);
});
