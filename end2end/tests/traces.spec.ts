import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ADMIN, hydrated, signIn, token, watchConsole } from './helpers';

// Rendering traces in the browser: the pixel diff in WASM gives pixelmatch
// 7.2's counts on every case of its suite; a reviewer uploads a mismatching
// trace, opens it from the job, switches views, moves the threshold, turns
// anti-aliasing detection off, draws an ignore region, saves it, accepts
// the actual image as the reference and sees the status change; several
// traces are accepted at once from the job's traces; and the pages work
// with JavaScript off.

const fixtures = path.resolve(__dirname, '../../../shared/corpus/pixel-diff/pixelmatch/v7.2.0');
type Case = { img1: string; img2: string; options: { threshold?: number | null; includeAA?: boolean }; expected_mismatch: number };
const cases: Case[] = JSON.parse(fs.readFileSync(path.join(fixtures, 'EXPECTED.json'), 'utf8')).cases;

const auth = () => ({ Authorization: `Bearer ${token('traces')}` });
const api = '/api/v1/projects/traces';

type Result = { id: number; trace_id: number; name: string; status: string; run_id: number; job_id: number };

/** A job whose traces compare img1 (expected) with img2 (actual), uploaded as Assay's trace JSON. */
async function traceJob(request: APIRequestContext, run: string, job: string, pairs: [string, string, string][]) {
  const r = await request.post(`${api}/runs`, { headers: auth(), data: { name: run, branch: 'main', revision: `rev-${run}` } });
  expect(r.ok(), await r.text()).toBeTruthy();
  const j = await request.post(`${api}/runs/${run}/jobs`, { headers: auth(), data: { key: job, platform: 'linux-x64' } });
  expect(j.ok(), await j.text()).toBeTruthy();
  const doc = {
    device: 'gl-test-device',
    traces: pairs.map(([name, img1, img2]) => ({ name, expected_image: path.basename(img1), actual_image: path.basename(img2) })),
  };
  const multipart: Record<string, { name: string; mimeType: string; buffer: Buffer }> = {
    results: { name: 'results.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) },
  };
  for (const img of new Set(pairs.flatMap(([, a, b]) => [a, b]))) {
    multipart[path.basename(img)] = { name: path.basename(img), mimeType: 'image/png', buffer: fs.readFileSync(path.join(fixtures, img)) };
  }
  const res = await request.post(`${api}/runs/${run}/jobs/${job}/traces`, { headers: auth(), multipart });
  expect(res.ok(), await res.text()).toBeTruthy();
  const list = await (await request.get(`${api}/runs/${run}/jobs/${job}/traces`)).json();
  return list.results as Result[];
}

async function differing(page: Page) {
  const count = page.locator('p.diff-count[data-differing]');
  await expect(count).toBeVisible();
  return Number(await count.getAttribute('data-differing'));
}

test('the WASM pixel diff gives pixelmatch 7.2 counts on every case of its suite', async ({ page, request }) => {
  test.setTimeout(120_000);
  const pairs = new Map<string, [string, string, string]>();
  for (const c of cases) {
    const name = `pixelmatch/${path.basename(c.img1, '.png')}-${path.basename(c.img2, '.png')}`;
    pairs.set(name, [name, c.img1, c.img2]);
  }
  const results = await traceJob(request, 'suite', 'pixelmatch', [...pairs.values()]);
  const watch = watchConsole(page);
  for (const c of cases) {
    const name = `pixelmatch/${path.basename(c.img1, '.png')}-${path.basename(c.img2, '.png')}`;
    const r = results.find((x) => x.name === name)!;
    const threshold = c.options.threshold ?? 0.1;
    const aa = c.options.includeAA ? '&include_aa=on' : '';
    await page.goto(`/projects/traces/runs/${r.run_id}/jobs/${r.job_id}/traces?trace=${r.trace_id}&threshold=${threshold}${aa}`);
    await hydrated(page);
    expect(await differing(page), `${name} at threshold ${threshold}`).toBe(c.expected_mismatch);
    watch.check(name);
  }
});

test('review a mismatching trace: views, threshold, anti-aliasing, ignore regions, accept', async ({ page, request }) => {
  test.setTimeout(90_000);
  const [r] = await traceJob(request, 'review', 'render', [['scenes/shapes.trace', 'test/fixtures/1a.png', 'test/fixtures/1b.png']]);
  expect(r.status).toBe('mismatch');
  const before = await (await request.get(`${api}/runs/${r.run_id}/jobs/${r.job_id}`)).json();
  expect(before.job.effective_result).toBe('failure');
  const watch = watchConsole(page);
  await signIn(page, ADMIN);

  // From the job page to its traces, mismatches first, with thumbnails.
  await page.goto(`/projects/traces/runs/${r.run_id}/jobs/${r.job_id}`);
  await hydrated(page);
  await expect(page.locator('section.traces-summary')).toContainText('1 trace, 1 failing');
  await page.locator('a.review-traces').click();
  await expect(page.locator('h1')).toContainText('Rendering traces of');
  const row = page.locator('table.traces tr.trace', { hasText: 'scenes/shapes.trace' });
  await expect(row.locator('.badge')).toHaveAttribute('data-status', 'mismatch');
  await expect(row.locator('a.thumb img')).toHaveCount(2);
  expect(await row.locator('a.thumb img').first().evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth > 0)).toBe(true);
  await row.locator('a.trace-link').click();

  // The trace: 106 differing pixels at pixelmatch's default threshold.
  await expect(page.locator('h1')).toContainText('scenes/shapes.trace');
  await hydrated(page);
  expect(await differing(page)).toBe(106);
  const viewer = page.locator('.viewer');
  for (const mode of ['overlay', 'blink', 'diff', 'side']) {
    await viewer.locator(`button.mode[data-mode="${mode}"]`).click();
    await expect(viewer).toHaveAttribute('data-mode', mode);
  }
  await viewer.locator('button.mode[data-mode="diff"]').click();
  await expect(viewer.locator('canvas.diff-canvas')).toBeVisible();
  // The diff canvas holds the diff: red where pixels differ.
  const red = await viewer.locator('canvas.diff-canvas').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 255 && d[i + 1] === 0 && d[i + 2] === 0) n++;
    return n;
  });
  expect(red).toBe(106);

  // A lower threshold finds more; counting anti-aliased pixels finds more still.
  await viewer.locator('input[name="threshold"]').fill('0.05');
  await expect.poll(() => differing(page)).toBe(143);
  await viewer.locator('input[name="aa"]').uncheck();
  await expect.poll(() => differing(page)).toBeGreaterThan(143);
  await viewer.locator('input[name="aa"]').check();
  await expect.poll(() => differing(page)).toBe(143);

  // Zoom keeps the views in step.
  await viewer.getByRole('button', { name: 'zoom in' }).click();
  await expect(viewer.locator('.zoom-level')).toHaveText('200%');

  // The pixel inspector shows both images' pixels under the cursor.
  const stage = viewer.locator('.pane:visible .stage').first();
  await stage.scrollIntoViewIfNeeded();
  const box = (await stage.boundingBox())!;
  await page.mouse.move(box.x + 5, box.y + 5);
  await expect(viewer.locator('.inspector')).toContainText('expected rgba(');

  // Draw an ignore region over (nearly) the whole image: fewer left to count.
  await viewer.getByRole('button', { name: 'zoom out' }).click();
  await viewer.locator('button.draw').click();
  await stage.scrollIntoViewIfNeeded();
  const whole = (await stage.boundingBox())!;
  await page.mouse.move(whole.x + 2, whole.y + 2);
  await page.mouse.down();
  await page.mouse.move(whole.x + whole.width - 2, whole.y + whole.height - 2, { steps: 5 });
  await page.mouse.up();
  await expect(viewer.locator('.stage .ignore-region:visible')).toHaveCount(1);
  await expect(viewer.locator('textarea[name="regions"]')).toHaveValue(/^\d+ \d+ \d+ \d+\n$/);
  await expect.poll(() => differing(page)).toBeLessThan(143);
  // Typed instead: the whole image leaves nothing; its left half, some.
  await viewer.locator('textarea[name="regions"]').fill('0 0 512 256\n');
  await expect.poll(() => differing(page)).toBe(0);
  await viewer.locator('textarea[name="regions"]').fill('0 0 256 256\n');
  await expect.poll(() => differing(page)).toBeLessThan(143);
  expect(await differing(page)).toBeGreaterThan(0);
  await viewer.getByRole('button', { name: 'Save ignore regions' }).click();
  await expect(viewer.locator('p.saved')).toBeVisible();
  const saved = await (await request.get(`${api}/traces/${r.trace_id}`)).json();
  expect(saved.ignore_regions).toEqual([{ x: 0, y: 0, width: 256, height: 256 }]);

  // Accept the actual rendering as the reference.
  await page.locator('form.accept-reference input[name="note"]').fill('new anti-aliasing is right');
  await page.getByRole('button', { name: 'Accept actual as reference' }).click();
  await expect(page.locator('p.saved', { hasText: 'Accepted as the reference' })).toBeVisible();
  await expect(page.locator('table.trace-references')).toContainText('new anti-aliasing is right');
  await expect(page.locator('table.trace-references')).toContainText(ADMIN.user);
  await expect(page.locator('section.compared .badge')).toHaveAttribute('data-status', 'match');
  // The saved region came back with the page.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('textarea[name="regions"]')).toHaveValue('0 0 256 256\n');
  const job = await (await request.get(`${api}/runs/${r.run_id}/jobs/${r.job_id}`)).json();
  // The job (still open: nothing marked it finished) no longer fails.
  expect(job.job.trace_failed).toBe(0);
  expect(job.job.effective_result).not.toBe('failure');
  watch.check();
});

test('several traces accepted at once from the job', async ({ page, request }) => {
  const results = await traceJob(request, 'bulk', 'render', [
    ['bulk/one.trace', 'test/fixtures/3a.png', 'test/fixtures/3b.png'],
    ['bulk/two.trace', 'test/fixtures/6a.png', 'test/fixtures/6b.png'],
    ['bulk/same.trace', 'test/fixtures/6a.png', 'test/fixtures/6a.png'],
  ]);
  const watch = watchConsole(page);
  await signIn(page, ADMIN);
  const { run_id, job_id } = results[0];
  await page.goto(`/projects/traces/runs/${run_id}/jobs/${job_id}/traces`);
  await hydrated(page);
  const rows = page.locator('table.traces tr.trace');
  await expect(rows).toHaveCount(3);
  await expect(rows.first().locator('.badge')).toHaveAttribute('data-status', 'mismatch');
  await expect(rows.last().locator('.badge')).toHaveAttribute('data-status', 'match');
  // A match has nothing to accept.
  await expect(rows.last().locator('input[type="checkbox"]')).toHaveCount(0);
  // Filters: by status.
  await page.locator('select[name="status"]').selectOption('match');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(rows).toHaveCount(1);
  await page.goto(`/projects/traces/runs/${run_id}/jobs/${job_id}/traces`);
  await hydrated(page);
  await page.getByLabel('accept bulk/one.trace on gl-test-device').check();
  await page.getByLabel('accept bulk/two.trace on gl-test-device').check();
  await page.getByRole('button', { name: 'Accept the ticked renderings as references' }).click();
  await expect(page.locator('p.saved')).toHaveText('2 accepted as references');
  await expect(page.locator('table.traces .badge[data-status="match"]')).toHaveCount(3);
  // The traces YAML now holds the accepted checksums.
  const yml = await (await request.get(`${api}/traces.yml?device=gl-test-device`)).text();
  const accepted = await (await request.get(`${api}/runs/${run_id}/jobs/${job_id}/traces`)).json();
  for (const t of accepted.results as { name: string; actual_checksum: string }[]) {
    expect(yml).toContain(t.name);
    expect(yml).toContain(t.actual_checksum);
  }
  watch.check();
});

test('trace pages with JavaScript off: images side by side, regions and accepting as forms', async ({ browser, request }) => {
  const [r] = await traceJob(request, 'nojs', 'render', [['nojs/shapes.trace', 'test/fixtures/1a.png', 'test/fixtures/1b.png']]);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('Username').fill(ADMIN.user);
  await page.getByLabel('Password').fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('header .who')).toHaveText(ADMIN.user);

  await page.goto(`/projects/traces/runs/${r.run_id}/jobs/${r.job_id}/traces`);
  await expect(page.locator('table.traces tr.trace')).toHaveCount(1);
  await page.locator('a.trace-link').click();
  // Side by side, without the controls that need JavaScript.
  const side = page.locator('.viewer .side-by-side');
  await expect(side.locator('img')).toHaveCount(2);
  await expect(side).toBeVisible();
  await expect(page.locator('.viewer-controls')).toBeHidden();
  // Ignore regions typed and saved as a plain form.
  await page.locator('textarea[name="regions"]').fill('1 2 30 40');
  await page.getByRole('button', { name: 'Save ignore regions' }).click();
  await expect(page.locator('textarea[name="regions"]')).toHaveValue('1 2 30 40\n');
  // A bad line is refused, naming it.
  await page.locator('textarea[name="regions"]').fill('1 2 x 40');
  await page.getByRole('button', { name: 'Save ignore regions' }).click();
  await expect(page.locator('.form-error').first()).toContainText("'1 2 x 40' is not four whole numbers");
  const kept = await (await request.get(`${api}/traces/${r.trace_id}`)).json();
  expect(kept.ignore_regions).toEqual([{ x: 1, y: 2, width: 30, height: 40 }]);
  // Accepting as a plain form.
  await page.getByRole('button', { name: 'Accept actual as reference' }).click();
  await expect(page.locator('section.compared .badge')).toHaveAttribute('data-status', 'match');
  await context.close();
});
