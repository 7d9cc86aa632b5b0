import { expect, test } from '@playwright/test';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { ADMIN, hydrated, signIn, watchConsole } from './helpers';

/** The Hawk credentials serve-fresh.sh made for project "treeherder". */
const hawk = () => {
  const [id, secret] = fs.readFileSync(path.resolve(__dirname, '../.state/hawk-treeherder'), 'utf8').trim().split(' ');
  return { id, secret };
};

const sample = (rel: string) => path.resolve(__dirname, '../../../shared/corpus/treeherder', rel);

/** An Authorization header as treeherder-client's requests-hawk/mohawk sign a POST. */
function hawkHeader(url: URL, body: string, creds = hawk()): string {
  const { id, secret } = creds;
  const ts = Math.floor(Date.now() / 1000).toString();
  const nonce = crypto.randomBytes(6).toString('base64url');
  const hash = crypto.createHash('sha256').update(`hawk.1.payload\napplication/json\n${body}\n`).digest('base64');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  const normalized = `hawk.1.header\n${ts}\n${nonce}\nPOST\n${url.pathname}${url.search}\n${url.hostname}\n${port}\n${hash}\n\n`;
  const mac = crypto.createHmac('sha256', secret).update(normalized).digest('base64');
  return `Hawk id="${id}", ts="${ts}", nonce="${nonce}", hash="${hash}", mac="${mac}"`;
}

test('a job posted to the Treeherder door shows with its symbols, Job Info and logs', async ({ page, request }, info) => {
  const base = info.project.use.baseURL as string;
  const post = async (endpoint: string, data: unknown) => {
    const url = new URL(`/treeherder/api/project/treeherder/${endpoint}/`, base);
    const body = JSON.stringify(data);
    const r = await request.post(url.toString(), {
      headers: { Authorization: hawkHeader(url, body), 'Content-Type': 'application/json' },
      data: body,
    });
    expect(r.ok(), await r.text()).toBeTruthy();
  };
  const push = JSON.parse(fs.readFileSync(sample('push_data.json'), 'utf8'))[0];
  const job = JSON.parse(fs.readFileSync(sample('job_data.txt'), 'utf8').split('\n')[0]);
  job.revision = push.revision;
  job.job.result = 'testfailed';
  await post('resultset', [push]);
  await post('jobs', [job]);
  await post('jobs', [job]);
  await post('artifact', [{
    job_guid: job.job.job_guid, name: 'Job Info', type: 'json',
    blob: { job_details: [
      { content_type: 'link', title: 'artifact uploaded', value: 'live_backing.log', url: 'https://ci.example/live_backing.log' },
      { content_type: 'raw_html', title: 'Summary', value: '<b onclick="window.pwned=1">3 failures</b><script>window.pwned=2</script><a href="javascript:window.pwned=3">more</a>' },
      { content_type: 'text', title: 'CPU usage', value: '87.5%' },
    ] },
  }]);

  const console = watchConsole(page);
  await page.goto('/projects/treeherder');
  await hydrated(page);
  await page.getByRole('link', { name: push.revision }).first().click();
  // One job, however often posted, named as Treeherder names it.
  const jobLink = page.getByRole('link', { name: job.job.name });
  await expect(jobLink).toHaveCount(1);
  await expect(page.locator(`tr[data-job="${job.job.job_guid}"] .job-labels`)).toHaveText('M-spi-nw(bc10), debug');
  await jobLink.click();
  await expect(page.getByRole('heading', { level: 1 })).toContainText(job.job.name);
  await expect(page.locator('dl.meta').first()).toContainText('M-spi-nw(bc10)');
  const section = page.locator('section.treeherder');
  await expect(section.locator('.treeherder-symbol')).toHaveText('M-spi-nw(bc10)');
  await expect(section.locator('.treeherder-result')).toHaveText('completed / testfailed');
  await expect(section).toContainText('macmini-r8-146@example.com');
  await expect(section.getByRole('link', { name: 'errorsummary_json' })).toHaveAttribute('href', job.job.log_references[0].url);
  await expect(section.getByRole('link', { name: 'live_backing.log' })).toHaveAttribute('href', 'https://ci.example/live_backing.log');
  await expect(section.locator('.job-info-html b')).toHaveText('3 failures');
  await expect(section.locator('.job-info-html b')).not.toHaveAttribute('onclick', /.*/);
  await expect(section.locator('.job-info-html script')).toHaveCount(0);
  await expect(section.locator('.job-info-html a')).not.toHaveAttribute('href', /javascript/);
  await section.locator('.job-info-html a').click();
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  await expect(section).toContainText('87.5%');
  console.check();
});

test('Hawk credentials made and revoked on the project settings page', async ({ page, request }, info) => {
  const base = info.project.use.baseURL as string;
  const post = async (creds: { id: string; secret: string }) => {
    const url = new URL('/treeherder/api/project/treeherder/resultset/', base);
    const body = JSON.stringify([{ revision: 'abcdef0123456789abcdef0123456789abcdef01', author: 'a@example.com', revisions: [] }]);
    return request.post(url.toString(), {
      headers: { Authorization: hawkHeader(url, body, creds), 'Content-Type': 'application/json' },
      data: body,
    });
  };
  const console = watchConsole(page);
  await signIn(page, ADMIN);
  await page.goto('/projects/treeherder/settings');
  await hydrated(page);
  const form = page.locator('form.create-hawk');
  await form.getByLabel('Client id').fill('settings-made');
  await form.getByRole('button', { name: 'Create Hawk credentials' }).click();
  const shown = page.locator('code[data-secret="hawk"]');
  await expect(shown).toContainText('settings-made ');
  const [id, secret] = (await shown.textContent())!.split(' ');
  expect((await post({ id, secret })).status()).toBe(200);
  const row = page.locator('tr[data-hawk="settings-made"]');
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: 'Revoke' }).click();
  await expect(row).toContainText('revoked');
  const refused = await post({ id, secret });
  expect(refused.status()).toBe(403);
  expect((await refused.json()).detail).toContain('revoked');
  console.check();
});

/** A CI log as Treeherder's log parser reads it: three error lines among others. */
const LOG = [
  '[task 2026-12-04T10:00:00.000Z] ========= Started step one (results: 0, elapsed: 1 secs) =========', // 1
  '10:00:01     INFO - Running tests',                                                                    // 2
  '10:00:02     INFO - TEST-PASS | dom/a.html | ok',                                                     // 3
  '10:00:03     INFO - some output',                                                                     // 4
  '10:00:04     INFO - more output',                                                                     // 5
  '10:00:05     INFO - TEST-UNEXPECTED-FAIL | dom/b.html | assertion failed: 1 == 2',                    // 6
  '10:00:06     INFO - PROCESS-CRASH | dom/c.html | application crashed [@ mozalloc_abort]',             // 7
  '10:00:07     INFO - still running',                                                                   // 8
  '10:00:08     INFO - nearly done',                                                                     // 9
  '10:00:09    ERROR - Return code: 1',                                                                  // 10
  '[task 2026-12-04T10:00:10.000Z] ========= Finished step one (results: 2, elapsed: 10 secs) =========', // 11
].join('\n') + '\n';

test('a job posted with a log URL: its log fetched, its error lines on the job page and in the viewer', async ({ page, request }, info) => {
  const base = info.project.use.baseURL as string;
  // A real HTTP server for the logs (serve-fresh.sh allows 127.0.0.1).
  const server = http.createServer((req, res) => {
    if (req.url === '/logs/live_backing.log') {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(LOG);
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  try {
    const url = new URL('/treeherder/api/project/treeherder/jobs/', base);
    const revision = 'feedface0123456789abcdef0123456789abcdef';
    const guid = 'e2e-logs-0000-0000-0000-000000000001/0';
    const body = JSON.stringify([{
      revision,
      job: {
        job_guid: guid, name: 'test-linux64/opt-mochitest-logs-1', job_symbol: 'ml1', group_symbol: 'M',
        state: 'completed', result: 'testfailed', submit_timestamp: 1764842400, start_timestamp: 1764842401,
        end_timestamp: 1764842410, machine_platform: { os_name: 'linux', platform: 'linux64', architecture: 'x86_64' },
        option_collection: { opt: true },
        log_references: [
          { name: 'live_backing_log', url: `http://127.0.0.1:${port}/logs/live_backing.log` },
          { name: 'builds-4h', url: `http://127.0.0.1:${port}/logs/missing.log` },
          { name: 'errorsummary_json', url: `http://127.0.0.1:${port}/logs/summary_errorsummary.json` },
        ],
      },
    }]);
    const r = await request.post(url.toString(), {
      headers: { Authorization: hawkHeader(url, body), 'Content-Type': 'application/json' },
      data: body,
    });
    expect(r.ok(), await r.text()).toBeTruthy();

    const console = watchConsole(page);
    await page.goto('/projects/treeherder');
    await hydrated(page);
    await page.getByRole('link', { name: revision }).first().click();
    await page.getByRole('link', { name: 'test-linux64/opt-mochitest-logs-1' }).click();
    await expect(page.getByRole('heading', { level: 1 })).toContainText('test-linux64/opt-mochitest-logs-1');
    // The servers parse logs off a queue, checked every second: reload
    // until both logs are worked off.
    const logs = page.locator('section.log-summary section.job-log');
    await expect(async () => {
      await page.reload();
      await expect(logs).toHaveCount(2, { timeout: 1_000 });
      await expect(logs.locator('.log-state')).toHaveText(['parsed', 'failed'], { timeout: 1_000 });
    }).toPass({ timeout: 20_000 });
    await hydrated(page);
    const parsed = logs.nth(0);
    await expect(parsed.locator('h3')).toContainText('live_backing_log');
    const lines = parsed.locator('ol.log-errors > li');
    await expect(lines).toHaveCount(3);
    await expect(lines.locator('code.log-error-line')).toHaveText([
      /TEST-UNEXPECTED-FAIL \| dom\/b\.html \| assertion failed: 1 == 2/,
      /PROCESS-CRASH \| dom\/c\.html \| application crashed/,
      /ERROR - Return code: 1/,
    ]);
    await expect(lines.locator('a.ln')).toHaveText(['6', '7', '10']);
    // Bug suggestions: the failing test's search term.
    await expect(lines.nth(0).locator('ul.bug-suggestions')).toContainText('Search: b.html');
    // The missing log's reason shows; the structured log is not parsed as text.
    const failed = logs.nth(1);
    await expect(failed.locator('h3')).toContainText('builds-4h');
    await expect(failed.locator('.log-error-reason')).toContainText('404');
    await expect(page.locator('section.log-summary')).not.toContainText('errorsummary');
    // Each error line opens the viewer at its line, highlighted.
    await lines.nth(0).locator('a.ln').click();
    await expect(page).toHaveURL(/\/artifacts\/\d+\?line=6#L6$/);
    await expect(page.locator('tr#L6')).toHaveClass(/error-line/);
    await expect(page.locator('tr#L7')).toHaveClass(/error-line/);
    await expect(page.locator('tr#L10')).toHaveClass(/error-line/);
    await expect(page.locator('tr#L5')).not.toHaveClass(/error-line/);
    await expect(page.locator('tr#L6 td.text')).toContainText('TEST-UNEXPECTED-FAIL');
    console.check();
  } finally {
    server.close();
  }
});
