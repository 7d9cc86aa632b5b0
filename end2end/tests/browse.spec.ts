import { expect, test } from '@playwright/test';
import { hydrated, watchConsole } from './helpers';
import { seed } from './seed';

test.beforeAll(async ({ request }) => {
  await seed(request);
});

test('projects → runs → job → failing test, with its message and history', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/');
  await hydrated(page);
  await page.getByRole('link', { name: 'End-to-end' }).click();
  await expect(page).toHaveURL(/\/projects\/e2e$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('End-to-end');
  // Newest first, with counts.
  const rows = page.locator('table.runs tbody tr');
  await expect(rows).toHaveCount(4);
  await expect(rows.first()).toHaveAttribute('data-run', 'build-4');
  const build2 = page.locator('tr[data-run="build-2"]');
  await expect(build2.locator('[data-count="failed"]')).toHaveText('9 failed');
  await expect(build2.locator('[data-status="failed"]')).toBeVisible();

  await build2.getByRole('link', { name: 'build-2' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText('build-2');
  await expect(page.locator('table.jobs tbody tr')).toHaveCount(2);
  await page.locator('tr[data-job="linux"]').getByRole('link', { name: 'linux' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('linux');
  const results = page.locator('table.results tbody tr');
  // Failed first.
  await expect(results.first().locator('[data-status]')).toHaveAttribute('data-status', 'failed');
  await expect(page.locator('table.results [data-status="flaky"]')).toHaveCount(1);
  await page.locator('table.results').getByRole('link', { name: 'Failing test' }).click();

  await expect(page.getByRole('heading', { level: 1 })).toContainText('Failing test');
  await expect(page.locator('h1 [data-status="failed"]')).toBeVisible();
  await expect(page.locator('pre[data-field="details"]')).toContainText('expect(received).toBeTruthy()');
  // History: the same test on main, newest first (build-1 did not have it;
  // build-3 is on another branch).
  const history = page.locator('section.history tbody tr');
  await expect(history).toHaveCount(2);
  await expect(history.nth(0)).toContainText('build-4');
  await expect(history.nth(1)).toContainText('build-2');
  await expect(history.nth(1)).toContainText('(this result)');
  await expect(page.locator('section.history')).not.toContainText('build-3');
  await expect(page.locator('section.history .verdict')).toContainText('failing consistently');
  console.check();
});

test('a flaky test shows the failure of its failed attempt', async ({ page }) => {
  await page.goto('/projects/e2e');
  await hydrated(page);
  await page.locator('tr[data-run="build-2"]').getByRole('link', { name: 'build-2' }).click();
  await page.locator('tr[data-job="linux"]').getByRole('link', { name: 'linux' }).click();
  await page.getByRole('link', { name: 'TestWebSocketReconnectRace' }).click();
  await expect(page.locator('h1 [data-status="flaky"]')).toBeVisible();
  await expect(page.locator('.note')).toContainText('Passed on a retry: 2 attempts');
  await expect(page.locator('pre[data-field="details"]')).toContainText('--- FAIL: TestWebSocketReconnectRace');
});

test('job page filters by status, searches by name and pages through 4239 results', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto('/projects/e2e');
  await hydrated(page);
  await page.locator('tr[data-run="build-1"]').getByRole('link', { name: 'build-1' }).click();
  await page.locator('tr[data-job="linux"]').getByRole('link', { name: 'linux' }).click();
  await expect(page.locator('.pager .showing')).toHaveText('Showing 1–50 of 4239');

  await page.locator('.pager').getByRole('link', { name: 'Next →' }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.locator('.pager .showing')).toHaveText('Showing 51–100 of 4239');
  await page.locator('.pager').getByRole('link', { name: '← Previous' }).click();
  await expect(page.locator('.pager .showing')).toHaveText('Showing 1–50 of 4239');

  await page.getByLabel('Status').selectOption('failed');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(page.locator('.pager .showing')).toHaveText('Showing 1–2 of 2');
  await expect(page.locator('table.results tbody tr')).toHaveCount(2);
  await expect(page.locator('table.results tbody [data-status="passed"]')).toHaveCount(0);

  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Search').fill('hg');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/q=hg/);
  const found = page.locator('table.results tbody tr');
  await expect(found.first()).toBeVisible();
  const texts = await found.allTextContents();
  expect(texts.length).toBeGreaterThan(0);
  for (const text of texts) {
    expect(text.toLowerCase()).toContain('hg');
  }
  await expect(page.locator('.pager .showing')).toHaveText(`Showing 1–${texts.length} of ${texts.length}`);

  // The counts above the table filter too.
  await page.locator('a[data-count="skipped"]').click();
  await expect(page).toHaveURL(/status=skipped/);
  await expect(page.locator('.pager .showing')).toHaveText('Showing 1–30 of 30');
  console.check();
});

test('runs list filters by branch', async ({ page }) => {
  await page.goto('/projects/e2e');
  await hydrated(page);
  await page.getByLabel('Branch').selectOption('feature/x');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/branch=feature%2Fx/);
  await expect(page.locator('table.runs tbody tr')).toHaveCount(1);
  await expect(page.locator('table.runs tbody tr').first()).toHaveAttribute('data-run', 'build-3');
});

test('unknown pages and ids answer 404 with a message', async ({ page }) => {
  const res = await page.goto('/projects/e2e/runs/999999');
  expect(res?.status()).toBe(404);
  await expect(page.getByRole('alert')).toContainText('not found');
});
