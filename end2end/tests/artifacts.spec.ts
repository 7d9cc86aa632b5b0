import { expect, test } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hydrated, token, upload, watchConsole } from './helpers';

// A CI job with a failing test, its build log and a screenshot of the
// failure: open the job, the test, the log viewer (jumping to a line by
// URL, searching, paging), and download the files. A hostile HTML file is
// downloaded, never rendered on Assay's origin.

const SCREENSHOT = path.resolve(__dirname, '../../../shared/corpus/pixel-diff/pixelmatch/main-c6fee35/test/fixtures/5diff.png');
const LINES = 3000;
const buildLog = Array.from({ length: LINES }, (_, i) =>
  i + 1 === 1234 ? 'line 1234: FATAL the build broke here' : `line ${i + 1}: compiling module ${i + 1}`,
).join('\n');
const HOSTILE = '<html><body><script>document.title="pwned"; window.pwned = true;</script><h1 id="x">hostile</h1></body></html>';

let jobUrl = '';
let logId = 0;
let htmlId = 0;

test.beforeAll(async ({ request }) => {
  await upload(request, {
    project: 'files',
    run: 'with-artifacts',
    job: 'linux',
    files: ['dorny-test-reporter/__tests__/fixtures/jest-junit.xml'],
  });
  const api = '/api/v1/projects/files/runs/with-artifacts/jobs/linux';
  const res = await request.post(`${api}/artifacts`, {
    headers: { Authorization: `Bearer ${token('files')}` },
    multipart: {
      log: { name: 'build.log', mimeType: 'text/plain', buffer: Buffer.from(buildLog) },
      shot: { name: 'failure.png', mimeType: 'image/png', buffer: fs.readFileSync(SCREENSHOT) },
      page: { name: 'report.html', mimeType: 'text/html', buffer: Buffer.from(HOSTILE) },
      meta: JSON.stringify({ 'failure.png': { tests: ['Failing test'] } }),
    },
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  const body = await res.json();
  logId = body.files[0].artifact.id;
  htmlId = body.files[2].artifact.id;
  const job = await (await request.get(api)).json();
  jobUrl = `/projects/files/runs/${job.run.id}/jobs/${job.job.id}`;
});

test('job → log viewer → a line by URL, search, pages; test → its screenshot; downloads', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto(jobUrl);
  await hydrated(page);
  const table = page.locator('section.artifacts table.artifacts');
  await expect(table.locator('tbody tr')).toHaveCount(3);
  await expect(page.locator('section.artifacts h2')).toContainText('Artifacts (3,');
  await expect(table.locator('tr[data-artifact="failure.png"] img.thumb')).toBeVisible();

  // The log opens in the viewer: the first page of lines, numbered.
  await table.getByRole('link', { name: 'build.log' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('build.log');
  await expect(page.locator('table.log tbody tr')).toHaveCount(500);
  await expect(page.locator('.pager .showing').first()).toHaveText(`Lines 1–500 of ${LINES}`);
  await page.locator('.pager').first().getByRole('link', { name: 'Later lines →' }).click();
  await expect(page.locator('.pager .showing').first()).toHaveText(`Lines 501–1000 of ${LINES}`);
  await expect(page.locator('#L501 td.text')).toHaveText('line 501: compiling module 501');

  // Search, then follow a match to its line.
  await page.getByLabel('Search').fill('fatal');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=fatal/);
  const matches = page.locator('table.matches tbody tr');
  await expect(matches).toHaveCount(1);
  await matches.getByRole('link', { name: '1234' }).click();
  await expect(page).toHaveURL(/line=1234#L1234/);
  await expect(page.locator('#L1234 td.text')).toHaveText('line 1234: FATAL the build broke here');
  console.check();

  // A line's link works straight from the address bar, scrolled to.
  await page.goto(`${jobUrl}/artifacts/${logId}?line=2890#L2890`);
  await hydrated(page);
  await expect(page.locator('.pager .showing').first()).toHaveText(`Lines 2501–${LINES} of ${LINES}`);
  const target = page.locator('#L2890');
  await expect(target).toBeInViewport();
  await expect(target.locator('td.ln a')).toHaveAttribute('href', /line=2890#L2890$/);
  await page.getByLabel('Go to line').fill('7');
  await page.getByRole('button', { name: 'Go' }).click();
  await expect(page.locator('#L7 td.text')).toHaveText('line 7: compiling module 7');

  // Downloading gives the file, byte for byte.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download' }).click()]);
  expect(download.suggestedFilename()).toBe('build.log');
  expect(fs.readFileSync(await download.path()).toString()).toBe(buildLog);
  console.check();

  // The failing test lists its screenshot, shown as an image.
  await page.goto(jobUrl);
  await hydrated(page);
  await page.locator('table.results').getByRole('link', { name: 'Failing test', exact: true }).click();
  const shot = page.locator('section.artifacts tr[data-artifact="failure.png"]');
  await expect(shot).toBeVisible();
  await shot.locator('a.artifact-link').click();
  const img = page.locator('img.artifact-image');
  await expect(img).toBeVisible();
  expect(await img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBeGreaterThan(0);
  console.check();
});

test('a hostile HTML artifact is downloaded, never rendered', async ({ page, request }) => {
  await page.goto(jobUrl);
  await hydrated(page);
  const row = page.locator('tr[data-artifact="report.html"]');
  // Assay shows its source as lines of text, never as a page.
  await row.getByRole('link', { name: 'report.html' }).click();
  await expect(page.locator('#L1 td.text')).toHaveText(HOSTILE);
  await expect(page.locator('h1#x')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
  await page.goto(jobUrl);
  await hydrated(page);
  const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: 'Download' }).click()]);
  expect(download.suggestedFilename()).toBe('report.html');
  expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
  // Even opened directly, the browser downloads it rather than run it.
  const direct = await request.get(`/api/v1/artifacts/${htmlId}/download`);
  expect(direct.headers()['content-disposition']).toMatch(/^attachment; filename="report.html"/);
  expect(direct.headers()['x-content-type-options']).toBe('nosniff');
  expect(direct.headers()['content-security-policy']).toContain('sandbox');
  const other = await page.context().newPage();
  const started = other.waitForEvent('download');
  await other.goto(`/api/v1/artifacts/${htmlId}/download`).catch(() => undefined);
  expect((await started).suggestedFilename()).toBe('report.html');
  expect(await other.title()).not.toBe('pwned');
  await other.close();
});
