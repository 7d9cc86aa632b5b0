import { expect, test, type APIRequestContext } from '@playwright/test';
import { ADMIN, hydrated, signIn, token, watchConsole } from './helpers';

// Two runs of a benchmark job on main: the second parses JSON 20% slower
// and XML 20% faster, CSV the same. Compare them from the job page, see the
// regression highlighted (colour and symbol) and charted, filter and sort,
// open a series' graph from its row; and the same comparison with
// JavaScript off.

const quiet = [10.0, 10.2, 9.9, 10.1, 10.0, 9.8];
const doc = (tests: [string, number[]][]) => ({
  format: 'assay-perf/1',
  tests: tests.map(([name, samples]) => ({ name, group: 'parse', metrics: [{ name: 'time', unit: 'ms', samples }] })),
});

async function perfJob(request: APIRequestContext, run: string, job: string, platform: string, body: object) {
  const auth = { Authorization: `Bearer ${token('perf')}` };
  const r = await request.post('/api/v1/projects/perf/runs', { headers: auth, data: { name: run, branch: 'main', revision: `rev-${run}` } });
  expect(r.ok(), await r.text()).toBeTruthy();
  const j = await request.post(`/api/v1/projects/perf/runs/${run}/jobs`, { headers: auth, data: { key: job, platform } });
  expect(j.ok(), await j.text()).toBeTruthy();
  const res = await request.post(`/api/v1/projects/perf/runs/${run}/jobs/${job}/perf-results`, {
    headers: { ...auth, 'Content-Type': 'application/json' },
    data: JSON.stringify(body),
  });
  expect(res.ok(), await res.text()).toBeTruthy();
  return (await (await request.get(`/api/v1/projects/perf/runs/${run}/jobs/${job}`)).json()) as { run: { id: number }; job: { id: number } };
}

let base: { run: { id: number }; job: { id: number } };
let next: { run: { id: number }; job: { id: number } };

test.beforeAll(async ({ request }) => {
  base = await perfJob(request, 'p1', 'bench', 'linux-x64', doc([['json', quiet], ['xml', quiet], ['csv', quiet]]));
  next = await perfJob(request, 'p2', 'bench', 'linux-x64', doc([
    ['json', quiet.map((v) => v * 1.2)],
    ['xml', quiet.map((v) => v * 0.8)],
    ['csv', [10.1, 9.9, 10.0, 10.2, 9.8, 10.0]],
  ]));
  await perfJob(request, 'p2', 'bench-arm', 'arm64', doc([['json', quiet], ['xml', quiet], ['csv', quiet]]));
});

test('compare with the previous run, see the regression and its chart, open the series graph', async ({ page }) => {
  const console = watchConsole(page);
  await page.goto(`/projects/perf/runs/${next.run.id}/jobs/${next.job.id}`);
  await hydrated(page);
  await expect(page.locator('section.performance')).toContainText('3 tests, 3 metrics');
  await page.getByRole('link', { name: 'Compare with the previous run on this branch' }).click();
  await expect(page).toHaveURL(new RegExp(`/compare\\?jobs=${base.job.id}(,|%2C)${next.job.id}`));
  const rows = page.locator('table.compare tbody tr');
  await expect(rows).toHaveCount(3);
  const json = page.locator('tr[data-test="json"]');
  await expect(json).toHaveClass(/regression/);
  await expect(json.locator('td.verdict')).toHaveText('▼ regression');
  await expect(json.locator('td.cell').nth(1)).toContainText('+20.0%');
  await expect(page.locator('tr[data-test="xml"] td.verdict')).toHaveText('▲ improvement');
  await expect(page.locator('tr[data-test="csv"] td.verdict')).toHaveText('= no significant change');
  await expect(page.locator('.compare-summary')).toContainText('1 regressions');

  // The chart: bars with intervals; hovering a bar shows its exact figures.
  const chart = page.locator('figure.compare-chart').first();
  await expect(chart.locator('rect.mark')).toHaveCount(6);
  await chart.locator('rect.mark').nth(1).hover();
  await expect(chart.locator('.chart-tip')).toContainText('json · p2 · bench: 12 ms');
  await chart.getByRole('button', { name: 'Zoom to the values' }).click();
  await expect(chart.getByRole('button', { name: 'Show from zero' })).toBeVisible();

  // Filter and sort, as links and a form.
  await page.getByLabel('Show').selectOption('regressions');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/only=regressions/);
  await expect(rows).toHaveCount(1);
  await page.getByLabel('Show').selectOption('');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(rows).toHaveCount(3);
  await page.getByRole('link', { name: 'Change', exact: true }).click();
  await expect(page).toHaveURL(/sort=change/);
  await expect(rows.last()).toHaveAttribute('data-test', 'csv');

  // One click from a row to its series' graph.
  await json.getByRole('link', { name: 'json' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('json · time');
  await expect(page.locator('table.points tbody tr')).toHaveCount(2);
  const graph = page.locator('figure.series-graph svg');
  await expect(graph.locator('polyline')).toHaveCount(1);
  const box = (await graph.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.95, box.y + box.height * 0.5);
  await expect(page.locator('figure.series-graph .chart-tip')).toContainText('json · p2 · bench: 12 ms');
  console.check();
});

test('pick jobs on a run page and compare them', async ({ page }) => {
  await page.goto(`/projects/perf/runs/${next.run.id}`);
  await hydrated(page);
  await page.getByLabel('compare bench', { exact: true }).check();
  await page.getByLabel('compare bench-arm').check();
  await page.getByRole('button', { name: 'Compare selected jobs' }).click();
  await expect(page).toHaveURL(/\/compare\?job=/);
  await expect(page.locator('table.compare thead th.job-col')).toHaveCount(2);
  // arm64's JSON is 20% faster than linux's slow one.
  await expect(page.locator('tr[data-test="json"] td.verdict')).toHaveText('▲ improvement');
});

test('a level shift alerts once; triage it and see it on the graph', async ({ page, request }) => {
  // Nightly runs: startup time steps up by 25% at q12.
  for (let i = 0; i < 24; i++) {
    const level = (i >= 12 ? 125 : 100) * (1 + 0.005 * Math.sin(i * 1.7));
    const samples = [0, 1, 2, 3, 4].map((k) => level * (1 + 0.002 * Math.cos(i + k)));
    const name = `q${String(i).padStart(2, '0')}`;
    await perfJob(request, name, 'nightly', 'linux-x64', doc([['startup', samples]]));
  }
  // The server's detector runs every second.
  await expect
    .poll(async () => (await (await request.get('/api/v1/projects/perf/alerts')).json()).alerts.length, { timeout: 15_000 })
    .toBe(1);
  const console = watchConsole(page);
  await signIn(page, ADMIN);
  await page.goto('/projects/perf/alerts');
  await hydrated(page);
  const row = page.locator('tr[data-test="startup"]');
  await expect(row).toHaveCount(1);
  // 25% by construction; the estimate is refined as runs arrive.
  await expect(row.locator('td.magnitude')).toContainText(/▼ \+2[45]\.\d%/);
  await expect(row).toContainText('q11 → q12');
  await expect(page.locator('.precision')).toContainText('No alert triaged yet');
  await row.getByLabel(/status of alert/).selectOption('acknowledged');
  await row.getByLabel(/note on alert/).fill('bisecting q12');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('tr[data-test="startup"] td.status')).toContainText('acknowledged');
  await expect(page.locator('tr[data-test="startup"] td.status')).toContainText('by e2e-admin');
  await expect(page.locator('tr[data-test="startup"] .note')).toHaveText('bisecting q12');
  await expect(page.locator('.precision')).toContainText('100% (1 real, 0 invalid)');
  // Its summary: the alerts found at that run.
  await page.locator('tr[data-test="startup"] a.summary-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Alert summary');
  await expect(page.locator('.summary-head')).toContainText('1 regressions, 0 improvements');
  await expect(page.locator('.summary-head a.summary-run')).toHaveText('q12');
  await expect(page.locator('tr[data-test="startup"]')).toHaveCount(1);
  // On the series' graph: the alert's mark at q12.
  await page.locator('tr[data-test="startup"] a.series-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('startup · time');
  await expect(page.locator('figure.series-graph svg .axis-mark.regression')).toHaveCount(1);
  await expect(page.locator('.graph-alerts')).toContainText('regression at q12');
  await expect(page.locator('.graph-alerts')).toContainText('acknowledged');
  // Dragging across the graph zooms to that range.
  const graph = page.locator('figure.series-graph svg');
  const box = (await graph.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.4);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.4, { steps: 5 });
  await page.mouse.up();
  await expect(page).toHaveURL(/from=\d+&to=\d+/);
  await expect(page.locator('.zoom-links')).toContainText('all runs');
  // An annotation added on the graph shows on it, for every graph of the
  // project, until removed.
  await page.locator('.zoom-links').getByRole('link', { name: 'all runs' }).click();
  await expect(page).not.toHaveURL(/from=/);
  const seriesId = new URL(page.url()).searchParams.get('ids');
  const points = (await (await request.get(`/api/v1/series/${seriesId}/points`)).json()).points as { created_at: string }[];
  await page.getByLabel("Annotate the project's graphs").fill('new machine image');
  await page.getByLabel('at (UTC)').fill(points[0].created_at.slice(0, 16));
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(page.locator('ul.graph-annotations')).toContainText('new machine image');
  await expect(page.locator('ul.graph-annotations')).toContainText('by e2e-admin');
  await expect(page.locator('figure.series-graph svg .axis-mark.annotation')).toHaveCount(1);
  await expect(page.locator('figure.series-graph svg .axis-mark.annotation title')).toContainText('new machine image');
  await page.getByRole('button', { name: 'remove annotation new machine image' }).click();
  await expect(page.locator('ul.graph-annotations')).toHaveCount(0);
  await expect(page.locator('figure.series-graph svg .axis-mark.annotation')).toHaveCount(0);
  console.check();
});

test('PerfTracker jobs: grouped by their regression tag, compared, their log on the job page', async ({ page, request }) => {
  // As perftrackerlib posts them: the job JSON as the body, HTTP Basic.
  const auth = { Authorization: `Basic ${Buffer.from(`perf:${token('perf')}`).toString('base64')}` };
  const projects = (await (await request.get('/perftracker/api/v1.0/0/project/', { headers: auth })).json()) as { id: number; name: string }[];
  const pid = projects.find((p) => p.name === 'perf')!.id;
  const uuids = ['4a9c1e5e-d0a1-11ee-8000-0000000000a1', '4a9c1e5e-d0a1-11ee-8000-0000000000a2'];
  const urls: string[] = [];
  for (const [i, score] of [500, 400].entries()) {
    const body = {
      job_title: 'disk tests', project_name: 'perf', uuid: uuids[i], regression_tag: 'kvm rc1', product_ver: `2.6.3${i}`,
      begin: `2026-12-0${i + 1}T10:00:00+00:00`, end: `2026-12-0${i + 1}T10:30:00+00:00`,
      env_nodes: [{ name: 'host1', uuid: '54ed6714-edf7-11f1-b143-02fc00000001' }],
      tests: [{ tag: 'seq read', group: 'disk', metrics: 'MB/s', scores: [score, score + 2, score - 2, score + 1] }],
    };
    const r = await request.post(`/perftracker/api/v1.0/${pid}/job/`, { headers: auth, data: JSON.stringify(body) });
    expect(r.ok(), await r.text()).toBeTruthy();
    urls.push((await r.json()).url);
  }
  // The suite's log, as --pt-log-upload sends it, linked to the second job.
  const log = await request.post('/perftracker/api/v1.0/0/artifact/aaaaaaaa-0000-11ee-8000-0000000000a3', {
    headers: auth,
    multipart: {
      file: { name: 'file', mimeType: 'application/octet-stream', buffer: Buffer.from('iteration 1: 400 MB/s\n') },
      filename: 'stdout.txt', inline: 'True', linked_uuids: JSON.stringify([uuids[1]]),
    },
  });
  expect(log.ok(), await log.text()).toBeTruthy();

  const console = watchConsole(page);
  await page.goto('/projects/perf');
  await hydrated(page);
  await page.getByRole('link', { name: 'Regressions' }).click();
  const row = page.locator('tr[data-tag="kvm rc1"]');
  await expect(row.locator('td').nth(1)).toHaveText('2');
  await expect(row).toContainText('1 day 00:00');
  await row.getByRole('link', { name: 'kvm rc1' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Regression kvm rc1');
  await expect(page.locator('.jobs-total')).toHaveText('2');
  await expect(page.locator('table.regression-jobs tbody tr')).toHaveCount(2);
  await expect(page.locator('table.regression-jobs tbody tr').first()).toContainText('2.6.30');
  await page.getByRole('link', { name: 'Compare all these jobs' }).click();
  await expect(page).toHaveURL(/\/compare\?jobs=\d+,\d+/);
  // Higher is better: 500 → 400 MB/s is a regression.
  await expect(page.locator('tr[data-test="seq read"] td.verdict')).toHaveText('▼ regression');
  await page.goto(urls[1]);
  await hydrated(page);
  const section = page.locator('section.linked-artifacts');
  await expect(section).toContainText('stdout.txt');
  const download = await request.get(await section.getByRole('link', { name: 'stdout.txt' }).getAttribute('href') as string);
  expect(await download.text()).toBe('iteration 1: 400 MB/s\n');
  console.check();
});

test("detection settings: the project's on its settings page, a series' own on its graph", async ({ page, request }) => {
  const console = watchConsole(page);
  await signIn(page, ADMIN);
  await page.goto('/projects/perf/settings');
  await hydrated(page);
  const form = page.locator('form.detection');
  await form.getByLabel('Alpha').fill('0.0005');
  await form.getByLabel('Minimum change (%)').fill('3');
  await form.getByRole('button', { name: 'Save detection settings' }).click();
  await expect(page.getByText("Saved: the project's series are analysed again.")).toBeVisible();
  await expect(page.getByText('This project sets its own.')).toBeVisible();
  await form.getByLabel('Alpha').fill('2');
  await form.getByRole('button', { name: 'Save detection settings' }).click();
  await expect(page.getByText('alpha must be above 0 and at most 0.5')).toBeVisible();
  const series = (await (await request.get('/api/v1/projects/perf/series?test=csv')).json()) as { id: number }[];
  await page.goto(`/series?ids=${series[0].id}`);
  await hydrated(page);
  await expect(page.locator('.detection-effective')).toHaveText("Alerts on changes of at least 3% at alpha 0.0005 (the project's settings).");
  await page.locator('form.detection').getByLabel('Minimum change (%)').fill('10');
  await page.getByRole('button', { name: 'Save for this series' }).click();
  await expect(page.locator('.detection-effective')).toHaveText("Alerts on changes of at least 10% at alpha 0.0005 (this series' own).");
  console.check();
});

test.describe('with JavaScript off', () => {
  test.use({ javaScriptEnabled: false });

  test('the comparison, its filter, chart and export', async ({ page }) => {
    await page.goto(`/compare?jobs=${base.job.id},${next.job.id}`);
    await expect(page.locator('table.compare tbody tr')).toHaveCount(3);
    await expect(page.locator('tr[data-test="json"] td.verdict')).toHaveText('▼ regression');
    // Drawn by the server, every mark titled with its figures.
    await expect(page.locator('figure.compare-chart svg rect.mark')).toHaveCount(6);
    await expect(page.locator('figure.compare-chart svg rect.mark title').nth(1)).toHaveText(/json · p2 · bench: 12 ms/);
    await page.getByLabel('Name').fill('xml');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page.locator('table.compare tbody tr')).toHaveCount(1);
    const csv = await page.request.get(`/api/v1/compare?jobs=${base.job.id},${next.job.id}&format=csv`);
    expect(csv.headers()['content-type']).toContain('text/csv');
    expect((await csv.text()).split('\n').filter((l) => l.includes(',json,')).length).toBe(2);
    await page.locator('tr[data-test="xml"] a.series-link').click();
    await expect(page.locator('figure.series-graph svg circle.mark title').first()).toContainText('xml · p1 · bench');
    await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  });
});
