import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hydrated, token, watchConsole } from './helpers';

// A series of 10,000 runs on one graph: it draws, and hovering across it
// keeps finding the nearest point. How long the browser's frames take
// while the pointer moves is measured and written to
// test-results/graph-10k.json for the README; it is never asserted.
//
// One run is uploaded through the API; 9,999 more are written straight
// into the SQLite file (after it, as copies of its rows), since 10,000
// uploads would take minutes.

const RUNS = 10_000;

test('a graph of 10,000 points draws and stays live to the pointer', async ({ page, request }) => {
  test.setTimeout(120_000);
  const auth = { Authorization: `Bearer ${token('graph')}` };
  expect((await request.post('/api/v1/projects/graph/runs', { headers: auth, data: { name: 'g-last' } })).ok()).toBeTruthy();
  expect((await request.post('/api/v1/projects/graph/runs/g-last/jobs', { headers: auth, data: { key: 'bench' } })).ok()).toBeTruthy();
  const doc = { format: 'assay-perf/1', tests: [{ name: 'render', metrics: [{ name: 'time', unit: 'ms', samples: [10, 10.2, 9.9, 10.1] }] }] };
  const up = await request.post('/api/v1/projects/graph/runs/g-last/jobs/bench/perf-results', {
    headers: { ...auth, 'Content-Type': 'application/json' },
    data: JSON.stringify(doc),
  });
  expect(up.ok(), await up.text()).toBeTruthy();
  const series = (await (await request.get('/api/v1/projects/graph/series?test=render')).json()) as { id: number }[];
  const id = series[0].id;

  const db = path.resolve(__dirname, '../.state/data/assay.db');
  const seed = `
import math, sqlite3, sys
db = sqlite3.connect(sys.argv[1], timeout=30)
(point_id, job_id, run_id) = db.execute("SELECT id, job_id, run_id FROM perf_points WHERE series_id = ?", (int(sys.argv[2]),)).fetchone()
run = db.execute("SELECT project_id, created_at FROM runs WHERE id = ?", (run_id,)).fetchone()
job = db.execute("SELECT key, created_at FROM jobs WHERE id = ?", (job_id,)).fetchone()
point = db.execute("SELECT series_id, test_id, created_at FROM perf_points WHERE id = ?", (point_id,)).fetchone()
with db:
    for i in range(int(sys.argv[3]) - 1):
        r = db.execute("INSERT INTO runs (project_id, name, status, created_at, updated_at) VALUES (?, ?, 'passed', ?, ?)",
                       (run[0], "g%05d" % i, run[1], run[1])).lastrowid
        j = db.execute("INSERT INTO jobs (run_id, project_id, key, name, state, created_at, updated_at) VALUES (?, ?, ?, ?, 'completed', ?, ?)",
                       (r, run[0], job[0], job[0], job[1], job[1])).lastrowid
        v = 10 + math.sin(i / 50) + (2 if i > 6000 else 0)
        db.execute("INSERT INTO perf_points (series_id, test_id, job_id, run_id, value, n, mean, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                   (point[0], point[1], j, r, v, v, point[2]))
    db.execute("UPDATE perf_series SET point_count = ? WHERE id = ?", (int(sys.argv[3]), point[0]))
`;
  execFileSync('python3', ['-c', seed, db, String(id), String(RUNS)], { stdio: 'inherit' });

  const console = watchConsole(page);
  await page.goto(`/series?ids=${id}`);
  await hydrated(page);
  await expect(page.locator('.zoom-links')).toContainText(`Runs 1–${RUNS} of ${RUNS}`);
  const graph = page.locator('figure.series-graph svg');
  const box = (await graph.boundingBox())!;
  // Frame times while the pointer sweeps the graph.
  await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; recording: boolean };
    w.frames_ = [];
    w.recording = true;
    let last = performance.now();
    const tick = (now: number) => {
      w.frames_.push(now - last);
      last = now;
      if (w.recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const tip = page.locator('figure.series-graph .chart-tip');
  const steps = 120;
  for (let i = 0; i <= steps; i++) {
    await page.mouse.move(box.x + 40 + ((box.width - 80) * i) / steps, box.y + box.height / 2);
  }
  const frames = await page.evaluate(() => {
    const w = window as unknown as { frames_: number[]; recording: boolean };
    w.recording = false;
    return w.frames_.slice(1);
  });
  // The pointer at the right end: the tooltip names the latest runs.
  await expect(tip).toContainText(/render · g09\d\d\d/);
  const sorted = [...frames].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const figures = { points: RUNS, frames: frames.length, medianMs: pick(0.5), p95Ms: pick(0.95), maxMs: sorted[sorted.length - 1] };
  console.check();
  const out = path.resolve(__dirname, '../test-results/graph-10k.json');
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(figures, null, 2));
  process.stdout.write(
    `graph of ${RUNS} points, pointer sweep: ${frames.length} frames, median ${figures.medianMs.toFixed(1)} ms, ` +
      `p95 ${figures.p95Ms.toFixed(1)} ms, max ${figures.maxMs.toFixed(1)} ms\n`,
  );
});
