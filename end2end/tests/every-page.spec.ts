import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { hydrated, signIn, token, upload, watchConsole, ADMIN } from './helpers';

// Every kind of page, for results of every report format in the corpus,
// signed in and not: each must load, hydrate and log no console error or
// page error (a hydration mismatch panics in the browser and leaves the
// page dead to clicks, which a server-side test cannot see).

const put = 'publish-unit-test-result-action/python/test/files';
const FORMATS: Record<string, string> = {
  'junit-jest': 'dorny-test-reporter/__tests__/fixtures/jest-junit.xml',
  'junit-surefire-reruns': 'action-junit-report/test_results/junit-server-test/report.xml',
  'junit-nextest': 'generated-locally/cargo-nextest/junit.xml',
  'junit-ctest': 'generated-locally/ctest/ctest-junit.xml',
  'trx': 'dorny-test-reporter/__tests__/fixtures/dotnet-trx.trx',
  'nunit2': `${put}/nunit/mstest/pickles.xml`,
  'nunit3': `${put}/nunit/mstest/timewarpinc.xml`,
  'xunit': `${put}/xunit/mstest/fixie.xml`,
};

type Urls = { pages: string[]; tests: string[] };

async function seedFormats(request: APIRequestContext): Promise<Urls> {
  for (const [job, file] of Object.entries(FORMATS)) {
    await upload(request, { project: 'formats', run: 'every-format', branch: 'main', job, files: [file] });
  }
  const auth = { Authorization: `Bearer ${token('formats')}` };
  const run = await (await request.get('/api/v1/projects/formats/runs/every-format', { headers: auth })).json();
  const pages = [
    '/',
    '/login',
    '/projects/formats',
    `/projects/formats/runs/${run.run.id}`,
    '/projects/formats/flaky-tests?state=all',
    '/projects/formats/quarantine?state=all',
    '/projects/formats/failure-clusters',
    `/compare/tests?base_run=${run.run.id}&head_run=${run.run.id}`,
    `/compare/tests?base=${run.jobs[0].id}&head=${run.jobs[1].id}`,
  ];
  const clusters = await (await request.get('/api/v1/projects/formats/failure-clusters', { headers: auth })).json();
  expect(clusters.clusters.length).toBeGreaterThan(0);
  for (const c of (clusters.clusters as { id: number }[]).slice(0, 3)) pages.push(`/projects/formats/failure-clusters/${c.id}`);
  const tests: string[] = [];
  for (const job of run.jobs) {
    pages.push(`/projects/formats/runs/${run.run.id}/jobs/${job.id}`);
    pages.push(`/projects/formats/runs/${run.run.id}/jobs/${job.id}/durations`);
    const list = await (
      await request.get(`/api/v1/projects/formats/runs/${run.run.id}/jobs/${job.id}/test-results?limit=500`, { headers: auth })
    ).json();
    // Failed first: the first results have messages and traces; the last
    // passed; and every one with properties.
    const items = list.items as { id: number }[];
    const picks = new Set<number>([...items.slice(0, 2), ...items.slice(-1)].map((r) => r.id));
    for (const r of items) {
      const detail = await (
        await request.get(`/api/v1/projects/formats/runs/${run.run.id}/jobs/${job.id}/test-results/${r.id}`, { headers: auth })
      ).json();
      if (detail.result.properties.length > 0) picks.add(r.id);
      if (picks.size >= 6) break;
    }
    for (const id of picks) tests.push(`/projects/formats/runs/${run.run.id}/jobs/${job.id}/tests/${id}`);
    tests.push(`/projects/formats/runs/${run.run.id}/jobs/${job.id}/tests/${items[0].id}/durations`);
  }
  return { pages, tests };
}

async function visitAll(page: Page, urls: string[]) {
  const console = watchConsole(page);
  for (const url of urls) {
    const res = await page.goto(url);
    expect(res?.status(), url).toBeLessThan(400);
    await hydrated(page);
    // Give late hydration work a moment to fail, if it is going to.
    await page.waitForTimeout(50);
    console.check(url);
  }
}

let urls: Urls;

test.beforeAll(async ({ request }) => {
  urls = await seedFormats(request);
});

test('every page of every report format hydrates cleanly for a visitor', async ({ page }) => {
  test.setTimeout(180_000);
  await visitAll(page, [...urls.pages, ...urls.tests]);
});

test('every page, the settings and the admin pages hydrate cleanly for an admin', async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, ADMIN);
  const admin = ['/account', '/projects/formats/settings', '/admin/users', '/admin/projects', '/admin/settings', '/admin/audit'];
  await visitAll(page, [...admin, ...urls.pages.filter((u) => u !== '/login'), ...urls.tests]);
});

test('a TRX result with properties renders its table and stays live to clicks', async ({ page }) => {
  const console = watchConsole(page);
  for (const url of urls.tests) {
    await page.goto(url);
    await hydrated(page);
    if (await page.locator('table.props').count()) {
      await expect(page.locator('table.props tbody tr').first()).toBeVisible();
      // After hydration a client-side navigation still works.
      await page.locator('nav.crumbs a').last().click();
      await expect(page.locator('table.results')).toBeVisible();
      console.check(url);
      return;
    }
  }
  throw new Error('no test page with properties in the sweep');
});
