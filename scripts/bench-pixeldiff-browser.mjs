// The pixel diff in Chromium: Assay's WASM build (as the trace page runs
// it) against pixelmatch 7.2 (npm) in the same page, on the same RGBA (the
// page's images as the browser decoded them), both drawing a diff image.
// Run by scripts/bench-pixeldiff.sh, which starts the server and writes
// the images:
//   node scripts/bench-pixeldiff-browser.mjs BASE_URL TOKEN IMAGE_DIR ROUNDS
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';

const [base, token, dir, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 9);
const sizes = ['1080p', '4k'];
const pairs = ['identical', 'few', 'many'];
const api = `${base}/api/v1/projects/bench`;
const auth = { Authorization: `Bearer ${token}` };
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

async function post(url, body, headers = {}) {
  const res = await fetch(url, { method: 'POST', headers: { ...auth, ...headers }, body });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
  return res.json();
}

await post(`${api}/runs`, JSON.stringify({ name: 'bench', branch: 'main' }), { 'Content-Type': 'application/json' });
const pages = [];
for (const size of sizes) {
  for (const pair of pairs) {
    const job = `${size}-${pair}`;
    await post(`${api}/runs/bench/jobs`, JSON.stringify({ key: job }), { 'Content-Type': 'application/json' });
    const form = new FormData();
    const doc = { device: 'bench', traces: [{ name: job, expected_image: 'a.png', actual_image: 'b.png' }] };
    form.append('results', new Blob([JSON.stringify(doc)], { type: 'application/json' }), 'results.json');
    form.append('a', new Blob([fs.readFileSync(path.join(dir, `${size}-a.png`))], { type: 'image/png' }), 'a.png');
    form.append('b', new Blob([fs.readFileSync(path.join(dir, `${size}-${pair}.png`))], { type: 'image/png' }), 'b.png');
    await post(`${api}/runs/bench/jobs/${job}/traces`, form);
    const list = await (await fetch(`${api}/runs/bench/jobs/${job}/traces`)).json();
    const r = list.results[0];
    pages.push({ size, pair, url: `${base}/projects/bench/runs/${r.run_id}/jobs/${r.job_id}/traces?trace=${r.trace_id}` });
  }
}

const pixelmatch = fs
  .readFileSync(path.resolve('node_modules/pixelmatch/index.js'), 'utf8')
  .replace('export default function pixelmatch', 'window.pixelmatch = function pixelmatch');
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
console.log(`Chromium ${browser.version()}, ${rounds} rounds, median ms (diff image drawn by both)`);
console.log(`${'size'.padEnd(6)} ${'pair'.padEnd(10)} ${'differing'.padStart(10)} ${'Assay WASM'.padStart(11)} ${'pixelmatch'.padStart(11)} ${'ratio'.padStart(7)}`);
const out = [];
for (const p of pages) {
  const page = await browser.newPage();
  await page.goto(p.url);
  await page.waitForSelector('p.diff-count[data-differing]', { timeout: 60_000 });
  // Ours: the page's own diff, run again with the same inputs (the ignore
  // regions field set anew), timed inside the page around the call.
  const wasm = [];
  let ours = 0;
  for (let i = 0; i < rounds; i++) {
    const before = await page.locator('p.diff-count').getAttribute('data-run');
    await page.locator('textarea[name="regions"]').evaluate((t) => {
      t.value = '';
      t.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.waitForFunction((b) => document.querySelector('p.diff-count')?.getAttribute('data-run') !== b, before);
    wasm.push(Number(await page.locator('p.diff-count').getAttribute('data-ms')));
    ours = Number(await page.locator('p.diff-count').getAttribute('data-differing'));
  }
  await page.addScriptTag({ content: pixelmatch });
  const js = await page.evaluate((rounds) => {
    const rgba = (img) => {
      const c = document.createElement('canvas');
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(img, 0, 0);
      return ctx.getImageData(0, 0, c.width, c.height);
    };
    const [e, a] = [...document.querySelectorAll('.side-by-side img')].map(rgba);
    const times = [];
    let n = 0;
    for (let i = 0; i < rounds; i++) {
      const output = new Uint8ClampedArray(e.data.length);
      const t = performance.now();
      n = window.pixelmatch(e.data, a.data, output, e.width, e.height, { threshold: 0.1 });
      times.push(performance.now() - t);
    }
    return { n, times };
  }, rounds);
  if (js.n !== ours) throw new Error(`${p.size} ${p.pair}: Assay counted ${ours}, pixelmatch ${js.n}`);
  const [w, m] = [median(wasm), median(js.times)];
  out.push({ size: p.size, pair: p.pair, differing: ours, wasm_ms: w, pixelmatch_ms: m });
  console.log(`${p.size.padEnd(6)} ${p.pair.padEnd(10)} ${String(ours).padStart(10)} ${w.toFixed(2).padStart(11)} ${m.toFixed(2).padStart(11)} ${(m / w).toFixed(1).padStart(6)}×`);
  await page.close();
}
await browser.close();
if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(out, null, 2));
