import { expect, test } from '@playwright/test';
import { seed } from './seed';

test.use({ javaScriptEnabled: false });

test.beforeAll(async ({ request }) => {
  await seed(request);
});

test('every page reads and filters with JavaScript off', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'End-to-end' }).click();
  await expect(page.locator('table.runs tbody tr')).toHaveCount(4);

  // Branch filter: a plain GET form.
  await page.getByLabel('Branch').selectOption('main');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/branch=main/);
  await expect(page.locator('table.runs tbody tr')).toHaveCount(3);

  await page.locator('tr[data-run="build-1"]').getByRole('link', { name: 'build-1' }).click();
  await page.locator('tr[data-job="linux"]').getByRole('link', { name: 'linux' }).click();
  await expect(page.locator('.pager .showing')).toHaveText('Showing 1–50 of 4239');
  await page.locator('.pager').getByRole('link', { name: 'Next →' }).click();
  await expect(page.locator('.pager .showing')).toHaveText('Showing 51–100 of 4239');

  await page.getByLabel('Status').selectOption('failed');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/status=failed/);
  await expect(page.locator('table.results tbody tr')).toHaveCount(2);

  await page.locator('table.results a.test-link').first().click();
  await expect(page.locator('h1 [data-status="failed"]')).toBeVisible();
  await expect(page.locator('pre[data-field="details"]')).toContainText('Error:');
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
});
