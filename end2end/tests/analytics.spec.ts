import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ADMIN, hydrated, signIn, token, upload, watchConsole } from './helpers';

// Test analytics in the browser: two runs of a job in which one test
// regresses and one keeps failing; the job page marks the regression new
// and the other known (failing since the first run), new first, each with
// its failure summary (a jest expectation's Expected/Received lines, a
// Rust assertion's operands); the run and job pages link to the test
// comparison, which counts and lists each group, and any two runs can be
// picked there; a test that flips is flaky with its evidence on the
// flaky-tests page and marked on the job page; a member quarantines a
// failing test and its job turns green with the failure still listed, CI
// reads the quarantine, and lifting it ends it; failures that differ only
// in their values form one failure cluster, grouped on the job page, with
// a page of its own where a member names it; all of it with JavaScript
// off as well.

const JEST_FAILURE =
  'Error: expect(received).toBe(expected) // Object.is equality\n\nExpected: 3\nReceived: 2\n    at Object.&lt;anonymous&gt; (src/sum.test.js:4:17)';
const RUST_FAILURE =
  "thread 'parses' panicked at src/lib.rs:9:5:\nassertion `left == right` failed\n  left: 1\n right: 2\nstack backtrace:\n   0: rust_begin_unwind";

function report(cases: [string, 'pass' | 'jest' | 'rust', number][]): string {
  const body = cases
    .map(([name, outcome, time]) => {
      const failure =
        outcome === 'jest' ? `<failure>${JEST_FAILURE}</failure>` : outcome === 'rust' ? `<failure message="thread 'parses' panicked at src/lib.rs:9:5">${RUST_FAILURE}</failure>` : '';
      return `<testcase classname="suite" name="${name}" time="${time}">${failure}</testcase>`;
    })
    .join('');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-analytics-')), 'report.xml');
  fs.writeFileSync(file, `<testsuites><testsuite name="unit">${body}</testsuite></testsuites>`);
  return file;
}

/** Two runs on `branch`: `sum` regresses in the second, `parses` fails in both, `slow` gets slower. */
async function twoRuns(request: APIRequestContext, prefix: string, branch: string) {
  await upload(request, {
    project: 'analytics', run: `${prefix}-1`, branch, job: 'unit',
    files: [report([['sum', 'pass', 0.01], ['parses', 'rust', 0.01], ['slow', 'pass', 1], ['stable', 'pass', 0.01]])],
  });
  await upload(request, {
    project: 'analytics', run: `${prefix}-2`, branch, job: 'unit',
    files: [report([['sum', 'jest', 0.01], ['parses', 'rust', 0.01], ['slow', 'pass', 4], ['stable', 'pass', 0.01]])],
  });
  const run = await (await request.get(`/api/v1/projects/analytics/runs/${prefix}-2`)).json();
  return { run: run.run.id as number, job: run.jobs[0].id as number };
}

async function checkJobPage(page: Page) {
  const rows = page.locator('table.results tbody tr');
  // New failures first, then known ones.
  await expect(rows.nth(0).locator('a.test-link')).toHaveText('sum');
  await expect(rows.nth(0).locator('.failure-mark.new')).toHaveText('new');
  await expect(rows.nth(0).locator('pre.failure-summary')).toHaveText(
    'expect(received).toBe(expected) // Object.is equality\nExpected: 3\nReceived: 2',
  );
  await expect(rows.nth(1).locator('a.test-link')).toHaveText('parses');
  await expect(rows.nth(1).locator('.failure-mark.known')).toContainText('failing since');
  await expect(rows.nth(1).locator('pre.failure-summary')).toHaveText('assertion `left == right` failed\n  left: 1\n right: 2');
}

async function checkComparison(page: Page, prefix: string) {
  await expect(page.locator('h1')).toContainText(`${prefix}-1`);
  await expect(page.locator('li.diff-count.new-failures')).toHaveAttribute('data-count', '1');
  await expect(page.locator('li.diff-count.still-failing')).toHaveAttribute('data-count', '1');
  await expect(page.locator('li.diff-count.fixed')).toHaveAttribute('data-count', '0');
  await expect(page.locator('li.diff-count.durations')).toHaveAttribute('data-count', '1');
  const fresh = page.locator('section.new-failures tr.diff-test');
  await expect(fresh).toHaveCount(1);
  await expect(fresh.locator('a.test-link')).toHaveText('sum');
  await expect(fresh.locator('.failure-mark.new')).toBeVisible();
  const still = page.locator('section.still-failing tr.diff-test');
  await expect(still.locator('.failure-mark.known')).toContainText(`failing since ${prefix}-1`);
  await expect(page.locator('section.durations tr.diff-test a.test-link')).toHaveText('slow');
  await expect(page.locator('section.durations tr.diff-test td.num')).toHaveText('+3.00 s');
}

test('a regression is new, a known failure says since when, and the runs compare', async ({ page, request }) => {
  const { run, job } = await twoRuns(request, 'js', 'main');
  const watch = watchConsole(page);
  await page.goto(`/projects/analytics/runs/${run}/jobs/${job}`);
  await hydrated(page);
  await checkJobPage(page);

  // From the job: its previous run's job.
  await page.locator('a.compare-previous-job').click();
  await expect(page).toHaveURL(/\/compare\/tests\?base=\d+&head=\d+/);
  await checkComparison(page, 'js');
  // Each listed test links to its result.
  await page.locator('section.new-failures a.test-link').click();
  await expect(page.locator('h1')).toContainText('sum');

  // From the run: the previous run on the branch, then any two picked.
  await page.goto(`/projects/analytics/runs/${run}`);
  await hydrated(page);
  await page.locator('a.compare-previous-run').click();
  await expect(page).toHaveURL(/base_run=\d+&head_run=\d+/);
  await checkComparison(page, 'js');
  await page.locator('form.pick-runs select[name=base_run]').selectOption({ label: 'js-2 (main)' });
  await page.locator('form.pick-runs button').click();
  await expect(page.locator('li.diff-count.new-failures')).toHaveAttribute('data-count', '0');
  await expect(page.locator('li.diff-count.still-failing')).toHaveAttribute('data-count', '2');
  watch.check();
});

test('a test that flips between pass and fail is flaky, with its evidence, on the flaky-tests page and the job page', async ({ page, request }) => {
  const outcomes: ('pass' | 'jest')[] = ['jest', 'pass', 'jest', 'pass'];
  for (const [i, o] of outcomes.entries()) {
    await upload(request, {
      project: 'analytics', run: `flaky-${i}`, branch: 'main', job: 'flaky-job',
      files: [report([['wobbly', o, 0.01], ['solid', 'pass', 0.01]])],
    });
  }
  const watch = watchConsole(page);
  await page.goto('/projects/analytics');
  await hydrated(page);
  await page.locator('a.flaky-link').click();
  await expect(page.locator('h1')).toHaveText('Flaky tests');
  const row = page.locator('tr.flaky-test[data-name="wobbly"]');
  await expect(row).toHaveAttribute('data-rule', 'flips');
  await expect(row.locator('td.rule')).toContainText('flipped between pass and fail');
  await expect(row.locator('.trend span')).toHaveCount(4);
  await expect(row.locator('.trend span.t-f')).toHaveCount(2);
  await expect(row.locator('td.rate')).toHaveText('50%');
  await expect(row.locator('a.last-run')).toHaveText('flaky-3');
  await expect(page.locator('tr.flaky-test[data-name="solid"]')).toHaveCount(0);
  // Filters are a GET form.
  await page.locator('form.flaky-filters select[name=rule]').selectOption('retries');
  await page.locator('form.flaky-filters button').click();
  await expect(page).toHaveURL(/rule=retries/);
  await expect(page.locator('tr.flaky-test[data-name="wobbly"]')).toHaveCount(0);
  // The evidence links to the result; the job page marks the test flaky.
  await page.goto('/projects/analytics/flaky-tests');
  await hydrated(page);
  await page.locator('tr.flaky-test[data-name="wobbly"] a.test-link').click();
  await expect(page.locator('h1')).toContainText('wobbly');
  const run = await (await request.get('/api/v1/projects/analytics/runs/flaky-3')).json();
  await page.goto(`/projects/analytics/runs/${run.run.id}/jobs/${run.jobs[0].id}`);
  await hydrated(page);
  await expect(page.locator('table.results tr', { hasText: 'wobbly' }).locator('.flaky-mark')).toHaveText('flaky');
  await expect(page.locator('table.results tr', { hasText: 'solid' }).locator('.flaky-mark')).toHaveCount(0);
  watch.check();
});

/** A completed job in which `name` fails (jest) and `fine` passes; its page's URL. */
async function failingJob(request: APIRequestContext, run: string, job: string, name: string) {
  await upload(request, {
    project: 'analytics', run, branch: 'main', job,
    files: [report([[name, 'jest', 0.01], ['fine', 'pass', 0.01]])],
  });
  const done = await request.patch(`/api/v1/projects/analytics/runs/${run}/jobs/${job}`, {
    headers: { Authorization: `Bearer ${token('analytics')}` },
    data: { state: 'completed' },
  });
  expect(done.ok(), await done.text()).toBeTruthy();
  const detail = await (await request.get(`/api/v1/projects/analytics/runs/${run}`)).json();
  return `/projects/analytics/runs/${detail.run.id}/jobs/${detail.jobs[0].id}`;
}

async function quarantineFromTestPage(page: Page, jobUrl: string, name: string, reason: string) {
  await page.goto(jobUrl);
  await expect(page.locator('h1 .badge')).toHaveAttribute('data-status', 'failure');
  await page.locator('table.results a.test-link', { hasText: name }).click();
  await expect(page.locator('h1')).toContainText(name);
  // The result page links to the quarantine page's form, the test named.
  const testUrl = page.url();
  await page.locator('a.quarantine-test-link').click();
  await expect(page.locator('section.new-quarantine h2')).toHaveText(`Quarantine suite.${name}`);
  await page.locator('section.new-quarantine input[name=reason]').fill(reason);
  await page.locator('section.new-quarantine select[name=expires_in_days]').selectOption('30');
  await page.locator('button.quarantine-test').click();
  await expect(page.locator(`tr.quarantine-row[data-test="suite.${name}"] td.reason`)).toHaveText(reason);
  await expect(page.locator('section.new-quarantine')).toHaveCount(0);
  // The result page says so.
  await page.goto(testUrl);
  await expect(page.locator('section.quarantine.active .reason')).toHaveText(reason);
  await expect(page.locator('p.quarantined-failure')).toBeVisible();
  // The job is green; the failure is still listed, marked, and counted apart.
  await page.goto(jobUrl);
  await expect(page.locator('h1 .badge')).toHaveAttribute('data-status', 'success');
  const row = page.locator('table.results tr', { hasText: name });
  await expect(row.locator('.quarantine-mark')).toHaveText('quarantined');
  await expect(row.locator('pre.failure-summary')).toContainText('Expected: 3');
  await expect(page.locator('.figures [data-count=quarantined]').first()).toHaveText('1 failed (quarantined)');
}

async function liftFromList(page: Page, name: string) {
  await page.goto('/projects/analytics/quarantine');
  const row = page.locator(`tr.quarantine-row[data-test="suite.${name}"]`);
  await expect(row.locator('td.state')).toContainText('active');
  await row.locator('button.lift-quarantine').click();
  await expect(page.locator(`tr.quarantine-row[data-test="suite.${name}"]`)).toHaveCount(0);
  await page.goto('/projects/analytics/quarantine?state=all');
  await expect(page.locator(`tr.quarantine-row[data-test="suite.${name}"] td.state`)).toContainText('lifted by e2e-admin');
}

test('a member quarantines a failing test: its job turns green, CI reads it, and it can be lifted', async ({ page, request }) => {
  const jobUrl = await failingJob(request, 'quar-1', 'quar-job', 'shaky');
  await signIn(page, ADMIN);
  const watch = watchConsole(page);
  await quarantineFromTestPage(page, jobUrl, 'shaky', 'flaky on CI, bug #7');
  await hydrated(page);
  // CI reads the list.
  const list = await (await request.get('/api/v1/projects/analytics/quarantine')).json();
  expect(list.tests.map((t: { test: string }) => t.test)).toContain('suite.shaky');
  // The project's quarantine page, from its runs page.
  await page.goto('/projects/analytics');
  await hydrated(page);
  await page.locator('a.quarantine-link').click();
  await expect(page.locator('h1')).toHaveText('Quarantined tests');
  await expect(page.locator('tr.quarantine-row[data-test="suite.shaky"] td.reason')).toHaveText('flaky on CI, bug #7');
  await expect(page.locator('tr.quarantine-row[data-test="suite.shaky"] td.state')).toContainText('active');
  await hydrated(page);
  await liftFromList(page, 'shaky');
  // Lifted: the next failure counts again.
  const next = await failingJob(request, 'quar-2', 'quar-job', 'shaky');
  await page.goto(next);
  await expect(page.locator('h1 .badge')).toHaveAttribute('data-status', 'failure');
  watch.check();
});

/** A job where `names` fail with one jest assertion (other values each) and `odd` fails otherwise. */
function clusterReport(tag: string, names: string[]): string {
  const body = names
    .map((name, i) => {
      const failure = `Error: expect(received).toBe(expected) in ${tag}\n\nExpected: ${i + 10}\nReceived: ${i}\n    at expectSum (src/helpers.js:${i + 4}:17)\n    at Object.&lt;anonymous&gt; (src/calc.test.js:${i + 20}:3)`;
      return `<testcase classname="suite" name="${name}" time="0.01"><failure>${failure}</failure></testcase>`;
    })
    .join('');
  const odd = `<testcase classname="suite" name="odd" time="0.01"><failure>TypeError: cannot read properties of undefined in ${tag}</failure></testcase>`;
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'assay-clusters-')), 'report.xml');
  fs.writeFileSync(file, `<testsuites><testsuite name="unit">${body}${odd}</testsuite></testsuites>`);
  return file;
}

async function clusterJob(request: APIRequestContext, run: string, names: string[]) {
  await upload(request, { project: 'analytics', run, branch: 'main', job: 'cluster-job', files: [clusterReport(run, names)] });
  const detail = await (await request.get(`/api/v1/projects/analytics/runs/${run}`)).json();
  return `/projects/analytics/runs/${detail.run.id}/jobs/${detail.jobs[0].id}`;
}

async function checkClusterAndName(page: Page, jobUrl: string, members: string[], name: string) {
  await page.goto(jobUrl);
  const groups = page.locator('section.failure-clusters li.job-cluster');
  await expect(groups).toHaveCount(2);
  // The biggest cluster first, with the job's tests in it.
  await expect(groups.nth(0).locator('ul.cluster-members a.test-link')).toHaveText(members);
  await expect(groups.nth(0).locator('.cluster-reach')).toContainText(`in ${members.length} tests across`);
  await expect(groups.nth(1).locator('ul.cluster-members a.test-link')).toHaveText(['odd']);
  await groups.nth(0).locator('a.cluster-link').click();
  await expect(page.locator('h1.cluster-title')).toContainText('Failure cluster #');
  await expect(page.locator('pre.cluster-pattern')).toContainText('Expected: <n>');
  await expect(page.locator('table.cluster-tests tr.cluster-test a.test-link')).toHaveCount(members.length);
  await page.locator('.name-cluster input[name=name]').fill(name);
  await page.locator('.name-cluster input[name=link]').fill('https://bugs.example.com/42');
  await page.locator('.name-cluster button').click();
  await expect(page.locator('h1.cluster-title')).toHaveText(name);
  // Named: every matching failure on the job page says so.
  await page.goto(jobUrl);
  for (const m of members) {
    await expect(page.locator('table.results tr', { hasText: m }).locator('.cluster-mark a.cluster-link')).toHaveText(name);
  }
  await expect(page.locator('table.results tr', { hasText: 'odd' }).locator('.cluster-mark a.cluster-link')).toContainText('cluster #');
}

test('failures that differ only in values form one cluster, grouped on the job page and named on its own', async ({ page, request }) => {
  const jobUrl = await clusterJob(request, 'clusters-1', ['adds', 'subtracts']);
  await signIn(page, ADMIN);
  const watch = watchConsole(page);
  await checkClusterAndName(page, jobUrl, ['adds', 'subtracts'], 'toBe off by ten');
  await hydrated(page);
  // The project's list, from its runs page.
  await page.goto('/projects/analytics');
  await hydrated(page);
  await page.locator('a.clusters-link').click();
  await expect(page.locator('h1')).toHaveText('Failure clusters');
  await expect(page.locator('tr.cluster-row a.cluster-link', { hasText: 'toBe off by ten' })).toBeVisible();
  watch.check();
});

test('a job lists its slowest tests and those that got slower, each with a duration chart', async ({ page, request }) => {
  for (const [i, t] of [1, 1, 1, 3, 3, 3].entries()) {
    await upload(request, {
      project: 'analytics', run: `slow-${i}`, branch: 'main', job: 'slow-job',
      files: [report([['creeps', 'pass', t], ['steady', 'pass', 0.5]])],
    });
  }
  const detail = await (await request.get('/api/v1/projects/analytics/runs/slow-5')).json();
  const watch = watchConsole(page);
  await page.goto(`/projects/analytics/runs/${detail.run.id}/jobs/${detail.jobs[0].id}`);
  await hydrated(page);
  await page.locator('a.durations-link').click();
  await expect(page.locator('h1')).toHaveText('Durations of slow-job');
  await expect(page.locator('table.slowest tr.duration-test a.test-link')).toHaveText(['creeps', 'steady']);
  // Five recent jobs against the one before, then three against three.
  await expect(page.locator('table.slower tr.duration-test a.test-link')).toHaveText(['creeps']);
  await page.locator('a', { hasText: /^3$/ }).click();
  await expect(page).toHaveURL(/window=3/);
  await expect(page.locator('table.slower tr.duration-test a.test-link')).toHaveText(['creeps']);
  await expect(page.locator('table.slower td.change')).toHaveText('+200%');
  await page.locator('table.slower a.duration-chart-link').click();
  await expect(page.locator('h1')).toHaveText('Duration of creeps');
  await expect(page.locator('.duration-chart svg')).toBeVisible();
  watch.check();
});

async function setFlakyRules(page: Page, fields: Record<string, string>) {
  await page.goto('/projects/graph/settings');
  const form = page.locator('.flaky-rules form');
  await expect(form.locator('input[name=window]')).toHaveValue(/\d+/);
  for (const [name, value] of Object.entries(fields)) await form.locator(`input[name=${name}]`).fill(value);
  await form.locator('button').click();
}

test('project admins set the flaky-test rules in the settings page, and bad values are named', async ({ page, request }) => {
  await signIn(page, ADMIN);
  const watch = watchConsole(page);
  await page.goto('/projects/graph/settings');
  await hydrated(page);
  await setFlakyRules(page, { branches: 'main, release', recovery_runs: '7' });
  await expect(page.locator('p.saved', { hasText: 'Saved.' })).toBeVisible();
  const rules = await (await request.get('/api/v1/projects/graph/flaky-rules')).json();
  expect(rules.recovery_runs).toBe(7);
  expect(rules.branches).toEqual(['main', 'release']);
  await setFlakyRules(page, { min_flips: 'three' });
  await expect(page.locator('p.form-error')).toContainText('min_flips');
  watch.check();
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('the job page marks and the comparison render on the server', async ({ page, request }) => {
    const { run, job } = await twoRuns(request, 'nojs', 'nojs');
    await page.goto(`/projects/analytics/runs/${run}/jobs/${job}`);
    await checkJobPage(page);
    await page.locator('a.compare-previous-job').click();
    await checkComparison(page, 'nojs');
    await page.goto(`/projects/analytics/runs/${run}`);
    await page.locator('a.compare-previous-run').click();
    await checkComparison(page, 'nojs');
    await page.locator('form.pick-runs select[name=base_run]').selectOption({ label: 'nojs-2 (nojs)' });
    await page.locator('form.pick-runs button').click();
    await expect(page.locator('li.diff-count.still-failing')).toHaveAttribute('data-count', '2');
    await page.goto('/projects/analytics/flaky-tests?state=all&sort=name');
    await expect(page.locator('h1')).toHaveText('Flaky tests');
    await expect(page.locator('form.flaky-filters select[name=state]')).toHaveValue('all');
  });

  test('quarantining and lifting are plain form posts', async ({ page, request }) => {
    const jobUrl = await failingJob(request, 'quar-nojs', 'quar-nojs-job', 'wonky');
    await page.goto('/login');
    await page.getByLabel('Username').fill(ADMIN.user);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('header .who')).toHaveText(ADMIN.user);
    await quarantineFromTestPage(page, jobUrl, 'wonky', 'timing-dependent');
    await liftFromList(page, 'wonky');
    // The flaky-test rules form is a plain post too.
    await setFlakyRules(page, { window: '12', min_flips: '4' });
    await expect(page.locator('.flaky-rules input[name=window]')).toHaveValue('12');
    const rules = await (await request.get('/api/v1/projects/graph/flaky-rules')).json();
    expect(rules.min_flips).toBe(4);
    // Clusters too: the grouping renders on the server, naming is a form post.
    const clusters = await clusterJob(request, 'clusters-nojs', ['multiplies', 'divides']);
    await checkClusterAndName(page, clusters, ['multiplies', 'divides'], 'nojs cluster');
  });
});
